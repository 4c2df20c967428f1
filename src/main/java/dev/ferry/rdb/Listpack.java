package dev.ferry.rdb;

/**
 * A listpack ({@code listpack.c}): {@code <total bytes u32><count u16> entries... 0xFF}, each entry
 * {@code <encoding+data><backlen>}. Used by RDB types 16 to 21, 23 and 25, and inside stream nodes.
 */
final class Listpack extends PackedElements {

    private static final int HEADER = 6;
    private static final int END = 0xff;

    Listpack(byte[] buf, RdbReader errors) {
        super("listpack", buf, errors, HEADER);
        if (buf.length < HEADER + 1) {
            throw errors.fail("listpack of " + buf.length + " bytes is shorter than its header");
        }
        long declared = Packed.u32le(buf, 0);
        if (declared != buf.length) {
            throw errors.fail("listpack says it has " + declared + " bytes, but has " + buf.length);
        }
    }

    int byteLength() {
        return buf.length;
    }

    @Override
    public int declaredCount() {
        int n = Packed.u16le(buf, 4);
        return n == 0xffff ? -1 : n;
    }

    @Override
    public boolean next() {
        elementStart = pos;
        int b = byteAt(pos);
        if (b == END) {
            return false;
        }
        int size;
        if ((b & 0x80) == 0) {
            size = integer(b & 0x7f, 1);
        } else if ((b & 0xc0) == 0x80) {
            size = string(1, b & 0x3f);
        } else if ((b & 0xe0) == 0xc0) {
            int uv = ((b & 0x1f) << 8) | byteAt(pos + 1);
            size = integer(uv >= 1 << 12 ? uv - (1 << 13) : uv, 2);
        } else if ((b & 0xf0) == 0xe0) {
            size = string(2, ((b & 0x0f) << 8) | byteAt(pos + 1));
        } else {
            size = switch (b) {
                case 0xf0 -> string(5, Packed.checkedLength(u32At(pos + 1), this));
                case 0xf1 -> integer(wideInt(2), 3);
                case 0xf2 -> integer(wideInt(3), 4);
                case 0xf3 -> integer(wideInt(4), 5);
                case 0xf4 -> integer(wideInt(8), 9);
                default -> throw failure(String.format("invalid entry encoding 0x%02x", b));
            };
        }
        long next = (long) pos + size + backlenSize(size);
        if (next > buf.length - 1) {
            throw failure("entry runs past the end");
        }
        pos = (int) next;
        return true;
    }

    private int integer(long v, int size) {
        integer = true;
        value = v;
        return size;
    }

    private int string(int headerSize, int length) {
        if ((long) pos + headerSize + length > buf.length - 1) {
            throw failure("string of " + length + " bytes runs past the end");
        }
        integer = false;
        strOffset = pos + headerSize;
        strLength = length;
        return headerSize + length;
    }

    private long wideInt(int width) {
        if (pos + 1 + width > buf.length - 1) {
            throw failure("integer runs past the end");
        }
        return Packed.signedLE(buf, pos + 1, width);
    }

    private long u32At(int off) {
        if (off + 4 > buf.length) {
            throw failure("length runs past the end");
        }
        return Packed.u32le(buf, off);
    }

    /** How many bytes {@code lpEncodeBacklen} uses for an entry of {@code size} bytes. */
    private static int backlenSize(int size) {
        if (size <= 127) {
            return 1;
        } else if (size < 16383) {
            return 2;
        } else if (size < 2097151) {
            return 3;
        } else if (size < 268435455) {
            return 4;
        }
        return 5;
    }
}
