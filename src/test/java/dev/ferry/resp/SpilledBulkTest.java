package dev.ferry.resp;

import dev.ferry.FerryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpilledBulkTest {

    @TempDir
    Path dir;

    /** HSET with a 40-byte value (spilled at threshold 10), a 20-byte key (never spilled), then PING. */
    private static byte[] stream() {
        byte[] value = new byte[40];
        new Random(5).nextBytes(value);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii("*4\r\n$4\r\nHSET\r\n$20\r\nkkkkkkkkkkkkkkkkkkkk\r\n$5\r\nfield\r\n$40\r\n"));
        out.writeBytes(value);
        out.writeBytes(ascii("\r\n*1\r\n$4\r\nPING\r\n"));
        return out.toByteArray();
    }

    @Test
    void aLargeArgumentIsSpilledAndWrittenBackByteForByte() throws IOException {
        byte[] all = stream();
        SpilledBulk.Store store = new SpilledBulk.Store(dir, 10);
        RespReader r = new RespReader(new ByteArrayInputStream(all), 16);
        byte[][] hset = r.readCommand(store);
        assertThat(SpilledBulk.of(hset[1])).as("the key").isNull();
        assertThat(SpilledBulk.of(hset[2])).as("a short argument").isNull();
        SpilledBulk value = SpilledBulk.of(hset[3]);
        assertThat(value).isNotNull();
        assertThat(value.length()).isEqualTo(40);
        assertThat(SpilledBulk.length(hset[3])).isEqualTo(40);
        assertThat(value.toString()).isEqualTo("<40 bytes>");
        assertThat(value.tail()).isEqualTo(Arrays.copyOfRange(all, all.length - 14 - 2 - 16, all.length - 14 - 2));
        assertThat(files()).isEqualTo(1);
        byte[][] ping = r.readCommand(store);
        assertThat(r.position()).isEqualTo(all.length);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RespWriter w = new RespWriter(out, 64);
        w.command(hset).command(ping).flush();
        assertThat(out.toByteArray()).isEqualTo(all);
        assertThat(w.written()).isEqualTo(all.length);
        assertThat(files()).as("the file, once written").isZero();
        assertThatThrownBy(() -> new RespWriter(new ByteArrayOutputStream()).command(hset))
                .isInstanceOf(FerryException.class).hasMessageContaining("twice");
    }

    @Test
    void spillsTheSameWhenFedOneByteAtATime() throws IOException {
        byte[] all = stream();
        RespReader r = new RespReader(new RespReaderTest.ChunkedInputStream(all, 1), 4);
        assertThat(reencode(r, new SpilledBulk.Store(dir, 10))).isEqualTo(all);
    }

    @Test
    void spillsTheSameWhateverWhereTheInputIsSplit() throws IOException {
        byte[] all = stream();
        SpilledBulk.Store store = new SpilledBulk.Store(dir, 10);
        for (int split = 0; split <= all.length; split++) {
            InputStream in = new SequenceInputStream(new ByteArrayInputStream(all, 0, split),
                    new ByteArrayInputStream(all, split, all.length - split));
            RespReader r = new RespReader(in, 4);
            assertThat(reencode(r, store)).as("split at %d", split).isEqualTo(all);
            assertThat(r.position()).isEqualTo(all.length);
        }
        assertThat(files()).isZero();
    }

    @Test
    void aValueOfManyMegabytesIsSpilledInChunksAndComesBackExact() throws IOException {
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        new Random(3).nextBytes(big);
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.writeBytes(ascii("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + big.length + "\r\n"));
        in.writeBytes(big);
        in.writeBytes(ascii("\r\n"));
        byte[] all = in.toByteArray();
        RespReader r = new RespReader(new RespReaderTest.ChunkedInputStream(all, 70_000), 4096);
        byte[][] set = r.readCommand(new SpilledBulk.Store(dir, 1 << 20));
        assertThat(SpilledBulk.of(set[2]).tail()).isEqualTo(Arrays.copyOfRange(big, big.length - 16, big.length));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new RespWriter(out).command(set).flush();
        assertThat(out.toByteArray()).isEqualTo(all);
    }

    @Test
    void aTruncatedArgumentLeavesNoFileBehind() {
        byte[] all = stream();
        byte[] cut = Arrays.copyOf(all, 60);
        SpilledBulk.Store store = new SpilledBulk.Store(dir, 10);
        assertThatThrownBy(() -> new RespReader(new ByteArrayInputStream(cut), 16).readCommand(store))
                .isInstanceOf(EOFException.class);
        assertThat(files()).isZero();
    }

    @Test
    void closingTheStoreDeletesWhatWasNotWrittenAndAWriteThenFailsClearly() throws IOException {
        SpilledBulk.Store store = new SpilledBulk.Store(dir, 10);
        byte[][] hset = new RespReader(new ByteArrayInputStream(stream()), 16).readCommand(store);
        store.close();
        assertThat(files()).isZero();
        assertThatThrownBy(() -> new RespWriter(new ByteArrayOutputStream()).command(hset))
                .isInstanceOf(FerryException.class).hasMessageContaining("is gone");
    }

    @Test
    void aPlainValueWithAMarkersBytesStaysPlain() throws IOException {
        byte[][] hset = new RespReader(new ByteArrayInputStream(stream()), 16).readCommand(new SpilledBulk.Store(dir, 10));
        byte[] lookalike = hset[3].clone();
        assertThat(SpilledBulk.of(lookalike)).isNull();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new RespWriter(out).command(ascii("SET"), ascii("k"), lookalike).flush();
        byte[][] back = new RespReader(new ByteArrayInputStream(out.toByteArray())).readCommand();
        assertThat(back[2]).isEqualTo(lookalike);
    }

    @Test
    void withoutAStoreEveryArgumentIsReadIntoMemory() throws IOException {
        byte[][] hset = new RespReader(new ByteArrayInputStream(stream()), 16).readCommand();
        assertThat(hset[3]).hasSize(40);
        assertThat(SpilledBulk.of(hset[3])).isNull();
    }

    private static byte[] reencode(RespReader r, SpilledBulk.Store store) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RespWriter w = new RespWriter(out, 64);
        w.command(r.readCommand(store)).command(r.readCommand(store)).flush();
        return out.toByteArray();
    }

    private long files() {
        try (var list = Files.list(dir)) {
            return list.count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
