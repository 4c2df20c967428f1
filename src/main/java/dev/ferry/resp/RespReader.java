package dev.ferry.resp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A buffered, blocking RESP2 reader over an input stream.
 *
 * <p>It counts every byte it hands out ({@link #position()}), which is how the
 * replication link keeps its offset: the offset of a replica is the number of
 * stream bytes it has consumed. Besides RESP values it exposes the raw bytes
 * ({@link #inputStream()}), for the RDB payload that follows {@code +FULLRESYNC}.
 *
 * <p>Not thread-safe: one thread reads a connection.
 */
public final class RespReader {

    /** Largest bulk string accepted, as Redis's own default {@code proto-max-bulk-len}. */
    public static final int MAX_BULK_LENGTH = 512 * 1024 * 1024;
    private static final int MAX_ARRAY_LENGTH = 1 << 30;
    private static final int MAX_LINE_LENGTH = 64 * 1024;
    private static final int GROW_STEP = 1 << 20;

    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int limit;
    /** Stream bytes before {@code buf[0]}. */
    private long base;

    public RespReader(InputStream in) {
        this(in, 64 * 1024);
    }

    public RespReader(InputStream in, int bufferSize) {
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("bufferSize: " + bufferSize + " (expected: > 0)");
        }
        this.in = in;
        this.buf = new byte[bufferSize];
    }

    /** Bytes consumed from the stream so far. */
    public long position() {
        return base + pos;
    }

    /** Bytes already read from the socket but not consumed yet. */
    public int buffered() {
        return limit - pos;
    }

    /** Reads one RESP value; errors from the peer are returned as {@link RespValue.Error}, not thrown. */
    public RespValue read() throws IOException {
        long start = position();
        byte type = readByte();
        switch (type) {
            case '+':
                return new RespValue.SimpleString(readLine());
            case '-':
                return new RespValue.Error(readLine());
            case ':':
                return new RespValue.Integer(readLongLine(start));
            case '$': {
                long len = readLongLine(start);
                if (len == -1) {
                    return new RespValue.Bulk(null);
                }
                return new RespValue.Bulk(readBulkBody(len, start));
            }
            case '*': {
                long count = readLongLine(start);
                if (count == -1) {
                    return new RespValue.Array(null);
                }
                checkArrayLength(count, start);
                List<RespValue> items = new ArrayList<>((int) Math.min(count, 1024));
                for (long i = 0; i < count; i++) {
                    items.add(read());
                }
                return new RespValue.Array(items);
            }
            default:
                throw new RespProtocolException("invalid RESP type byte 0x" + hex(type), start);
        }
    }

    /**
     * Consumes one reply without building it, and says whether it holds an error: for a pipelined writer
     * that reads a reply to every command and keeps none (an {@code EXEC} reply of 10,000 elements then
     * costs no allocation). The bytes are checked as strictly as by {@link #read()}.
     */
    public ReplyCheck checkReply() throws IOException {
        if (peek() != '*') {
            String error = skipValue();
            return error == null ? ReplyCheck.OK : new ReplyCheck(error, -1, false);
        }
        long start = position();
        readByte();
        long count = readLongLine(start);
        if (count == -1) {
            return ReplyCheck.NULL_ARRAY;
        }
        checkArrayLength(count, start);
        ReplyCheck check = ReplyCheck.OK;
        for (long i = 0; i < count; i++) {
            String error = skipValue();
            if (error != null && check == ReplyCheck.OK) {
                check = new ReplyCheck(error, (int) i, false);
            }
        }
        return check;
    }

    /**
     * Consumes one value of any type; returns its message when it is an error, else null (errors nested
     * in an array are data, as a script's table may hold them, and are skipped).
     */
    private String skipValue() throws IOException {
        long start = position();
        byte type = readByte();
        switch (type) {
            case '+':
                skipLine(start);
                return null;
            case '-':
                return readLine();
            case ':':
                readLongLine(start);
                return null;
            case '$': {
                long len = readLongLine(start);
                if (len == -1) {
                    return null;
                }
                if (len < 0 || len > MAX_BULK_LENGTH) {
                    throw new RespProtocolException("invalid bulk string length " + len, start);
                }
                skipFully(len);
                expectCrlf(start);
                return null;
            }
            case '*': {
                long count = readLongLine(start);
                if (count == -1) {
                    return null;
                }
                checkArrayLength(count, start);
                for (long i = 0; i < count; i++) {
                    skipValue();
                }
                return null;
            }
            default:
                throw new RespProtocolException("invalid RESP type byte 0x" + hex(type), start);
        }
    }

    private void skipLine(long start) throws IOException {
        long length = 0;
        while (true) {
            ensure();
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    pos = i + 1;
                    return;
                }
            }
            length += limit - pos;
            pos = limit;
            if (length > MAX_LINE_LENGTH) {
                throw new RespProtocolException("line longer than " + MAX_LINE_LENGTH + " bytes", start);
            }
        }
    }

    /**
     * Reads a command as the replication stream carries it: an array of bulk strings.
     * Returns the arguments, raw.
     */
    public byte[][] readCommand() throws IOException {
        return readCommand(null);
    }

    /**
     * Reads a command like {@link #readCommand()}, but an argument after the first two (the name and,
     * in every write, a key) longer than {@code spill}'s threshold goes to a file of {@code spill}
     * instead of memory, and stands in the argv as a {@link SpilledBulk} marker. Such an argument may
     * be as long as the peer sends ({@code proto-max-bulk-len}): only the disk bounds it.
     *
     * @param spill where large arguments go; null holds every argument in memory
     */
    public byte[][] readCommand(SpilledBulk.Store spill) throws IOException {
        long start = position();
        byte type = readByte();
        if (type != '*') {
            throw new RespProtocolException("expected a command (array, '*') but got type byte 0x" + hex(type), start);
        }
        long count = readLongLine(start);
        if (count < 1) {
            throw new RespProtocolException("command with " + count + " arguments", start);
        }
        checkArrayLength(count, start);
        byte[][] args = new byte[(int) count][];
        for (int i = 0; i < count; i++) {
            long argStart = position();
            byte t = readByte();
            if (t != '$') {
                throw new RespProtocolException("expected a bulk string ('$') as argument " + i + " but got type byte 0x" + hex(t), argStart);
            }
            long len = readLongLine(argStart);
            if (len < 0) {
                throw new RespProtocolException("null bulk string as command argument " + i, argStart);
            }
            if (spill != null && i >= 2 && len > spill.threshold()) {
                args[i] = spill.spill(this, len);
                expectCrlf(argStart);
            } else {
                args[i] = readBulkBody(len, argStart);
            }
        }
        return args;
    }

    /** Peeks at the next byte without consuming it. */
    public byte peek() throws IOException {
        ensure();
        return buf[pos];
    }

    /** Reads one byte. */
    public byte readByte() throws IOException {
        ensure();
        return buf[pos++];
    }

    /**
     * Reads a line terminated by {@code \n} (an optional {@code \r} before it is dropped) and returns it
     * without the terminator. A bare {@code \n}, the keepalive a master sends while it forks, reads as "".
     */
    public String readLine() throws IOException {
        long start = position();
        StringBuilder sb = null;
        while (true) {
            ensure();
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                    String part = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    if (sb == null) {
                        return part;
                    }
                    sb.append(part);
                    int last = sb.length() - 1;
                    if (end == i && last >= 0 && sb.charAt(last) == '\r') {
                        sb.setLength(last);
                    }
                    return sb.toString();
                }
            }
            if (sb == null) {
                sb = new StringBuilder();
            }
            sb.append(new String(buf, pos, limit - pos, StandardCharsets.ISO_8859_1));
            pos = limit;
            if (sb.length() > MAX_LINE_LENGTH) {
                throw new RespProtocolException("line longer than " + MAX_LINE_LENGTH + " bytes", start);
            }
        }
    }

    /** Reads exactly {@code len} bytes into {@code dst}. */
    public void readFully(byte[] dst, int off, int len) throws IOException {
        while (len > 0) {
            if (pos == limit) {
                if (len >= buf.length) {
                    // Large reads bypass the buffer; account for them as consumed.
                    int n = in.read(dst, off, len);
                    if (n < 0) {
                        throw new EOFException("connection closed by peer at stream offset " + position());
                    }
                    base += n;
                    off += n;
                    len -= n;
                    continue;
                }
                fill();
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(buf, pos, dst, off, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    /** Skips exactly {@code len} bytes. */
    public void skipFully(long len) throws IOException {
        while (len > 0) {
            ensure();
            int n = (int) Math.min(len, limit - pos);
            pos += n;
            len -= n;
        }
    }

    /**
     * A view of the raw bytes that follow, sharing this reader's buffer and position. Closing it does
     * nothing; the caller bounds how much it reads.
     */
    public InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                if (pos == limit && !tryFill()) {
                    return -1;
                }
                return buf[pos++] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (pos == limit && !tryFill()) {
                    return -1;
                }
                int n = Math.min(len, limit - pos);
                System.arraycopy(buf, pos, b, off, n);
                pos += n;
                return n;
            }

            @Override
            public int available() {
                return limit - pos;
            }
        };
    }

    private byte[] readBulkBody(long len, long start) throws IOException {
        if (len < 0 || len > MAX_BULK_LENGTH) {
            throw new RespProtocolException("invalid bulk string length " + len, start);
        }
        int n = (int) len;
        // A corrupt or hostile length must not allocate hundreds of MB before the bytes exist: grow as they arrive.
        byte[] data = new byte[Math.min(n, GROW_STEP)];
        int have = 0;
        while (have < n) {
            if (have == data.length) {
                data = java.util.Arrays.copyOf(data, (int) Math.min(n, (long) data.length * 2));
            }
            int chunk = data.length - have;
            readFully(data, have, chunk);
            have += chunk;
        }
        expectCrlf(start);
        return data;
    }

    private void expectCrlf(long start) throws IOException {
        byte cr = readByte();
        byte lf = readByte();
        if (cr != '\r' || lf != '\n') {
            throw new RespProtocolException("bulk string not terminated by CRLF", start);
        }
    }

    private long readLongLine(long start) throws IOException {
        long value = 0;
        boolean negative = false;
        int digits = 0;
        byte b = readByte();
        if (b == '-') {
            negative = true;
            b = readByte();
        }
        while (b != '\r') {
            if (b < '0' || b > '9' || digits >= 19) {
                throw new RespProtocolException("invalid number: unexpected byte 0x" + hex(b), start);
            }
            value = value * 10 + (b - '0');
            digits++;
            b = readByte();
        }
        if (digits == 0 || readByte() != '\n') {
            throw new RespProtocolException("invalid number line", start);
        }
        return negative ? -value : value;
    }

    private static void checkArrayLength(long count, long start) {
        if (count < 0 || count > MAX_ARRAY_LENGTH) {
            throw new RespProtocolException("invalid array length " + count, start);
        }
    }

    private void ensure() throws IOException {
        if (pos == limit && !tryFill()) {
            throw new EOFException("connection closed by peer at stream offset " + position());
        }
    }

    private void fill() throws IOException {
        if (!tryFill()) {
            throw new EOFException("connection closed by peer at stream offset " + position());
        }
    }

    private boolean tryFill() throws IOException {
        base += limit;
        pos = 0;
        limit = 0;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            return false;
        }
        limit = n;
        return true;
    }

    private static String hex(byte b) {
        return String.format("%02x", b & 0xff);
    }
}
