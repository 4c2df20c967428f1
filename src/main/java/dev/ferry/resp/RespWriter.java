package dev.ferry.resp;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A buffered RESP2 command encoder. Commands accumulate in a buffer until it fills or
 * {@link #flush()} is called, so a caller pipelines simply by writing several commands
 * before flushing.
 *
 * <p>Not thread-safe: callers that share a connection synchronize on the writer.
 */
public final class RespWriter {

    private static final byte[][] SMALL_NUMBERS = new byte[1024][];

    static {
        for (int i = 0; i < SMALL_NUMBERS.length; i++) {
            SMALL_NUMBERS[i] = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final OutputStream out;
    private final byte[] buf;
    private int count;
    private long written;
    /** Bytes of spilled arguments handed to the stream so far; read by other threads to see a long send move. */
    private volatile long streamed;

    public RespWriter(OutputStream out) {
        this(out, 64 * 1024);
    }

    public RespWriter(OutputStream out, int bufferSize) {
        if (bufferSize < 64) {
            throw new IllegalArgumentException("bufferSize: " + bufferSize + " (expected: >= 64)");
        }
        this.out = out;
        this.buf = new byte[bufferSize];
    }

    /** Encodes a command given as raw arguments. */
    public RespWriter command(byte[]... args) throws IOException {
        arrayHeader(args.length);
        for (byte[] arg : args) {
            argument(arg);
        }
        return this;
    }

    /** Encodes a command given as raw arguments. */
    public RespWriter command(List<byte[]> args) throws IOException {
        arrayHeader(args.size());
        for (byte[] arg : args) {
            argument(arg);
        }
        return this;
    }

    /**
     * Encodes an argument that waits in a file: the header, then its bytes streamed from the file
     * straight to the stream (everything buffered before goes first), which deletes the file.
     */
    public RespWriter spilled(SpilledBulk arg) throws IOException {
        header('$', arg.length());
        if (count > 0) {
            out.write(buf, 0, count);
            written += count;
            count = 0;
        }
        arg.writeTo(new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                streamed += len;
            }
        });
        written += arg.length();
        crlf();
        return this;
    }

    /** A plain argument, or the one a {@link SpilledBulk} marker stands for. */
    private void argument(byte[] arg) throws IOException {
        SpilledBulk spilled = SpilledBulk.of(arg);
        if (spilled == null) {
            bulk(arg, 0, arg.length);
        } else {
            spilled(spilled);
        }
    }

    /** Encodes a command whose arguments are strings (UTF-8) or byte arrays. */
    public RespWriter command(Object... args) throws IOException {
        arrayHeader(args.length);
        for (Object arg : args) {
            byte[] b = toBytes(arg);
            bulk(b, 0, b.length);
        }
        return this;
    }

    public RespWriter arrayHeader(int n) throws IOException {
        header('*', n);
        return this;
    }

    public RespWriter bulk(byte[] data, int off, int len) throws IOException {
        header('$', len);
        raw(data, off, len);
        crlf();
        return this;
    }

    /** Bytes encoded so far, flushed or not. */
    public long written() {
        return written + count;
    }

    /**
     * Bytes of spilled arguments handed to the stream so far. Safe from any thread: a send of hundreds
     * of megabytes over a slow link moves it, while no reply can come yet.
     */
    public long streamed() {
        return streamed;
    }

    /** Bytes encoded but not yet handed to the stream. */
    public int pending() {
        return count;
    }

    public void flush() throws IOException {
        if (count > 0) {
            out.write(buf, 0, count);
            written += count;
            count = 0;
        }
        out.flush();
    }

    /** Converts a command argument (byte[], String, or number) to bytes. */
    public static byte[] toBytes(Object arg) {
        if (arg instanceof byte[] b) {
            return b;
        }
        if (arg instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        if (arg instanceof Number || arg instanceof Character) {
            return arg.toString().getBytes(StandardCharsets.US_ASCII);
        }
        throw new IllegalArgumentException("command argument: " + (arg == null ? "null" : arg.getClass().getName())
                + " (expected: byte[], String or number)");
    }

    private void header(char type, long n) throws IOException {
        ensure(24);
        buf[count++] = (byte) type;
        if (n >= 0 && n < SMALL_NUMBERS.length) {
            byte[] digits = SMALL_NUMBERS[(int) n];
            System.arraycopy(digits, 0, buf, count, digits.length);
            count += digits.length;
        } else {
            byte[] digits = Long.toString(n).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(digits, 0, buf, count, digits.length);
            count += digits.length;
        }
        buf[count++] = '\r';
        buf[count++] = '\n';
    }

    private void crlf() throws IOException {
        ensure(2);
        buf[count++] = '\r';
        buf[count++] = '\n';
    }

    private void raw(byte[] data, int off, int len) throws IOException {
        if (len > buf.length - count) {
            if (count > 0) {
                out.write(buf, 0, count);
                written += count;
                count = 0;
            }
            if (len >= buf.length / 2) {
                out.write(data, off, len);
                written += len;
                return;
            }
        }
        System.arraycopy(data, off, buf, count, len);
        count += len;
    }

    private void ensure(int n) throws IOException {
        if (buf.length - count < n) {
            out.write(buf, 0, count);
            written += count;
            count = 0;
        }
    }
}
