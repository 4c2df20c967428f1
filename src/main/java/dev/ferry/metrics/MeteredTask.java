package dev.ferry.metrics;

import dev.ferry.task.ClusterSyncTask;
import dev.ferry.task.SyncTask;

import java.util.List;
import java.util.function.Supplier;

/**
 * A task as the metrics see it: its id (label {@code task}) and the per-master tasks it runs now (label {@code shard}:
 * each one's own id). A standalone source is one shard, named like its task; a cluster source has one per master.
 * Read at scrape time, from the scraping thread.
 */
public record MeteredTask(String id, Supplier<List<SyncTask>> shards) {

    /** A task reading one server. */
    public static MeteredTask of(SyncTask task) {
        return new MeteredTask(task.id(), () -> List.of(task));
    }

    /** A task reading a Redis Cluster: one shard per master, as {@link ClusterSyncTask#shards()} lists them now. */
    public static MeteredTask of(ClusterSyncTask task) {
        return new MeteredTask(task.id(), task::shards);
    }
}
