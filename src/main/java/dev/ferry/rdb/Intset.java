package dev.ferry.rdb;

/**
 * An intset ({@code intset.c}): {@code <encoding u32: 2, 4 or 8><length u32><sorted little-endian
 * integers>}. RDB type 11.
 */
final class Intset {

    private final byte[] buf;
    private final int width;
    private final int count;

    Intset(byte[] buf, RdbReader errors) {
        this.buf = buf;
        if (buf.length < 8) {
            throw errors.fail("intset of " + buf.length + " bytes is shorter than its header");
        }
        long w = Packed.u32le(buf, 0);
        long n = Packed.u32le(buf, 4);
        if (w != 2 && w != 4 && w != 8) {
            throw errors.fail("intset has invalid encoding " + w + " (expected 2, 4 or 8)");
        }
        if (8 + n * w != buf.length) {
            throw errors.fail("intset of " + n + " " + w + "-byte integers cannot be " + buf.length + " bytes long");
        }
        this.width = (int) w;
        this.count = (int) n;
    }

    int count() {
        return count;
    }

    long get(int i) {
        return Packed.signedLE(buf, 8 + i * width, width);
    }
}
