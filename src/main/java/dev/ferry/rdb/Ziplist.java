package dev.ferry.rdb;

/**
 * A ziplist ({@code ziplist.c}): {@code <zlbytes u32><zltail u32><zllen u16> entries... 0xFF}, each
 * entry {@code <prevlen 1|5 bytes><encoding><data>}. Used by RDB types 10, 12, 13 and 14.
 */
final class Ziplist extends PackedElements {

    private static final int HEADER = 10;
    private static final int END = 0xff;

    Ziplist(byte[] buf, RdbReader errors) {
        super("ziplist", buf, errors, HEADER);
        if (buf.length < HEADER + 1) {
            throw errors.fail("ziplist of " + buf.length + " bytes is shorter than its header");
        }
        long declared = Packed.u32le(buf, 0);
        if (declared != buf.length) {
            throw errors.fail("ziplist says it has " + declared + " bytes, but has " + buf.length);
        }
    }

    @Override
    public int declaredCount() {
        int n = Packed.u16le(buf, 8);
        return n == 0xffff ? -1 : n;
    }

    @Override
    public boolean next() {
        elementStart = pos;
        int b = byteAt(pos);
        if (b == END) {
            return false;
        }
        pos += b == 254 ? 5 : 1;
        int enc = byteAt(pos);
        switch (enc >> 6) {
            case 0 -> string(pos + 1, enc & 0x3f);
            case 1 -> string(pos + 2, ((enc & 0x3f) << 8) | byteAt(pos + 1));
            case 2 -> string(pos + 5, Packed.checkedLength(Packed.u32be(buf, pos + 1, this), this));
            default -> integerEntry(enc);
        }
        return true;
    }

    private void string(int dataOffset, int length) {
        if ((long) dataOffset + length > buf.length - 1) {
            throw failure("string of " + length + " bytes runs past the end");
        }
        integer = false;
        strOffset = dataOffset;
        strLength = length;
        pos = dataOffset + length;
    }

    private void integerEntry(int enc) {
        int width;
        if (enc >= 0xf1 && enc <= 0xfd) {
            integer = true;
            value = (enc & 0x0f) - 1;
            pos += 1;
            return;
        }
        switch (enc) {
            case 0xc0 -> width = 2;
            case 0xd0 -> width = 4;
            case 0xe0 -> width = 8;
            case 0xf0 -> width = 3;
            case 0xfe -> width = 1;
            default -> throw failure(String.format("invalid entry encoding 0x%02x", enc));
        }
        if (pos + 1 + width > buf.length - 1) {
            throw failure("integer runs past the end");
        }
        integer = true;
        value = Packed.signedLE(buf, pos + 1, width);
        pos += 1 + width;
    }
}
