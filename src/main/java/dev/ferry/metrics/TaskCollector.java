package dev.ferry.metrics;

import dev.ferry.cluster.CrossSlotCounters;
import dev.ferry.pipeline.SyncCounters;
import dev.ferry.task.SyncTask;
import dev.ferry.task.TaskState;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The {@code ferry_*} metrics of every task of the process, read at scrape time from what the tasks count anyway
 * ({@link SyncCounters}, the {@link SyncTask} getters): nothing is added to the path of a write. Each point carries
 * the labels {@code task} and {@code shard}. Called by the exporter's threads; reads only thread-safe state.
 */
final class TaskCollector implements MultiCollector {

    static final String STATE = "ferry_task_state";
    static final String SHARD_INFO = "ferry_shard_info";
    static final String SNAPSHOT_KEYS = "ferry_snapshot_keys_copied";
    static final String SNAPSHOT_KEYS_EXPECTED = "ferry_snapshot_keys_expected";
    static final String SNAPSHOT_BYTES = "ferry_snapshot_bytes_copied";
    static final String LAG = "ferry_lag_milliseconds";
    static final String OFFSET_LAG = "ferry_offset_lag_bytes";
    static final String SPOOL = "ferry_spool_bytes";
    static final String SPOOL_LIMIT = "ferry_spool_limit_bytes";
    static final String WRITES = "ferry_writes_forwarded";
    static final String FILTERED = "ferry_writes_filtered";
    static final String SOURCE_BYTES = "ferry_source_read_bytes";
    static final String RETRIES = "ferry_retries";
    static final String FULL_RESYNCS = "ferry_full_resyncs";
    static final String PARTIAL_RESYNCS = "ferry_partial_resyncs";
    static final String CROSS_SLOT = "ferry_cross_slot_writes";
    static final String CONFLICTS = "ferry_conflicts";

    private final Supplier<List<MeteredTask>> tasks;
    private final SourceOffsets offsets;

    TaskCollector(Supplier<List<MeteredTask>> tasks, SourceOffsets offsets) {
        this.tasks = tasks;
        this.offsets = offsets;
    }

    @Override
    public MetricSnapshots collect() {
        Families f = declare();
        for (MeteredTask task : tasks.get()) {
            for (SyncTask shard : task.shards().get()) {
                collect(f, task.id(), shard);
            }
        }
        return f.build();
    }

    private static Families declare() {
        return new Families()
                .gauge(STATE, "1 for the state the task's shard is in (label state), 0 for the others.")
                .gauge(SHARD_INFO, "The source master a shard reads now (label source, host:port); always 1.")
                .gauge(SNAPSHOT_KEYS, "Keys the current snapshot has copied (back to 0 at a full resync).")
                .gauge(SNAPSHOT_KEYS_EXPECTED, "Keys the source held when the task started, when known.")
                .gauge(SNAPSHOT_BYTES, "Bytes of keys and values the current snapshot has copied.")
                .gauge(LAG, "End-to-end lag in ms: the age of the oldest heartbeat the target has not acknowledged.")
                .gauge(OFFSET_LAG, "Source master_repl_offset (read every few seconds) minus the offset the target"
                        + " acknowledged, in bytes.")
                .gauge(SPOOL, "Bytes read from the source and not yet parsed (memory and disk).")
                .gauge(SPOOL_LIMIT, "Disk the spool may use (--spool-size), in bytes.")
                .counter(WRITES, "Stream writes forwarded to the target.")
                .counter(FILTERED, "Stream writes left out by a filter (keys, databases, PUBLISH).")
                .counter(SOURCE_BYTES, "Bytes read from the source's replication link, snapshot and stream.")
                .counter(RETRIES, "Retries after a lost connection.")
                .counter(FULL_RESYNCS, "Full resyncs (snapshots), the first one included.")
                .counter(PARTIAL_RESYNCS, "Partial resyncs: the source continued the stream from a checkpoint.")
                .counter(CROSS_SLOT, "Into a cluster target: writes over several slots split per slot (kind split),"
                        + " emulated (emulated), source transactions applied per slot (transaction).")
                .counter(CONFLICTS, "Two-way sync: keys written on both sides within a few seconds.");
    }

    private void collect(Families f, String task, SyncTask shard) {
        Labels labels = Labels.of("task", task, "shard", shard.id());
        TaskState now = shard.state();
        for (TaskState s : TaskState.values()) {
            f.set(STATE, labels.add("state", stateName(s)), s == now ? 1 : 0);
        }
        f.set(SHARD_INFO, labels.add("source", shard.source().address()), 1);
        SyncCounters c = shard.counters();
        f.set(SNAPSHOT_KEYS, labels, c.snapshotKeys.sum());
        setKnown(f, SNAPSHOT_KEYS_EXPECTED, labels, shard.sourceKeys());
        f.set(SNAPSHOT_BYTES, labels, c.snapshotBytes.sum());
        setKnown(f, LAG, labels, shard.lagMillis());
        long source = offsets.offset(shard.source());
        long applied = shard.appliedOffset();
        if (source >= 0 && applied >= 0) {
            // Read a few seconds apart: the target may be ahead of the offset last read.
            f.set(OFFSET_LAG, labels, Math.max(0, source - applied));
        }
        f.set(SPOOL, labels, shard.spooled());
        f.set(SPOOL_LIMIT, labels, shard.options().spoolSize());
        f.count(WRITES, labels, c.commandsForwarded.sum());
        f.count(FILTERED, labels, c.commandsFiltered.sum());
        f.count(SOURCE_BYTES, labels, c.sourceBytes.sum());
        f.count(RETRIES, labels, shard.retries());
        f.count(FULL_RESYNCS, labels, shard.fullResyncs());
        f.count(PARTIAL_RESYNCS, labels, shard.partialResyncs());
        CrossSlotCounters.Snapshot cross = c.crossSlot.snapshot();
        f.count(CROSS_SLOT, labels.add("kind", "split"), sum(cross.split().values(), Long::longValue));
        f.count(CROSS_SLOT, labels.add("kind", "emulated"), sum(cross.emulated().values(), Long::longValue));
        f.count(CROSS_SLOT, labels.add("kind", "transaction"), cross.transactions());
        f.count(CONFLICTS, labels, c.conflicts.sum());
    }

    /** A value the task reports as -1 while unknown: no point then, rather than a made-up number. */
    private static void setKnown(Families f, String name, Labels labels, long value) {
        if (value >= 0) {
            f.set(name, labels, value);
        }
    }

    /** "streaming", "precheck-failed": the names the states use. */
    static String stateName(TaskState s) {
        return s.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static <T> long sum(java.util.Collection<T> values, ToLongFunction<T> value) {
        return values.stream().mapToLong(value).sum();
    }
}
