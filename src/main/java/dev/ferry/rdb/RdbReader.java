package dev.ferry.rdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads RDB primitives from an {@link RdbInput}: lengths ({@code rdbLoadLen}), strings with their
 * integer and LZF encodings ({@code rdbGenericLoadStringObject}), doubles, and little-endian
 * numbers; and builds the errors that say where the input went wrong.
 *
 * <p>Never trusts a length read from the input with an allocation: arrays grow while the bytes
 * actually arrive, so a corrupt length ends in an {@link java.io.EOFException}, not an
 * {@link OutOfMemoryError}.
 */
final class RdbReader {

    /** The largest array the JVM reliably allocates. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private static final int ENC_INT8 = 0;
    private static final int ENC_INT16 = 1;
    private static final int ENC_INT32 = 2;
    private static final int ENC_LZF = 3;
    private static final int DIRECT_ALLOCATION = 64 * 1024;

    final RdbInput in;
    private byte[] contextKey;
    private RdbType contextType;

    RdbReader(RdbInput in) {
        this.in = in;
    }

    /** The key whose value is being read, for error messages; null between keys. Kept raw: messages are rare. */
    void context(byte[] key, RdbType type) {
        this.contextKey = key;
        this.contextType = type;
    }

    long position() {
        return in.position();
    }

    RdbFormatException fail(String message) {
        return failAt(message, in.position());
    }

    RdbFormatException failAt(String message, long offset) {
        String where = contextKey == null ? ""
                : " (key '" + RdbParser.printable(contextKey) + "', type " + contextType + ")";
        return new RdbFormatException(message + where, offset);
    }

    int readByte() throws IOException {
        return in.readByte();
    }

    void skip(long n) throws IOException {
        in.skip(n);
    }

    /** An RDB length: 6, 14, 32 or 64 bits; the 64-bit form is unsigned and may come out negative. */
    long readLength() throws IOException {
        int first = in.readByte();
        if ((first >> 6) == 3) {
            throw failAt(String.format("expected a length, found the string encoding byte 0x%02x", first),
                    in.position() - 1);
        }
        return lengthAfter(first);
    }

    /** A length that must fit an array: used for element counts and byte sizes read whole. */
    int readIntLength(String what) throws IOException {
        return checkedInt(readLength(), what);
    }

    int checkedInt(long length, String what) {
        if (length < 0 || length > MAX_ARRAY) {
            throw fail(what + " " + Long.toUnsignedString(length) + " is out of range");
        }
        return (int) length;
    }

    private long lengthAfter(int first) throws IOException {
        switch (first >> 6) {
            case 0:
                return first & 0x3f;
            case 1:
                return ((first & 0x3f) << 8) | in.readByte();
            default:
                if (first == 0x80) {
                    return readIntBE(4) & 0xffffffffL;
                }
                if (first == 0x81) {
                    return readIntBE(8);
                }
                throw failAt(String.format("invalid length byte 0x%02x", first), in.position() - 1);
        }
    }

    /** A whole string value, integer encodings rendered in decimal, LZF decompressed. */
    byte[] readString() throws IOException {
        int first = in.readByte();
        if ((first >> 6) == 3) {
            return readEncodedString(first & 0x3f);
        }
        return readBytes(lengthAfter(first), "string length");
    }

    /**
     * Reads a string header. For a plain string returns its length (the bytes follow); for an encoded
     * one returns -1 and leaves the decoded value in {@code encoded[0]}.
     */
    long readStringHeader(byte[][] encoded) throws IOException {
        int first = in.readByte();
        if ((first >> 6) == 3) {
            encoded[0] = readEncodedString(first & 0x3f);
            return -1;
        }
        return lengthAfter(first);
    }

    void skipString() throws IOException {
        int first = in.readByte();
        if ((first >> 6) != 3) {
            in.skip(checkedLong(lengthAfter(first), "string length"));
            return;
        }
        switch (first & 0x3f) {
            case ENC_INT8 -> in.skip(1);
            case ENC_INT16 -> in.skip(2);
            case ENC_INT32 -> in.skip(4);
            case ENC_LZF -> {
                long compressed = checkedLong(readLength(), "LZF compressed length");
                readLength();
                in.skip(compressed);
            }
            default -> throw failAt("unknown string encoding " + (first & 0x3f), in.position() - 1);
        }
    }

    private long checkedLong(long length, String what) {
        if (length < 0) {
            throw fail(what + " " + Long.toUnsignedString(length) + " is out of range");
        }
        return length;
    }

    private byte[] readEncodedString(int encoding) throws IOException {
        switch (encoding) {
            case ENC_INT8:
                return decimal((byte) in.readByte());
            case ENC_INT16:
                return decimal((short) readIntLE(2));
            case ENC_INT32:
                return decimal((int) readIntLE(4));
            case ENC_LZF:
                return readLzf();
            default:
                throw failAt("unknown string encoding " + encoding, in.position() - 1);
        }
    }

    private byte[] readLzf() throws IOException {
        int compressedLength = readIntLength("LZF compressed length");
        int length = readIntLength("LZF uncompressed length");
        if (length > Lzf.maxExpansion(compressedLength)) {
            throw fail("LZF uncompressed length " + length + " is impossible for " + compressedLength
                    + " compressed bytes");
        }
        byte[] compressed = readBytes(compressedLength, "LZF compressed length");
        return Lzf.decompress(compressed, length, this);
    }

    /** Exactly {@code length} bytes, allocated as they arrive. */
    byte[] readBytes(long length, String what) throws IOException {
        int n = checkedInt(length, what);
        if (n <= DIRECT_ALLOCATION) {
            byte[] out = new byte[n];
            in.readFully(out, 0, n);
            return out;
        }
        byte[] out = new byte[DIRECT_ALLOCATION];
        int filled = 0;
        while (filled < n) {
            if (filled == out.length) {
                out = Arrays.copyOf(out, (int) Math.min((long) out.length * 2, n));
            }
            int step = out.length - filled;
            in.readFully(out, filled, step);
            filled += step;
        }
        return out;
    }

    /** A double as text with a one-byte length; 253, 254, 255 mean NaN, +inf, -inf ({@code rdbLoadDoubleValue}). */
    double readStringDouble() throws IOException {
        int len = in.readByte();
        switch (len) {
            case 253:
                return Double.NaN;
            case 254:
                return Double.POSITIVE_INFINITY;
            case 255:
                return Double.NEGATIVE_INFINITY;
            default:
                byte[] text = new byte[len];
                in.readFully(text, 0, len);
                return Scores.parse(text, this);
        }
    }

    void skipStringDouble() throws IOException {
        int len = in.readByte();
        if (len < 253) {
            in.skip(len);
        }
    }

    /** IEEE 754 binary64, little-endian ({@code rdbLoadBinaryDoubleValue}). */
    double readBinaryDouble() throws IOException {
        return Double.longBitsToDouble(readIntLE(8));
    }

    /** A 64-bit little-endian millisecond time ({@code rdbLoadMillisecondTime}). */
    long readMillis() throws IOException {
        return readIntLE(8);
    }

    long readIntLE(int bytes) throws IOException {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v |= (long) in.readByte() << (8 * i);
        }
        return v;
    }

    long readIntBE(int bytes) throws IOException {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v = (v << 8) | in.readByte();
        }
        return v;
    }

    static byte[] decimal(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }
}
