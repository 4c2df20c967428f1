package dev.ferry.rdb;

/** Little helpers shared by the in-memory encodings (ziplist, listpack, intset, zipmap). */
final class Packed {

    private Packed() {
    }

    static int u16le(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    static long u32le(byte[] b, int off) {
        return (b[off] & 0xffL) | (b[off + 1] & 0xffL) << 8 | (b[off + 2] & 0xffL) << 16 | (b[off + 3] & 0xffL) << 24;
    }

    static long u32be(byte[] b, int off, PackedCursor errors) {
        if (off + 4 > b.length) {
            throw errors.failure("length runs past the end");
        }
        return (b[off] & 0xffL) << 24 | (b[off + 1] & 0xffL) << 16 | (b[off + 2] & 0xffL) << 8 | (b[off + 3] & 0xffL);
    }

    /** A two's complement little-endian integer of {@code width} bytes. */
    static long signedLE(byte[] b, int off, int width) {
        long v = 0;
        for (int i = 0; i < width; i++) {
            v |= (b[off + i] & 0xffL) << (8 * i);
        }
        int shift = 64 - 8 * width;
        return (v << shift) >> shift;
    }

    static long signedBE(byte[] b, int off, int width) {
        long v = 0;
        for (int i = 0; i < width; i++) {
            v = (v << 8) | (b[off + i] & 0xffL);
        }
        return v;
    }

    static int checkedLength(long length, PackedCursor errors) {
        if (length > Integer.MAX_VALUE) {
            throw errors.failure("string length " + length + " is out of range");
        }
        return (int) length;
    }
}
