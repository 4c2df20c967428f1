package dev.ferry.server;

import dev.ferry.cluster.Topology;
import dev.ferry.task.ClusterSyncTask;
import dev.ferry.task.SyncOptions;
import dev.ferry.task.SyncTask;
import dev.ferry.task.TaskState;

import java.util.List;

/**
 * The engine of one server task: a {@link SyncTask} for a standalone source, a {@link ClusterSyncTask} (one
 * SyncTask per master) for a cluster. {@link #run} blocks; the other methods may be called from any thread.
 */
final class Engine {

    private final SyncOptions options;
    private volatile SyncTask single;
    private volatile ClusterSyncTask cluster;
    private volatile boolean stopRequested;

    Engine(SyncOptions options) {
        this.options = options;
    }

    /** Runs until stopped, finished or failed ({@link dev.ferry.FerryException}). */
    void run() {
        if (Topology.discover(options.source()).isCluster()) {
            ClusterSyncTask task = new ClusterSyncTask(options, null);
            cluster = task;
            if (stopRequested) {
                return;
            }
            task.run();
        } else {
            SyncTask task = new SyncTask(options, null);
            single = task;
            if (stopRequested) {
                return;
            }
            task.run();
        }
    }

    void stop() {
        stopRequested = true;
        SyncTask s = single;
        ClusterSyncTask c = cluster;
        if (s != null) {
            s.stop();
        }
        if (c != null) {
            c.stop();
        }
    }

    /** The tasks reading the source now: one, or one per master of a cluster (none before they start). */
    List<SyncTask> shards() {
        SyncTask s = single;
        ClusterSyncTask c = cluster;
        return s != null ? List.of(s) : c != null ? c.shards() : List.of();
    }

    /**
     * The state of the whole: retrying if a master's task retries, in the snapshot while one copies it, streaming
     * when all stream; null before any task runs.
     */
    TaskState state() {
        List<SyncTask> shards = shards();
        if (shards.isEmpty()) {
            return null;
        }
        if (shards.stream().anyMatch(SyncTask::leaseLapsed)) {
            // Not streaming whatever the link says: nothing is applied until the lease is renewed (or found lost).
            return TaskState.RETRYING;
        }
        for (TaskState worst : List.of(TaskState.FAILED, TaskState.RETRYING, TaskState.PRECHECKING, TaskState.SNAPSHOT)) {
            if (shards.stream().anyMatch(s -> s.state() == worst || worst == TaskState.PRECHECKING
                    && s.state() == TaskState.CREATED)) {
                return worst;
            }
        }
        return shards.get(0).state();
    }

    /** Keys of the snapshot applied so far, and the keys the source held (-1 when not known yet). */
    long[] snapshotProgress() {
        long done = 0;
        long total = 0;
        for (SyncTask s : shards()) {
            done += s.counters().snapshotKeys.sum();
            total = s.sourceKeys() < 0 || total < 0 ? -1 : total + s.sourceKeys();
        }
        return new long[] {done, total};
    }
}
