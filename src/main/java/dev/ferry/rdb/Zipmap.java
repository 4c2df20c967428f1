package dev.ferry.rdb;

/**
 * A zipmap ({@code zipmap.c}, Redis up to 2.4; RDB type 9): {@code <zmlen> (<len>field<len><free>value
 * <free bytes>)... 0xFF}, where a length is one byte below 254, or 254 and a 4-byte little-endian length.
 * Elements alternate field and value.
 */
final class Zipmap extends PackedElements {

    private static final int BIGLEN = 254;
    private static final int END = 0xff;

    private boolean atValue;

    Zipmap(byte[] buf, RdbReader errors) {
        super("zipmap", buf, errors, 1);
        if (buf.length < 2) {
            throw errors.fail("zipmap of " + buf.length + " bytes is too short");
        }
    }

    /** Field count from the header (only below 254), not elements. */
    @Override
    public int declaredCount() {
        int n = buf[0] & 0xff;
        return n < BIGLEN ? n : -1;
    }

    @Override
    public boolean next() {
        elementStart = pos;
        int b = byteAt(pos);
        if (b == END) {
            if (atValue) {
                throw failure("field without a value");
            }
            return false;
        }
        long length = b;
        int lengthSize = 1;
        if (b == BIGLEN) {
            if (pos + 5 > buf.length) {
                throw failure("length runs past the end");
            }
            length = Packed.u32le(buf, pos + 1);
            lengthSize = 5;
        }
        int free = 0;
        int start = pos + lengthSize;
        if (atValue) {
            free = byteAt(start);
            start++;
        }
        if (start + length + free > buf.length - 1) {
            throw failure("entry runs past the end");
        }
        strOffset = start;
        strLength = (int) length;
        pos = start + strLength + free;
        atValue = !atValue;
        return true;
    }
}
