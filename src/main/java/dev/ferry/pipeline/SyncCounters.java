package dev.ferry.pipeline;

import dev.ferry.cluster.CrossSlotCounters;

import java.util.concurrent.atomic.LongAdder;

/** Live counters of one sync, written by the pipeline, read by progress reporting from any thread. */
public final class SyncCounters {

    public final LongAdder snapshotKeys = new LongAdder();
    public final LongAdder snapshotBytes = new LongAdder();
    public final LongAdder snapshotKeysRewritten = new LongAdder();
    public final LongAdder snapshotKeysSkipped = new LongAdder();
    public final LongAdder commandsForwarded = new LongAdder();
    /** Bytes read from the source's replication link, snapshot and stream, over every attempt. */
    public final LongAdder sourceBytes = new LongAdder();
    public final LongAdder commandsFiltered = new LongAdder();
    /** Key filter: writes touching keys inside and outside it, applied whole or dropped (--on-mixed-keys). */
    public final LongAdder commandsMixedKeys = new LongAdder();
    /** Two-way sync: source transactions dropped because the reverse task applied them. */
    public final LongAdder transactionsLooped = new LongAdder();
    /** Two-way sync: keys written on both sides within a few seconds (ConflictWatch). */
    public final LongAdder conflicts = new LongAdder();
    /** Writes passed over at a restart because the target had refused them ({@code --skip-refused}). */
    public final LongAdder refusedSkipped = new LongAdder();
    /** Into a cluster target: writes split per slot, emulated across slots, source transactions applied per slot. */
    public final CrossSlotCounters crossSlot = new CrossSlotCounters();
    /** End-to-end lag, from the heartbeat. */
    public final HeartbeatLag lag = new HeartbeatLag();

    /** Forgets the previous snapshot's numbers: a full resync copies the data set again. */
    public void resetSnapshot() {
        snapshotKeys.reset();
        snapshotBytes.reset();
        snapshotKeysRewritten.reset();
        snapshotKeysSkipped.reset();
    }
}
