package dev.ferry.resp;

/**
 * What a writer needs to know of a reply it does not keep: whether it, or one element of it, is an error.
 * Read by {@link RespReader#checkReply()}, which consumes the reply without building it.
 *
 * @param error the first error's message (without the dash), or null when the reply holds none
 * @param index which element of an array reply is that error (the first element that is one; errors
 *              nested deeper are data), or -1 when the reply itself is the error
 * @param nullArray whether the reply is the null array ({@code *-1}, an {@code EXEC} aborted by {@code WATCH})
 */
public record ReplyCheck(String error, int index, boolean nullArray) {

    /** A reply without error. */
    public static final ReplyCheck OK = new ReplyCheck(null, -1, false);
    static final ReplyCheck NULL_ARRAY = new ReplyCheck(null, -1, true);

    /** Whether the reply, or one of its elements, is an error. */
    public boolean failed() {
        return error != null;
    }
}
