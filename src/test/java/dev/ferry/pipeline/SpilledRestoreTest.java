package dev.ferry.pipeline;

import dev.ferry.FerryException;
import dev.ferry.rdb.DumpPayload;
import dev.ferry.rdb.RdbType;
import dev.ferry.resp.RespReader;
import dev.ferry.resp.RespWriter;
import dev.ferry.resp.ServerInfo;
import dev.ferry.resp.SpilledBulk;
import dev.ferry.sink.TargetProfile;
import dev.ferry.sink.WriteSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A RESTORE whose payload the link spilled: its version is read from the kept tail, never from the marker. */
class SpilledRestoreTest {

    @TempDir
    Path dir;

    /** {@code RESTORE k 0 <payload of a string of valueLength bytes, RDB 10>}, read with the payload spilled. */
    private byte[][] spilledRestore(int valueLength) throws IOException {
        byte[] raw = new byte[5 + valueLength];
        // A string of 32-bit length: 0x80, then the length big-endian.
        raw[0] = (byte) 0x80;
        raw[1] = (byte) (valueLength >>> 24);
        raw[2] = (byte) (valueLength >>> 16);
        raw[3] = (byte) (valueLength >>> 8);
        raw[4] = (byte) valueLength;
        byte[] payload = DumpPayload.encode(RdbType.STRING, raw, 10);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new RespWriter(out).command(ascii("RESTORE"), ascii("k"), ascii("0"), payload).flush();
        byte[][] argv = new RespReader(new ByteArrayInputStream(out.toByteArray())).readCommand(new SpilledBulk.Store(dir, 10));
        assertThat(SpilledBulk.of(argv[3])).isNotNull();
        return argv;
    }

    @Test
    void aSpilledPayloadTheTargetReadsIsForwardedAsItIs() throws IOException {
        byte[][] argv = spilledRestore(100);
        List<byte[][]> written = new ArrayList<>();
        replayer(written, "7.0.15").command(argv, 100);
        assertThat(written).hasSize(1);
        assertThat(written.get(0)[3]).isSameAs(argv[3]);
    }

    @Test
    void aSpilledPayloadForAnOlderTargetIsReadBackAndRelabelled() throws IOException {
        byte[][] argv = spilledRestore(100);
        List<byte[][]> written = new ArrayList<>();
        replayer(written, "6.2.7").command(argv, 100);
        assertThat(written).hasSize(1);
        byte[] relabelled = written.get(0)[3];
        assertThat(SpilledBulk.of(relabelled)).isNull();
        DumpPayload.Parsed parsed = DumpPayload.decode(relabelled);
        assertThat(parsed.rdbVersion()).isEqualTo(9);
        assertThat(parsed.value()).hasSize(105);
        try (var files = java.nio.file.Files.list(dir)) {
            assertThat(files).as("the spilled payload's file, once read back").isEmpty();
        }
    }

    @Test
    void aSpilledPayloadTooLargeToAdaptInMemoryStopsWithTheCommandNamed() throws IOException {
        byte[][] argv = spilledRestore((int) StreamRestore.MAX_ADAPTED_PAYLOAD);
        assertThatThrownBy(() -> replayer(new ArrayList<>(), "6.2.7").command(argv, 100))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("RESTORE \"k\" \"0\" <" + (StreamRestore.MAX_ADAPTED_PAYLOAD + 16) + " bytes>")
                .hasMessageContaining("only up to 32 MiB");
    }

    private static Replayer replayer(List<byte[][]> written, String targetVersion) {
        WriteSink sink = new WriteSink() {
            @Override
            public void write(byte[][] argv, long sourceOffset) {
                written.add(argv);
            }

            @Override
            public void select(int db, long sourceOffset) {
            }

            @Override
            public void advance(long sourceOffset) {
            }

            @Override
            public void flush() {
            }
        };
        TargetProfile target = new TargetProfile(ServerInfo.Version.parse(targetVersion, false), TargetProfile.DEFAULT_PROTO_MAX_BULK_LEN);
        Replayer r = new Replayer(Replayer.discardSnapshot(), sink, Filters.all(), new SyncCounters(),
                ascii("__ferry:hb:x"), null, target);
        r.command(new byte[][] {ascii("SELECT"), ascii("0")}, 1);
        return r;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
