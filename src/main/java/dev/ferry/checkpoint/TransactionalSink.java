package dev.ferry.checkpoint;

import dev.ferry.pipeline.WriteSink;
import dev.ferry.sink.CommandName;
import dev.ferry.sink.TargetWriter;
import dev.ferry.source.ReplicationOffset;

import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Applies the stream in transactions that carry their own checkpoint: {@code MULTI}, the batch's
 * writes, {@code SET __ferry:cp:<task> <position>}, {@code EXEC}. The target applies a batch and the
 * position after it together or not at all, so a restarted task resumes exactly after the last applied
 * write: nothing twice, nothing skipped, whatever the write (INCR, LPUSH, XADD with automatic IDs...).
 *
 * <p>The source's own {@code MULTI}/{@code EXEC} blocks are unwrapped into the batch (Redis does not nest
 * transactions), and a batch never ends inside one, so their atomicity is kept. A batch closes when the
 * source has nothing more buffered ({@link #flush()}), after {@code maxBatch} writes or 8 MiB. While the source
 * only sends pings and heartbeats, a checkpoint-only transaction records progress once a second.
 *
 * <p>Only one transaction is in flight at a time: a pipelined successor of a failed transaction could
 * land (a full target may have room again a moment later) and its checkpoint would then skip the
 * failed writes. The next batch builds up in the spool meanwhile, so batches grow under load.
 *
 * <p>Before {@link #startStream} (the snapshot phase) writes go to the target unwrapped.
 * Called by one producer thread.
 */
public final class TransactionalSink implements WriteSink {

    private static final byte[] MULTI = ascii("MULTI");
    private static final byte[] EXEC = ascii("EXEC");
    private static final byte[] SET = ascii("SET");
    private static final long IDLE_CHECKPOINT_MS = 1000;
    /** Queued commands wait in the target's memory until EXEC: bound a batch in bytes too. */
    private static final long MAX_BATCH_BYTES = 8L << 20;

    private final TargetWriter writer;
    private final byte[] key;
    private final int maxBatch;
    private final LongSupplier clock;
    private IntSupplier sourceDb = () -> -1;
    private boolean ownsTarget;

    private boolean streaming;
    private String replId;
    private long lastOffset = -1;
    private boolean batchOpen;
    private int batchWrites;
    private long batchBytes;
    private boolean inSourceTransaction;
    private long checkpointedOffset = -1;
    private long checkpointedAt;

    public TransactionalSink(TargetWriter writer, CheckpointStore store, int maxBatch, LongSupplier clock) {
        if (maxBatch <= 0) {
            throw new IllegalArgumentException("maxBatch: " + maxBatch + " (expected: > 0)");
        }
        this.writer = writer;
        this.key = store.key();
        this.maxBatch = maxBatch;
        this.clock = clock;
    }

    /** Where the source database of the current stream position comes from (the replayer tracks it). */
    public void sourceDb(IntSupplier supplier) {
        this.sourceDb = supplier;
    }

    /**
     * A full resync starts: records that the target now holds a partial snapshot, after emptying the
     * databases the task owns when {@code flush} says so, in one transaction.
     *
     * @param flushCommands commands that empty the owned databases (FLUSHDB per database, or FLUSHALL); may be empty
     */
    public void beginSnapshot(ReplicationOffset start, boolean owns, byte[][]... flushCommands) {
        streaming = false;
        ownsTarget = owns;
        replId = start.replId();
        writer.write(new byte[][] {MULTI}, -1);
        for (byte[][] flush : flushCommands) {
            writer.write(flush, -1);
        }
        writeCheckpoint(Checkpoint.snapshot(start, owns));
        writer.write(new byte[][] {EXEC}, -1);
    }

    /**
     * The stream starts (after a snapshot) or resumes (after a partial resync) at {@code position}, in
     * source database {@code db}; from now on writes are applied in checkpointed transactions.
     */
    public void startStream(ReplicationOffset position, int db, boolean owns) {
        // Every snapshot write must have succeeded before the checkpoint says the snapshot is complete.
        drain();
        ownsTarget = owns;
        replId = position.replId();
        lastOffset = position.offset();
        streaming = true;
        batchOpen = false;
        inSourceTransaction = false;
        // Marks the snapshot complete (or confirms the resume point) before any stream write.
        writer.write(new byte[][] {MULTI}, -1);
        writeCheckpoint(Checkpoint.stream(position, db, owns));
        writer.write(new byte[][] {EXEC}, position.offset());
        checkpointedOffset = position.offset();
        checkpointedAt = clock.getAsLong();
    }

    @Override
    public void write(byte[][] argv, long sourceOffset) {
        if (!streaming) {
            writer.write(argv, sourceOffset);
            return;
        }
        CommandName name = argv.length == 1 ? CommandName.of(argv[0]) : CommandName.OTHER;
        if (name == CommandName.MULTI) {
            open();
            inSourceTransaction = true;
        } else if (name == CommandName.EXEC) {
            inSourceTransaction = false;
        } else {
            open();
            writer.write(argv, -1);
            batchWrites++;
            for (byte[] a : argv) {
                batchBytes += a.length;
            }
        }
        if (sourceOffset >= 0) {
            lastOffset = sourceOffset;
        }
        if ((batchWrites >= maxBatch || batchBytes >= MAX_BATCH_BYTES) && !inSourceTransaction) {
            close();
        }
    }

    @Override
    public void select(int db, long sourceOffset) {
        if (streaming && db != writer.selectedDb()) {
            open();
        }
        writer.select(db, -1);
        if (sourceOffset >= 0) {
            advance(sourceOffset);
        }
    }

    @Override
    public void advance(long sourceOffset) {
        if (!streaming) {
            writer.advance(sourceOffset);
            return;
        }
        lastOffset = sourceOffset;
        if (!batchOpen) {
            writer.advance(sourceOffset);
        }
    }

    @Override
    public void flush() {
        if (streaming && !inSourceTransaction) {
            if (batchOpen) {
                close();
            } else if (lastOffset > checkpointedOffset && clock.getAsLong() - checkpointedAt >= IDLE_CHECKPOINT_MS) {
                open();
                close();
            }
        }
        writer.flush();
    }

    /**
     * Ends the open batch before a stop: commits it, or drops it when it ends inside a source transaction
     * (its writes were not checkpointed, so a resumed task reads them again).
     */
    public void finish() {
        if (streaming && batchOpen) {
            if (inSourceTransaction) {
                writer.write(new byte[][] {ascii("DISCARD")}, -1);
                batchOpen = false;
                inSourceTransaction = false;
            } else {
                close();
            }
        }
        writer.flush();
    }

    /** The offset of the last checkpoint sent (acknowledged or not), or -1. */
    public long checkpointedOffset() {
        return checkpointedOffset;
    }

    private void open() {
        if (!batchOpen) {
            // One transaction in flight at a time: if the previous one failed, a later one must not land,
            // or its checkpoint would skip the failed writes.
            drain();
            writer.write(new byte[][] {MULTI}, -1);
            batchOpen = true;
            batchWrites = 0;
            batchBytes = 0;
        }
    }

    private void close() {
        writeCheckpoint(Checkpoint.stream(new ReplicationOffset(replId, lastOffset), sourceDb.getAsInt(), ownsTarget));
        writer.write(new byte[][] {EXEC}, lastOffset);
        batchOpen = false;
        batchWrites = 0;
        batchBytes = 0;
        checkpointedOffset = lastOffset;
        checkpointedAt = clock.getAsLong();
    }

    private void drain() {
        try {
            writer.drain();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.ferry.FerryException("interrupted while waiting for the target", e);
        }
    }

    private void writeCheckpoint(Checkpoint checkpoint) {
        int db = writer.selectedDb();
        writer.select(CheckpointStore.DB, -1);
        writer.write(new byte[][] {SET, key, checkpoint.encode()}, -1);
        if (db >= 0) {
            writer.select(db, -1);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
