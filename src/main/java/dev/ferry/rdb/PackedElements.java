package dev.ferry.rdb;

import java.util.Arrays;

/**
 * What the in-memory cursors over ziplists, listpacks and zipmaps share: the buffer, the current
 * element (an integer, or a string at {@code strOffset}), bounds-checked byte access and errors that say
 * which structure and which element. Subclasses decode their own entry layout in {@link #next()}.
 */
abstract class PackedElements implements PackedCursor {

    protected final byte[] buf;
    protected final RdbReader errors;
    private final String kind;
    protected int pos;
    protected int elementStart;
    protected boolean integer;
    protected long value;
    protected int strOffset;
    protected int strLength;

    protected PackedElements(String kind, byte[] buf, RdbReader errors, int firstEntry) {
        this.kind = kind;
        this.buf = buf;
        this.errors = errors;
        this.pos = firstEntry;
    }

    /** The byte at {@code i}, or a failure when the structure ends before its end marker. */
    protected final int byteAt(int i) {
        if (i >= buf.length) {
            throw failure("entry runs past the end (no end marker)");
        }
        return buf[i] & 0xff;
    }

    @Override
    public final boolean isInteger() {
        return integer;
    }

    @Override
    public final long integer() {
        if (!integer) {
            throw new IllegalStateException(kind + " element at byte " + elementStart + " is a string");
        }
        return value;
    }

    @Override
    public final byte[] bytes() {
        return integer ? RdbReader.decimal(value) : Arrays.copyOfRange(buf, strOffset, strOffset + strLength);
    }

    @Override
    public final RdbFormatException failure(String message) {
        return errors.fail("corrupt " + kind + ": " + message + " (entry at byte " + elementStart + " of " + buf.length + ")");
    }
}
