package dev.ferry.pipeline;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Live counters of one sync, written by the pipeline, read by progress reporting from any thread. */
public final class SyncCounters {

    public final LongAdder snapshotKeys = new LongAdder();
    public final LongAdder snapshotBytes = new LongAdder();
    public final LongAdder snapshotKeysRewritten = new LongAdder();
    public final LongAdder snapshotKeysSkipped = new LongAdder();
    public final LongAdder commandsForwarded = new LongAdder();
    public final LongAdder commandsFiltered = new LongAdder();
    /** Key filter: writes touching keys inside and outside it, applied whole or dropped (--on-mixed-keys). */
    public final LongAdder commandsMixedKeys = new LongAdder();
    /** Two-way sync: source transactions dropped because the reverse task applied them. */
    public final LongAdder transactionsLooped = new LongAdder();
    /** Two-way sync: keys written on both sides within a few seconds (ConflictWatch). */
    public final LongAdder conflicts = new LongAdder();
    /** Heartbeat lag: source write time to target acknowledgement, in ms; -1 until measured. */
    public final AtomicLong lagMillis = new AtomicLong(-1);
    /** When the last heartbeat reached the target (epoch ms), 0 if none yet. */
    public final AtomicLong lastHeartbeatAppliedAt = new AtomicLong();
}
