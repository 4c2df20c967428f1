package dev.ferry.rdb;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The parser's only access to the input stream. It reads exactly the bytes asked for (no read-ahead:
 * whatever follows the RDB on the stream stays there), feeds each stream byte once into the running
 * CRC-64, and supports the two tricks {@link RdbEntry} needs:
 *
 * <ul>
 *   <li>capture: while on, every byte handed out is also copied into a buffer of bounded size; asking
 *       for more than the bound throws {@link CaptureOverflow} <em>before</em> reading, so the buffer always
 *       holds exactly the bytes consumed so far;</li>
 *   <li>push-back: bytes already consumed (and already checksummed) can be handed out again before
 *       the stream continues.</li>
 * </ul>
 *
 * <p>Not thread-safe; owned by one parser.
 */
final class RdbInput {

    private static final byte[] EMPTY = new byte[0];
    private static final int SCRATCH_SIZE = 16 * 1024;
    /** The capture buffer is reused from key to key while it stays this small; a larger one is dropped. */
    private static final int RETAINED_CAPTURE = 64 * 1024;

    private final InputStream in;
    private final byte[] scratch = new byte[SCRATCH_SIZE];

    private long crc;
    private long streamBytes;

    private byte[] pushback = EMPTY;
    private int pushbackPos;

    private boolean capturing;
    private byte[] capture = new byte[1024];
    private int captureLen;
    private int captureLimit;

    RdbInput(InputStream in) {
        this.in = in;
    }

    /** Bytes taken from the underlying stream so far. */
    long streamBytes() {
        return streamBytes;
    }

    /** The offset in the RDB of the next byte handed out (push-back rewinds it). */
    long position() {
        return streamBytes - (pushback.length - pushbackPos);
    }

    /** The CRC-64 of every stream byte read so far. */
    long crc() {
        return crc;
    }

    int readByte() throws IOException {
        if (capturing) {
            reserveCapture(1);
        }
        int b;
        if (pushbackPos < pushback.length) {
            b = pushback[pushbackPos++] & 0xff;
        } else {
            b = in.read();
            if (b < 0) {
                throw truncated();
            }
            streamBytes++;
            crc = Crc64.update(crc, b);
        }
        if (capturing) {
            capture[captureLen++] = (byte) b;
        }
        return b;
    }

    void readFully(byte[] dst, int off, int len) throws IOException {
        if (capturing) {
            reserveCapture(len);
        }
        take(dst, off, len);
        if (capturing) {
            System.arraycopy(dst, off, capture, captureLen, len);
            captureLen += len;
        }
    }

    /** Reads and drops {@code n} bytes (they still count in the CRC and in a capture). */
    void skip(long n) throws IOException {
        if (capturing) {
            // Straight into the capture: a raw value is copied once, not via the scratch buffer.
            if (n > captureLimit - captureLen) {
                throw CaptureOverflow.INSTANCE;
            }
            reserveCapture((int) n);
            take(capture, captureLen, (int) n);
            captureLen += (int) n;
            return;
        }
        while (n > 0) {
            int step = (int) Math.min(n, scratch.length);
            take(scratch, 0, step);
            n -= step;
        }
    }

    /** Exactly {@code len} bytes, from the push-back first, then from the stream (checksummed); no capture. */
    private void take(byte[] dst, int off, int len) throws IOException {
        int n = 0;
        int fromPushback = Math.min(len, pushback.length - pushbackPos);
        if (fromPushback > 0) {
            System.arraycopy(pushback, pushbackPos, dst, off, fromPushback);
            pushbackPos += fromPushback;
            n = fromPushback;
        }
        while (n < len) {
            int r = in.read(dst, off + n, len - n);
            if (r < 0) {
                throw truncated();
            }
            crc = Crc64.update(crc, dst, off + n, r);
            streamBytes += r;
            n += r;
        }
    }

    /** Starts copying every byte handed out, up to {@code limit} bytes in all. */
    void startCapture(int limit) {
        capturing = true;
        captureLimit = limit;
        captureLen = 0;
    }

    /** Stops the capture and returns the bytes captured, in a new array of their exact size. */
    byte[] stopCapture() {
        capturing = false;
        byte[] out = captureLen == 0 ? EMPTY : Arrays.copyOf(capture, captureLen);
        if (capture.length > RETAINED_CAPTURE) {
            capture = new byte[1024];
        }
        captureLen = 0;
        return out;
    }

    /** Hands {@code bytes} out again, before any push-back not yet consumed and before the stream. */
    void pushBack(byte[] bytes) {
        if (bytes.length == 0) {
            return;
        }
        int remaining = pushback.length - pushbackPos;
        if (remaining == 0) {
            pushback = bytes;
        } else {
            byte[] joined = Arrays.copyOf(bytes, bytes.length + remaining);
            System.arraycopy(pushback, pushbackPos, joined, bytes.length, remaining);
            pushback = joined;
        }
        pushbackPos = 0;
    }

    boolean pushbackEmpty() {
        return pushbackPos == pushback.length;
    }

    private void reserveCapture(int len) {
        long needed = (long) captureLen + len;
        if (needed > captureLimit) {
            throw CaptureOverflow.INSTANCE;
        }
        if (needed > capture.length) {
            long grown = Math.max(needed, Math.min((long) capture.length * 2, captureLimit));
            capture = Arrays.copyOf(capture, (int) grown);
        }
    }

    private EOFException truncated() {
        return new EOFException("RDB truncated: the stream ended at byte offset " + position());
    }

    /**
     * Control flow only: a captured value grew past its limit. Carries no stack trace; never escapes
     * {@link ParsedEntry#rawValue(int)}.
     */
    static final class CaptureOverflow extends RuntimeException {
        static final CaptureOverflow INSTANCE = new CaptureOverflow();

        private CaptureOverflow() {
            super("captured value over its limit", null, false, false);
        }
    }
}
