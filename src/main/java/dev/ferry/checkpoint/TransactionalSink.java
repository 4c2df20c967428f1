package dev.ferry.checkpoint;

import dev.ferry.MemoryBudget;
import dev.ferry.cluster.CrossSlotCounters;
import dev.ferry.cluster.CrossSlotPlan;
import dev.ferry.resp.SpilledBulk;
import dev.ferry.sink.CommandName;
import dev.ferry.sink.TargetWriter;
import dev.ferry.sink.WriteSink;
import dev.ferry.source.ReplicationOffset;

import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Applies the stream in transactions that carry their own checkpoint: {@code MULTI}, the batch's
 * writes, {@code SET __ferry:cp:<task> <position>}, {@code EXEC}. The target applies a batch and the
 * position after it together or not at all, so a restarted task resumes exactly after the last applied
 * write: nothing twice, nothing skipped, whatever the write (INCR, LPUSH, XADD with automatic IDs...).
 *
 * <p>Only one transaction is in flight at a time: a pipelined successor of a failed transaction could
 * land (a full target may have room again a moment later) and its checkpoint would then skip the
 * failed writes. Writes are therefore group-committed: they collect while a transaction is in flight
 * and go as the next one as soon as it is acknowledged, when the source is idle, or at
 * {@code maxBatch} writes or 8 MiB, or when the process's {@link MemoryBudget} has no room for the
 * batch. Under load batches grow; when quiet, a write waits one round trip.
 * The source's own {@code MULTI}/{@code EXEC} blocks are unwrapped into a batch (Redis does not nest
 * transactions) and never split, so their atomicity is kept. While the source only sends pings and
 * heartbeats, a checkpoint-only transaction records progress once a second.
 *
 * <p>On a cluster target ({@link #slotTransactions}) a batch goes as one transaction per slot, each with that
 * slot's checkpoint ({@link SlotCommit}), and a base checkpoint ({@link ControlKeys}) says where every slot
 * is at least: the end of the previous batch, all of whose transactions are acknowledged when the next one
 * goes. Only one batch is in flight, so one transaction per slot; a source transaction spanning slots is
 * applied per slot (counted). A command emulated across slots cuts the batch ({@link SlotCommit}).
 *
 * <p>Before {@link #startStream} (the snapshot phase) writes go to the target unwrapped.
 * Called by one producer thread.
 */
public final class TransactionalSink implements WriteSink {

    private static final byte[] MULTI = ascii("MULTI");
    private static final byte[] EXEC = ascii("EXEC");
    private static final byte[] SET = ascii("SET");
    private static final byte[] SELECT = ascii("SELECT");
    private static final long IDLE_CHECKPOINT_MS = 1000;
    /** Queued commands wait in the target's memory until EXEC: bound a batch in bytes too. */
    private static final long MAX_BATCH_BYTES = 8L << 20;
    /** How long a snapshot write waits for the lease to be renewed before the attempt counts as lost. */
    private static final java.time.Duration LEASE_WAIT = java.time.Duration.ofSeconds(30);

    private final TargetWriter writer;
    private final byte[] key;
    private final int maxBatch;
    private final LongSupplier clock;
    private final MemoryBudget.Account memory;
    /** Heap the pending writes hold, taken from {@link #memory}; at the open source transaction's start. */
    private long pendingHeap;
    private long sourceTransactionHeap;
    private boolean overBudget;
    private IntSupplier sourceDb = () -> -1;
    private boolean ownsTarget;

    private boolean streaming;
    private String replId;
    private long lastOffset = -1;
    /** The offset after the last write applied to the target (a transaction with writes); -1 before the stream. */
    private long dataOffset = -1;
    private TaskLease lease;
    /** Writes after the resume position already applied up to here (-1: none), and whether the first is retried. */
    private long appliedThrough = -1;
    private long retryAfter = -1;
    private final java.util.ArrayList<Queued> pending = new java.util.ArrayList<>();
    /**
     * Where the writes of the transaction in flight come from, in the order queued after its MULTI: the
     * offset before each one's source command and its database. Positions only: the writes themselves
     * belong to the writer's window, and to nothing once acknowledged.
     */
    private long[] sentStarts = new long[0];
    private int[] sentDbs = new int[0];
    private long pendingBytes;
    private int pendingDb = -1;
    private long inFlightOffset = -1;
    private boolean inSourceTransaction;
    /** Where the open source transaction starts in {@link #pending}, to drop it whole (two-way sync). */
    private int sourceTransactionStart;
    private long sourceTransactionBytes;
    private int sourceTransactionDb;
    private boolean discardingSourceTransaction;
    private long checkpointedOffset = -1;
    private long sentEnd = -1;
    private long checkpointedAt;
    /** On a cluster target: the per-slot transactions, the base checkpoint's offset, and where the last batch ended. */
    private SlotCommit slotCommit;
    /** Two-way sync into a cluster: this task's phases told to every master; else null. */
    private PhaseMarks phaseMarks;
    private long baseOffset = -1;
    private long batchEnd = -1;
    private int batchEndDb = -1;

    public TransactionalSink(TargetWriter writer, CheckpointStore store, int maxBatch, LongSupplier clock) {
        this(writer, store, maxBatch, clock, MemoryBudget.unlimited().open());
    }

    /** @param memory the budget the pending batch is held in */
    public TransactionalSink(TargetWriter writer, CheckpointStore store, int maxBatch, LongSupplier clock,
                             MemoryBudget.Account memory) {
        this.memory = memory;
        if (maxBatch <= 0) {
            throw new IllegalArgumentException("maxBatch: " + maxBatch + " (expected: > 0)");
        }
        this.writer = writer;
        this.key = store.key();
        this.maxBatch = maxBatch;
        this.clock = clock;
    }

    /**
     * Guards every transaction with the task's lease ({@link TaskLease#guard()}) and holds writes outside
     * transactions back while the lease is not known to be valid. Without this call, nothing is guarded.
     */
    public void lease(TaskLease lease) {
        this.lease = lease;
    }

    /**
     * On a cluster target: stream writes are split per slot by {@code router} and applied as checkpointed
     * transactions per slot; {@code slots} says what each slot applied before a restart, and is kept up to date.
     * Commands emulated across slots read the target through {@code reads} of the target database they write in
     * (on the producer thread); splits, emulations and source transactions applied per slot are counted in
     * {@code counters}. Each write goes to the target database selected when it came (Valkey 9's
     * {@code cluster-databases}); the slots' checkpoints stay in {@link CheckpointStore#DB}.
     */
    public void slotTransactions(SlotWrites router, SlotCheckpoints slots, IntFunction<CrossSlotPlan.Reads> reads,
                                 CrossSlotCounters counters) {
        if (!(writer instanceof dev.ferry.sink.ClusterWriter cluster)) {
            throw new IllegalStateException("slot transactions need a cluster writer");
        }
        slotCommit = new SlotCommit(cluster, router, slots, reads, counters, memory);
    }

    /**
     * Two-way sync into a cluster target ({@link #slotTransactions} first): each master is told, by the checkpoint of
     * one of its slots ({@code oneSlotPerMaster}), when a snapshot starts and when the stream starts or resumes, for
     * the reverse direction, which reads the masters apart ({@link PhaseMarks}).
     */
    public void phaseMarks(int[] oneSlotPerMaster) {
        if (slotCommit == null) {
            throw new IllegalStateException("phase marks need slot transactions");
        }
        phaseMarks = new PhaseMarks(writer, slotCommit.slots(), oneSlotPerMaster);
    }

    /**
     * The stream resumes at a position after which writes are already applied up to {@code through}
     * ({@link Checkpoint#appliedThrough()}): the checkpoints written until the stream passes it keep saying
     * so, and keep saying that the first write is to be retried until a batch includes it.
     */
    public void resumeApplied(long through, boolean retryFirst, long position) {
        this.appliedThrough = through;
        this.retryAfter = retryFirst ? position : -1;
    }

    /** Where the source database of the current stream position comes from (the replayer tracks it). */
    public void sourceDb(IntSupplier supplier) {
        this.sourceDb = supplier;
    }

    /**
     * A full resync starts: records that the target now holds a partial snapshot, after emptying the
     * databases the task owns when {@code flush} says so, in one transaction (on a cluster target, the flush
     * goes to every master just before it).
     *
     * @param flushCommands commands that empty the owned databases (FLUSHDB per database, or FLUSHALL); may be empty
     */
    public void beginSnapshot(ReplicationOffset start, boolean owns, byte[][]... flushCommands) {
        streaming = false;
        ownsTarget = owns;
        replId = start.replId();
        appliedThrough = -1;
        retryAfter = -1;
        if (slotCommit != null) {
            slotCommit.slots().clear();
        }
        if (writer.isCluster()) {
            if (phaseMarks != null) {
                phaseMarks.snapshot(Checkpoint.snapshot(start, owns));
            }
            // A cluster runs a transaction on one slot: the flush reaches every master before it.
            for (byte[][] flush : flushCommands) {
                writer.write(flush, -1);
            }
        }
        beginTransaction();
        for (byte[][] flush : writer.isCluster() ? new byte[0][][] : flushCommands) {
            writer.write(flush, -1);
        }
        if (!writer.isCluster() && flushCommands.length > 0 && lease != null) {
            // The flush emptied database 0 too, lease and fence with it: set back as they were, in the same
            // transaction, so that the next guard finds this process's lease and the fence it holds.
            writeInDb0(lease.afterFlush());
        }
        writeCheckpoint(Checkpoint.snapshot(start, owns));
        writer.write(new byte[][] {EXEC}, -1);
    }

    /** A full resync starts whose snapshot is not copied ({@code --mode incremental}): nothing is written. */
    public void skipSnapshot(ReplicationOffset start) {
        streaming = false;
        replId = start.replId();
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
        // What came before the start may have been applied: only later offsets are known to hold no write.
        dataOffset = position.offset();
        streaming = true;
        pending.clear();
        pendingBytes = 0;
        releasePendingMemory();
        inSourceTransaction = false;
        discardingSourceTransaction = false;
        if (phaseMarks != null) {
            // Applied before the base checkpoint says the stream started: no master is left saying "snapshot" behind it.
            phaseMarks.streaming(position, db);
            drain();
        }
        // Marks the snapshot complete (or confirms the resume point) before any stream write.
        beginTransaction();
        writeCheckpoint(streamCheckpoint(position, db));
        writer.write(new byte[][] {EXEC}, position.offset());
        pendingDb = writer.selectedDb();
        inFlightOffset = position.offset();
        checkpointedOffset = position.offset();
        checkpointedAt = clock.getAsLong();
        baseOffset = position.offset();
        batchEnd = position.offset();
        batchEndDb = db;
        writer.flush();
    }

    @Override
    public void write(byte[][] argv, long sourceOffset) {
        if (!streaming) {
            if (lease != null) {
                lease.awaitValid(LEASE_WAIT);
            }
            writer.write(argv, sourceOffset);
            return;
        }
        CommandName name = argv.length == 1 ? CommandName.of(argv[0]) : CommandName.OTHER;
        if (name == CommandName.MULTI) {
            inSourceTransaction = true;
            sourceTransactionStart = pending.size();
            sourceTransactionBytes = pendingBytes;
            sourceTransactionHeap = pendingHeap;
            sourceTransactionDb = pendingDb;
        } else if (name == CommandName.EXEC) {
            if (slotCommit != null && inSourceTransaction && !discardingSourceTransaction) {
                slotCommit.sourceTransaction(pending.subList(sourceTransactionStart, pending.size()));
            }
            inSourceTransaction = false;
            discardingSourceTransaction = false;
        } else if (!discardingSourceTransaction) {
            // A write's end: its own offset, or (sent without one) somewhere after the last offset seen.
            add(argv, sourceOffset >= 0 ? sourceOffset : lastOffset + 1);
        }
        if (sourceOffset >= 0) {
            lastOffset = sourceOffset;
        }
        commitIfDue(false);
    }

    /**
     * Drops the source transaction being read: what it wrote so far and whatever it writes until its
     * {@code EXEC}. Two-way sync calls this for a transaction that carries the reverse task's mark, a
     * batch that task applied here: sending it back would loop. The dropped part may have changed the
     * database: the caller selects the one the source's current database lands in.
     */
    public void discardSourceTransaction() {
        if (!streaming || !inSourceTransaction) {
            return;
        }
        pending.subList(sourceTransactionStart, pending.size()).clear();
        pendingBytes = sourceTransactionBytes;
        memory.release(pendingHeap - sourceTransactionHeap);
        pendingHeap = sourceTransactionHeap;
        pendingDb = sourceTransactionDb;
        discardingSourceTransaction = true;
    }

    @Override
    public void select(int db, long sourceOffset) {
        if (!streaming) {
            writer.select(db, sourceOffset);
            return;
        }
        if (db != pendingDb) {
            if (slotCommit == null) {
                // On a cluster target each write carries its database instead (the slot transactions select it).
                add(new byte[][] {SELECT, ascii(Integer.toString(db))}, lastOffset + 1);
            }
            pendingDb = db;
        }
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
        if (pending.isEmpty() && !inSourceTransaction) {
            writer.advance(sourceOffset);
        }
    }

    @Override
    public void flush() {
        if (streaming) {
            commitIfDue(true);
        }
        writer.flush();
    }

    /**
     * Ends the stream before a stop: commits what is pending, or drops it when it ends inside a source
     * transaction (its writes were not checkpointed, so a resumed task reads them again).
     */
    public void finish() {
        if (streaming && !pending.isEmpty()) {
            if (inSourceTransaction) {
                pending.clear();
                pendingBytes = 0;
                releasePendingMemory();
                inSourceTransaction = false;
                discardingSourceTransaction = false;
            } else {
                commit();
            }
        }
        writer.flush();
    }

    /**
     * Group commit: pending writes go to the target as one transaction as soon as the previous one is
     * acknowledged, or at once (waiting for it) when they reach the batch limits or the source is idle.
     */
    private void commitIfDue(boolean idle) {
        if (inSourceTransaction) {
            return;
        }
        if (pending.isEmpty()) {
            long recorded = slotCommit == null ? checkpointedOffset : baseOffset;
            if (idle && lastOffset > recorded && clock.getAsLong() - checkpointedAt >= IDLE_CHECKPOINT_MS) {
                commit();
            }
            return;
        }
        boolean full = pending.size() >= maxBatch || pendingBytes >= MAX_BATCH_BYTES || overBudget;
        if (idle || full || writer.ackedOffset() >= inFlightOffset) {
            commit();
        }
    }

    private void add(byte[][] argv, long end) {
        // The offset before the source command this write comes from, and its database: where to resume to retry it.
        long heap = 16;
        for (byte[] a : argv) {
            // A spilled argument counts whole: the target queues it whole until EXEC.
            pendingBytes += SpilledBulk.length(a);
            heap += a.length + 16;
        }
        pending.add(new Queued(argv, lastOffset, end, sourceDb.getAsInt(), heap, pendingDb));
        pendingHeap += heap;
        if (!memory.tryAcquire(heap)) {
            // Held anyway, and the batch goes at once: it waits for no more writes.
            memory.acquire(heap);
            overBudget = true;
        }
    }

    /** The pending writes go to the writer, which holds them in its own share of the budget, or are dropped. */
    private void releasePendingMemory() {
        memory.release(pendingHeap);
        pendingHeap = 0;
        overBudget = false;
    }

    private void commit() {
        // One transaction in flight at a time: if the previous one failed, a later one must not land,
        // or its checkpoint would skip the failed writes.
        drain();
        if (slotCommit != null) {
            commitPerSlot();
            return;
        }
        beginTransaction();
        // The batch's memory stays held until the target answers its EXEC: the transaction's commands live
        // until then (in the writer, and queued in the target), whatever their QUEUED replies say.
        writer.carry(pendingHeap);
        pendingHeap = 0;
        overBudget = false;
        writer.prepaid(true);
        try {
            for (Queued q : pending) {
                writer.write(q.argv, -1);
            }
        } finally {
            writer.prepaid(false);
        }
        if (!pending.isEmpty()) {
            dataOffset = lastOffset;
        }
        writeCheckpoint(streamCheckpoint(new ReplicationOffset(replId, lastOffset), sourceDb.getAsInt()));
        writer.write(new byte[][] {EXEC}, lastOffset);
        writer.flush();
        sentStarts = new long[pending.size()];
        sentDbs = new int[pending.size()];
        for (int i = 0; i < pending.size(); i++) {
            sentStarts[i] = pending.get(i).start;
            sentDbs[i] = pending.get(i).db;
        }
        sentEnd = lastOffset;
        pending.clear();
        pendingBytes = 0;
        pendingDb = writer.selectedDb();
        inFlightOffset = lastOffset;
        checkpointedOffset = lastOffset;
        checkpointedAt = clock.getAsLong();
    }

    /**
     * A cluster target: the base checkpoint moves to the end of the previous batch (acknowledged on every
     * slot now that the writer is drained; with nothing pending, to the current offset), then each slot with
     * writes gets its transaction. The slot transactions cannot watch the lease's fence, which lives on one
     * master: the lease's clock guards them.
     */
    private void commitPerSlot() {
        if (lease != null) {
            lease.checkValid();
        }
        int db = sourceDb.getAsInt();
        long base = pending.isEmpty() ? lastOffset : batchEnd;
        int baseDb = pending.isEmpty() ? db : batchEndDb;
        if (base > baseOffset) {
            beginTransaction();
            writeCheckpoint(streamCheckpoint(new ReplicationOffset(replId, base), baseDb));
            writer.write(new byte[][] {EXEC}, -1);
            baseOffset = base;
        }
        if (!pending.isEmpty()) {
            dataOffset = lastOffset;
        }
        long carried = slotCommit.send(pending, new ReplicationOffset(replId, lastOffset), db);
        memory.release(pendingHeap - carried);
        pendingHeap = 0;
        overBudget = false;
        writer.advance(lastOffset);
        writer.flush();
        batchEnd = lastOffset;
        batchEndDb = db;
        pending.clear();
        pendingBytes = 0;
        inFlightOffset = lastOffset;
        checkpointedOffset = lastOffset;
        checkpointedAt = clock.getAsLong();
    }

    /**
     * After the target refused the write at {@code index} of the transaction in flight (counted after its
     * {@code MULTI}) and applied the others, checkpoint included: the checkpoint that says so, positioned
     * just before the refused write, which a restart applies again before passing over the rest; or null
     * when the index is not one of the stream's writes. Call once the producer thread has stopped.
     */
    public Checkpoint refusedWrite(int index) {
        if (index < 0 || index >= sentStarts.length || sentStarts[index] < 0) {
            return null;
        }
        return Checkpoint.stream(new ReplicationOffset(replId, sentStarts[index]), sentDbs[index], ownsTarget)
                .withApplied(Math.max(sentEnd, appliedThrough), true);
    }

    /**
     * On a cluster target, after the target refused {@code refused} (the very array sent) inside a slot
     * transaction that applied the others: {@code {slot, source start offset, the slot's checkpoint offset}} of that
     * write, or null when it is
     * not one of the stream's writes. Call once the producer thread has stopped.
     */
    public long[] refusedSlotWrite(byte[][] refused) {
        return slotCommit == null || refused == null ? null : slotCommit.origin(refused);
    }

    /** The checkpoint for the stream at {@code position}, with the writes beyond it already applied, if any. */
    private Checkpoint streamCheckpoint(ReplicationOffset position, int db) {
        return Checkpoint.stream(position, db, ownsTarget)
                .withApplied(appliedThrough, retryAfter >= 0 && position.offset() <= retryAfter).withDataThrough(dataOffset);
    }

    /** {@code MULTI}, after the lease's guard when there is a lease. */
    private void beginTransaction() {
        if (lease != null) {
            writeInDb0(lease.guard());
        }
        writer.write(new byte[][] {MULTI}, -1);
    }

    /** {@code commands} in database 0, where the lease and the checkpoint live; then back to where the writer was. */
    private void writeInDb0(byte[][][] commands) {
        int db = writer.selectedDb();
        writer.select(CheckpointStore.DB, -1);
        for (byte[][] cmd : commands) {
            writer.write(cmd, -1);
        }
        if (db >= 0) {
            writer.select(db, -1);
        }
    }

    /** The offset of the last checkpoint sent (acknowledged or not), or -1. */
    public long checkpointedOffset() {
        return checkpointedOffset;
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
        writeInDb0(new byte[][][] {{SET, key, checkpoint.encode()}});
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A write waiting for its transaction, with the source positions before and after the command it comes from,
     * the source database there, and the target database it goes to (-1: the one the writer is in).
     */
    record Queued(byte[][] argv, long start, long end, int db, long heap, int targetDb) {
    }
}
