package dev.ferry.rdb;

import dev.ferry.FerryException;

/** The RDB bytes are not valid: truncated, corrupted, or of a version or type Ferry does not know. */
public final class RdbFormatException extends FerryException {

    private final long offset;

    public RdbFormatException(String message, long offset) {
        super("invalid RDB at byte offset " + offset + ": " + message);
        this.offset = offset;
    }

    /** The byte offset in the RDB where the fault was found. */
    public long offset() {
        return offset;
    }
}
