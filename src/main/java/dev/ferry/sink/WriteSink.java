package dev.ferry.sink;

/**
 * Where the pipeline sends writes. Implemented by the target writers; one producer thread calls it.
 */
public interface WriteSink {

    /**
     * Sends a command; its arguments may include {@link dev.ferry.resp.SpilledBulk} markers, sent once.
     *
     * @param sourceOffset the source offset this command completes, or -1 for snapshot writes
     */
    void write(byte[][] argv, long sourceOffset);

    /** Makes the following writes go to database {@code db}. */
    void select(int db, long sourceOffset);

    /** Marks the source stream up to {@code sourceOffset} as needing no write. */
    void advance(long sourceOffset);

    /** Sends what is buffered. */
    void flush();
}
