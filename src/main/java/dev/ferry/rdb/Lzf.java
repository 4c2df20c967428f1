package dev.ferry.rdb;

/**
 * LZF decompression, the format of RDB strings with encoding {@code RDB_ENC_LZF} ({@code lzf_d.c}).
 *
 * <p>A compressed string is decompressed whole: its uncompressed length is bounded by what Redis
 * compresses (one string value or one encoded node), and LZF cannot be decoded from the middle.
 */
final class Lzf {

    /** A back-reference (3 bytes at most) expands to at most 264 bytes. */
    private static final int MAX_RATIO = 88;

    private Lzf() {
    }

    /** The largest uncompressed size {@code compressedLength} bytes can hold. */
    static long maxExpansion(int compressedLength) {
        return (long) compressedLength * MAX_RATIO + MAX_RATIO;
    }

    static byte[] decompress(byte[] src, int length, RdbReader errors) {
        byte[] out = new byte[length];
        int ip = 0;
        int op = 0;
        while (ip < src.length) {
            int ctrl = src[ip++] & 0xff;
            if (ctrl < 32) {
                int run = ctrl + 1;
                if (ip + run > src.length || op + run > length) {
                    throw corrupt(errors, "literal run past the end", ip);
                }
                System.arraycopy(src, ip, out, op, run);
                ip += run;
                op += run;
                continue;
            }
            int len = ctrl >> 5;
            if (len == 7) {
                if (ip >= src.length) {
                    throw corrupt(errors, "truncated back-reference", ip);
                }
                len += src[ip++] & 0xff;
            }
            if (ip >= src.length) {
                throw corrupt(errors, "truncated back-reference", ip);
            }
            int ref = op - ((ctrl & 0x1f) << 8) - (src[ip++] & 0xff) - 1;
            len += 2;
            if (ref < 0 || op + len > length) {
                throw corrupt(errors, "back-reference out of range", ip);
            }
            // The regions may overlap (a run repeating its own output), so copy byte by byte.
            for (int i = 0; i < len; i++) {
                out[op++] = out[ref++];
            }
        }
        if (op != length) {
            throw errors.fail("LZF data decompresses to " + op + " bytes, expected " + length);
        }
        return out;
    }

    private static RdbFormatException corrupt(RdbReader errors, String what, int at) {
        return errors.fail("corrupt LZF data: " + what + " at compressed byte " + at);
    }
}
