package dev.ferry.rdb;

/**
 * Walks the elements of a ziplist or listpack held in memory, one at a time. An element is either an
 * integer or a byte string; {@link #bytes()} renders integers in decimal, as Redis returns them.
 */
interface PackedCursor {

    /** Moves to the next element; false at the end marker. */
    boolean next();

    boolean isInteger();

    /** The current element's integer value; only when {@link #isInteger()}. */
    long integer();

    /** The current element as bytes (a fresh array). */
    byte[] bytes();

    /** The element count the header states, or -1 when the header does not know it. */
    int declaredCount();

    /** Moves to the next element and returns it as an integer; fails at the end or on a non-integer string. */
    default long nextInteger(String what) {
        if (!next()) {
            throw failure("missing " + what);
        }
        if (isInteger()) {
            return integer();
        }
        try {
            return Long.parseLong(new String(bytes(), java.nio.charset.StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw failure(what + " is not an integer");
        }
    }

    /** Moves to the next element and returns its bytes; fails at the end. */
    default byte[] nextBytes(String what) {
        if (!next()) {
            throw failure("missing " + what);
        }
        return bytes();
    }

    /** An error about this structure at its current element. */
    RdbFormatException failure(String message);
}
