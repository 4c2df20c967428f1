package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.ThreadFailure;
import dev.ferry.cluster.ClusterDatabases;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.cluster.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Copies a Redis Cluster source into a standalone target or into a cluster target (each task writing through
 * its own {@link dev.ferry.sink.ClusterWriter}, which follows the target's own changes): one {@link SyncTask} per master, each a replica
 * of its master with its own checkpoint ({@code __ferry:cp:<task>} names the master), so each resumes,
 * retries and applies exactly once on its own. Masters hold disjoint slots, so their writes never touch
 * the same key and need no ordering between them. Each task owns its master's slots on the target: the
 * empty-target check, a flush after a backlog gap and a master's {@code FLUSHALL} concern only the keys
 * of those slots. If one task fails, the others are stopped cleanly and the failure is reported.
 *
 * <p>With {@code --two-way}, each master's task is named {@code <this task's id>.<8 hex digits>} ({@link
 * dev.ferry.pipeline.PeerMarks#memberId}), so that the reverse direction, which derives this task's id from the
 * addresses, recognises the checkpoint marks of all of them.
 *
 * <p>A failover of a source master is followed ({@link ClusterShardLocator}): the task continues on the replica that
 * took over, from its checkpoint, with a partial resync when that node's backlog covers the gap. Not followed yet:
 * slots moving between the source's masters (resharding), which stops the sync saying so.
 */
public final class ClusterSyncTask {

    private static final Logger log = LoggerFactory.getLogger(ClusterSyncTask.class);

    private final SyncOptions options;
    private final Consumer<String> status;
    private final List<SyncTask> shards = new ArrayList<>();
    private final List<RedisEndpoint> masters = new ArrayList<>();
    private volatile boolean stopRequested;

    /**
     * @param status where a one-line summary goes every few seconds, or null for none
     */
    public ClusterSyncTask(SyncOptions options, Consumer<String> status) {
        this.options = options;
        this.status = status;
    }

    /** Runs one task per master until all are stopped or finished, or one fails. */
    public void run() {
        Topology topology = Topology.discover(options.source());
        if (!topology.isCluster()) {
            throw new FerryException("source " + options.source().address() + " is not a Redis Cluster node");
        }
        if (!topology.uncoveredRanges().isEmpty()) {
            int[] r = topology.uncoveredRanges().get(0);
            throw new FerryException("source cluster " + options.source().address() + ": slots " + r[0] + "-" + r[1]
                    + " are served by no master; fix the cluster first");
        }
        checkDatabases(topology.masters().get(0));
        // Two-way: the masters' tasks are named after this cluster task, whose id the reverse direction derives.
        String pair = options.twoWay() ? SyncTask.taskId(options) : null;
        String peer = options.twoWay() ? SyncTask.peerTaskId(options) : null;
        if (options.twoWay()) {
            log.info("two-way: this task is {} (one task per master, {}.<8 hex digits>); transactions the reverse task {}"
                    + " applied to the source are not sent back", pair, pair, peer);
        }
        synchronized (this) {
            if (stopRequested) {
                return;
            }
            for (RedisEndpoint master : topology.masters()) {
                BitSet slots = topology.slotsOf(master);
                masters.add(master);
                SyncOptions shard = pair == null ? options.forShard(master, slots)
                        : options.forShard(master, slots, pair, peer);
                SyncTask task = new SyncTask(shard, null);
                // A failover moves the task to the replica that took over; a resharding stops it, saying so.
                task.followSource(new ClusterShardLocator(slots, topology.nodes()));
                shards.add(task);
            }
        }
        log.info("cluster source {}: {} masters, one task each", options.source().address(), masters.size());
        AtomicReference<FerryException> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            SyncTask shard = shards.get(i);
            RedisEndpoint master = masters.get(i);
            Thread t = new Thread(() -> {
                try {
                    shard.run();
                } catch (Throwable died) {
                    FerryException e = ThreadFailure.of(Thread.currentThread().getName(), died);
                    if (failure.compareAndSet(null, new FerryException("master " + shard.source().address() + ": " + e.getMessage(), e))) {
                        stop();
                    }
                }
            }, "ferry-shard-" + master.address());
            threads.add(t);
            t.start();
        }
        long nextStatus = System.currentTimeMillis() + options.progressInterval().toMillis() * 5;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stop();
                    throw new FerryException("interrupted", e);
                }
                if (status != null && !options.progressInterval().isZero() && System.currentTimeMillis() >= nextStatus) {
                    status.accept(statusLine());
                    nextStatus = System.currentTimeMillis() + options.progressInterval().toMillis() * 5;
                }
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /**
     * Refuses {@code --dbs} past the source cluster's databases: one for a Redis Cluster, {@code cluster-databases}
     * for Valkey 9, as
     * the first master says (a cluster's masters are configured alike).
     */
    private void checkDatabases(RedisEndpoint master) {
        if (options.dbs() == null) {
            return;
        }
        int count;
        try (RedisConnection conn = RedisConnection.open(master)) {
            count = ClusterDatabases.count(conn);
        }
        List<Integer> missing = options.dbs().stream().filter(db -> db >= count).sorted().toList();
        if (!missing.isEmpty()) {
            throw new FerryException("source cluster " + options.source().address() + " has " + (count == 1
                    ? "database 0 only" : count + " databases (0-" + (count - 1) + ", cluster-databases)") + ": --dbs "
                    + missing.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","))
                    + " does not exist there");
        }
    }

    /** Asks every master's task to stop: each flushes what it read, then {@link #run()} returns. */
    public synchronized void stop() {
        stopRequested = true;
        for (SyncTask shard : shards) {
            shard.stop();
        }
    }

    /** One task per master, in the order of {@link #masters()}; empty before {@link #run()} discovers them. */
    public synchronized List<SyncTask> shards() {
        return List.copyOf(shards);
    }

    /** The master each task reads from now (after a failover, the node that took over), in the order of {@link #shards()}. */
    public synchronized List<RedisEndpoint> masters() {
        return shards.isEmpty() ? List.copyOf(masters) : shards.stream().map(SyncTask::source).toList();
    }

    /** Keys the snapshots copied so far, over all masters. */
    public long snapshotKeys() {
        return shards().stream().mapToLong(s -> s.counters().snapshotKeys.sum()).sum();
    }

    /** Stream writes forwarded so far, over all masters. */
    public long commandsForwarded() {
        return shards().stream().mapToLong(s -> s.counters().commandsForwarded.sum()).sum();
    }

    private String statusLine() {
        StringBuilder sb = new StringBuilder("ferry: cluster sync, ").append(masters.size()).append(" masters: ");
        List<SyncTask> all = shards();
        long maxLag = -1;
        boolean unknownLag = false;
        for (int i = 0; i < all.size(); i++) {
            SyncTask s = all.get(i);
            long lag = s.lagMillis();
            sb.append(i == 0 ? "" : ", ").append(s.source().address()).append(' ')
                    .append(s.state().name().toLowerCase(java.util.Locale.ROOT))
                    .append(" (lag ").append(lag >= 0 ? lag + " ms" : "unknown").append(')');
            unknownLag |= lag < 0;
            maxLag = Math.max(maxLag, lag);
        }
        sb.append("; ").append(snapshotKeys()).append(" keys copied, ").append(commandsForwarded()).append(" writes forwarded");
        sb.append(", largest lag ").append(maxLag >= 0 ? maxLag + " ms" : "unknown")
                .append(unknownLag && maxLag >= 0 ? " (unknown for some masters)" : "");
        return sb.toString();
    }
}
