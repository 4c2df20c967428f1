package dev.ferry.resp;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RespReaderTest {

    private static final String REPLIES = "+OK\r\n-ERR wrong type\r\n:-42\r\n$5\r\nhel\r\n\r\n$-1\r\n*-1\r\n*3\r\n:1\r\n*1\r\n$0\r\n\r\n+\r\n";

    @Test
    void readsEveryReplyType() throws IOException {
        RespReader r = reader(REPLIES, Integer.MAX_VALUE);
        List<RespValue> values = readAll(r, 7);
        assertThat(values.get(0)).isEqualTo(new RespValue.SimpleString("OK"));
        assertThat(values.get(1)).isEqualTo(new RespValue.Error("ERR wrong type"));
        assertThat(((RespValue.Error) values.get(1)).code()).isEqualTo("ERR");
        assertThat(values.get(2).asLong()).isEqualTo(-42);
        assertThat(((RespValue.Bulk) values.get(3)).bytes()).isEqualTo("hel\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(((RespValue.Bulk) values.get(4)).bytes()).isNull();
        assertThat(((RespValue.Array) values.get(5)).items()).isNull();
        RespValue.Array nested = (RespValue.Array) values.get(6);
        assertThat(nested.items()).hasSize(3);
        assertThat(((RespValue.Bulk) ((RespValue.Array) nested.items().get(1)).items().get(0)).bytes()).isEmpty();
        assertThat(r.position()).isEqualTo(REPLIES.length());
    }

    @Test
    void readsTheSameWhenFedOneByteAtATime() throws IOException {
        assertThat(readAll(reader(REPLIES, 1), 7)).usingRecursiveComparison().isEqualTo(readAll(reader(REPLIES, Integer.MAX_VALUE), 7));
    }

    @Test
    void readsTheSameWhateverWhereTheInputIsSplit() throws IOException {
        byte[] all = REPLIES.getBytes(StandardCharsets.ISO_8859_1);
        List<RespValue> expected = readAll(reader(REPLIES, Integer.MAX_VALUE), 7);
        for (int split = 0; split <= all.length; split++) {
            InputStream in = new SequenceInputStream(new ByteArrayInputStream(all, 0, split),
                    new ByteArrayInputStream(all, split, all.length - split));
            RespReader r = new RespReader(in, 4);
            assertThat(readAll(r, 7)).as("split at %d", split).usingRecursiveComparison().isEqualTo(expected);
            assertThat(r.position()).isEqualTo(all.length);
        }
    }

    @Test
    void readsCommandsAndCountsTheirBytesAsReplicationOffset() throws IOException {
        String stream = "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n\u0000\r\n\r\n";
        RespReader r = reader(stream, 1);
        assertThat(r.readCommand()).isDeepEqualTo(new byte[][] {"PING".getBytes(StandardCharsets.US_ASCII)});
        assertThat(r.position()).isEqualTo(14);
        byte[][] set = r.readCommand();
        assertThat(set[2]).containsExactly(0, '\r', '\n');
        assertThat(r.position()).isEqualTo(stream.length());
    }

    @Test
    void bareNewlinesReadAsEmptyLines() throws IOException {
        RespReader r = reader("\n\n$12\r\n", 1);
        assertThat(r.readLine()).isEmpty();
        assertThat(r.readLine()).isEmpty();
        assertThat(r.readLine()).isEqualTo("$12");
    }

    @Test
    void invalidTypeByteFailsWithItsPosition() {
        RespReader r = reader("+OK\r\n!oops\r\n", Integer.MAX_VALUE);
        assertThatThrownBy(() -> {
            r.read();
            r.read();
        }).isInstanceOf(RespProtocolException.class)
                .hasMessageContaining("invalid RESP type byte 0x21")
                .hasMessageContaining("offset 5");
    }

    @Test
    void commandWithANonBulkArgumentIsRejected() {
        assertThatThrownBy(() -> reader("*2\r\n$3\r\nSET\r\n:1\r\n", 1).readCommand())
                .isInstanceOf(RespProtocolException.class)
                .hasMessageContaining("argument 1");
    }

    @Test
    void malformedLengthsAreRejected() {
        assertThatThrownBy(() -> reader("$abc\r\n", 1).read()).isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> reader("$-5\r\n", 1).read()).isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> reader("$3\r\nabcde", 1).read()).isInstanceOf(RespProtocolException.class)
                .hasMessageContaining("CRLF");
        assertThatThrownBy(() -> reader("*99999999999\r\n", 1).read()).isInstanceOf(RespProtocolException.class);
    }

    @Test
    void largeBulkStringsAreReadWhole() throws IOException {
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(3).nextBytes(big);
        byte[] frame = ("$" + big.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[frame.length + big.length + 2];
        System.arraycopy(frame, 0, all, 0, frame.length);
        System.arraycopy(big, 0, all, frame.length, big.length);
        all[all.length - 2] = '\r';
        all[all.length - 1] = '\n';
        RespReader r = new RespReader(new ChunkedInputStream(all, 70_000), 4096);
        assertThat(((RespValue.Bulk) r.read()).bytes()).isEqualTo(big);
    }

    @Test
    void truncatedInputIsAnEofNotAHang() {
        assertThatThrownBy(() -> reader("*3\r\n$3\r\nSET\r\n$1\r\nk", 1).readCommand())
                .isInstanceOf(EOFException.class)
                .hasMessageContaining("offset");
    }

    @Test
    void inputStreamViewSharesTheBufferAndPosition() throws IOException {
        RespReader r = reader("+FULLRESYNC x 0\r\nRDBBYTES*1\r\n$4\r\nPING\r\n", 3);
        assertThat(r.read()).isEqualTo(new RespValue.SimpleString("FULLRESYNC x 0"));
        byte[] rdb = new byte[8];
        int n = 0;
        while (n < rdb.length) {
            n += r.inputStream().read(rdb, n, rdb.length - n);
        }
        assertThat(new String(rdb, StandardCharsets.US_ASCII)).isEqualTo("RDBBYTES");
        assertThat(r.readCommand()[0]).isEqualTo("PING".getBytes(StandardCharsets.US_ASCII));
    }

    private static List<RespValue> readAll(RespReader r, int n) throws IOException {
        List<RespValue> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(r.read());
        }
        return values;
    }

    static RespReader reader(String text, int chunk) {
        return new RespReader(new ChunkedInputStream(text.getBytes(StandardCharsets.ISO_8859_1), chunk), 16);
    }

    /** Returns at most {@code chunk} bytes per read call. */
    static final class ChunkedInputStream extends InputStream {
        private final byte[] data;
        private final int chunk;
        private int pos;

        ChunkedInputStream(byte[] data, int chunk) {
            this.data = data;
            this.chunk = chunk;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, chunk), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
