package dev.ferry.source;

import dev.ferry.rdb.RdbHandler;

import java.io.IOException;

/**
 * Receives what a {@link ReplicationLink} reads, on the link's thread, in stream order. Callbacks may
 * block; the link reads nothing meanwhile.
 */
public interface ReplicationListener {

    /** The source answered {@code +FULLRESYNC}: a snapshot follows, then the stream from {@code start}. */
    void fullResync(ReplicationOffset start) throws IOException;

    /** The handler the snapshot's RDB is parsed into; called once per full resync, after {@link #fullResync}. */
    RdbHandler snapshotHandler();

    /** The snapshot has been read completely; stream commands follow. */
    void snapshotEnd() throws IOException;

    /** The source answered {@code +CONTINUE}: the stream continues after {@code position}. */
    void partialResync(ReplicationOffset position) throws IOException;

    /**
     * One command of the stream, as argv. An argument after the first two may be a
     * {@link dev.ferry.resp.SpilledBulk} marker standing for a large value in a file: code that needs an
     * argument's bytes asks {@code SpilledBulk.of} first; writing it with a {@code RespWriter} streams it.
     *
     * @param offsetAfter the source replication offset once this command is applied
     */
    void command(byte[][] argv, long offsetAfter) throws IOException;

    /** Nothing more is buffered from the source right now: a good moment to flush writes. */
    default void idle() throws IOException {
    }
}
