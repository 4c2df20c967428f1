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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private final List<Thread> threads = new ArrayList<>();
    private final Set<RedisEndpoint> knownNodes = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Set<SyncTask> retired = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicReference<FerryException> failure = new AtomicReference<>();
    private SourceOrdering ordering;
    private ShardRegistry registry;
    private String pair;
    private String peer;
    private volatile boolean stopRequested;
    /** How often the source's slot map is read to follow resharding. */
    private static final long TOPOLOGY_CHECK_MS = 1000;

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
        ordering = new SourceOrdering(topology, this::shards);
        // The tasks of an earlier run, found by their checkpoints' replication history though slots moved since.
        registry = ShardRegistry.of(options.target(), SyncTask.taskId(options));
        Map<RedisEndpoint, String> continued = registry.match(topology.masters());
        this.pair = pair;
        this.peer = peer;
        knownNodes.addAll(topology.nodes());
        synchronized (this) {
            if (stopRequested) {
                return;
            }
            for (RedisEndpoint master : topology.masters()) {
                BitSet slots = topology.slotsOf(master);
                masters.add(master);
                SyncOptions shard = pair == null ? options.forShard(master, slots) : options.forShard(master, slots, pair, peer);
                String earlier = continued.get(master);
                if (earlier != null && !earlier.equals(SyncTask.taskId(shard))) {
                    log.info("source master {} continues task {} of an earlier run (its slots changed since: now {})",
                            master.address(), earlier, SyncTask.ranges(slots));
                    shard = options.forContinuedShard(master, slots, pair, peer, earlier);
                }
                add(new SyncTask(shard, null), slots);
            }
        }
        log.info("cluster source {}: {} masters, one task each", options.source().address(), masters.size());
        long nextStatus = System.currentTimeMillis() + options.progressInterval().toMillis() * 5;
        long nextTopology = System.currentTimeMillis() + TOPOLOGY_CHECK_MS;
        Topology previous = topology;
        while (true) {
            List<Thread> running;
            synchronized (this) {
                running = threads.stream().filter(Thread::isAlive).toList();
            }
            if (running.isEmpty()) {
                break;
            }
            try {
                running.get(0).join(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new FerryException("interrupted", e);
            }
            if (failure.get() == null && !stopRequested && System.currentTimeMillis() >= nextTopology) {
                nextTopology = System.currentTimeMillis() + TOPOLOGY_CHECK_MS;
                try {
                    previous = follow(previous);
                } catch (RuntimeException e) {
                    // The tasks go on; the next reading of the slot map tries again.
                    log.warn("could not follow the source's slot map this time: {}", e.getMessage());
                }
            }
            if (status != null && !options.progressInterval().isZero() && System.currentTimeMillis() >= nextStatus) {
                status.accept(statusLine());
                nextStatus = System.currentTimeMillis() + options.progressInterval().toMillis() * 5;
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** Starts {@code task} for a master that serves {@code slots}, on a thread of its own (unless stopping). */
    private synchronized void add(SyncTask task, BitSet slots) {
        // A failover moves the task to the replica that took over; a resharding changes the slots it owns.
        task.followSource(new ClusterShardLocator(task::ownedSlots, knownNodes,
                node -> shards().stream().anyMatch(other -> other != task && node.equals(other.source()))));
        task.order(ordering.forTask(task));
        registry.add(task.id());
        shards.add(task);
        if (stopRequested) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                task.run();
            } catch (Throwable died) {
                FerryException e = ThreadFailure.of(Thread.currentThread().getName(), died);
                BitSet owned = task.ownedSlots();
                if (owned != null && owned.isEmpty() && !stopRequested && !(died instanceof Error)) {
                    // A master that gave all its slots away: Redis 7 makes it a replica of the node that took the
                    // last one (cluster-allow-replica-migration), so its stream breaks off with another history,
                    // often before the slot map shows it gone. Nothing of it is left to copy.
                    log.info("source master {} gave all its slots away ({}): its task ends", task.source().address(),
                            e.getMessage());
                    retired.add(task);
                    ordering.retired(task);
                    return;
                }
                if (failure.compareAndSet(null, new FerryException("master " + task.source().address() + ": " + e.getMessage(), e))) {
                    stop();
                }
            }
        }, "ferry-shard-" + task.source().address());
        threads.add(t);
        t.start();
    }

    /**
     * Reads the source's slot map and follows what changed since {@code previous}: slots that moved between masters
     * change owner (ordered by {@link SourceOrdering}), a master that joined gets a task, a master that left ends
     * its task. A failover is the tasks' own business ({@link ClusterShardLocator}). Returns the map read, or
     * {@code previous} when no node answers.
     */
    private Topology follow(Topology previous) {
        Topology now = null;
        List<String> nodesLines = null;
        for (RedisEndpoint node : List.copyOf(knownNodes)) {
            try (RedisConnection conn = RedisConnection.open(node, java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(2))) {
                now = Topology.read(conn);
                nodesLines = List.of(conn.callChecked("CLUSTER", "NODES").asText().split("\r?\n"));
                break;
            } catch (RuntimeException e) {
                log.debug("could not read the source's slot map from {}: {}", node.address(), e.getMessage());
            }
        }
        if (now == null) {
            return previous;
        }
        knownNodes.addAll(now.nodes());
        List<SyncTask> tasks = shards();
        Map<RedisEndpoint, Long> offsets = new HashMap<>();
        int movedSlots = 0;
        Map<String, Integer> moves = new java.util.TreeMap<>();
        for (int slot = 0; slot < dev.ferry.cluster.SlotHash.SLOTS; slot++) {
            RedisEndpoint before = previous.ownerOf(slot);
            RedisEndpoint after = now.ownerOf(slot);
            if (before == null || after == null || before.equals(after)) {
                continue;
            }
            SyncTask from = reading(tasks, before);
            SyncTask to = reading(tasks, after);
            if (from == null || to == null) {
                // A failover (the task follows its replica by itself) or a master Ferry has no task for yet.
                continue;
            }
            Long offset = offsets.computeIfAbsent(before, ClusterSyncTask::offsetOf);
            if (offset != null && offset >= 0) {
                ordering.moved(slot, from, offset);
            }
            movedSlots++;
            moves.merge(before.address() + " to " + after.address(), 1, Integer::sum);
        }
        Set<RedisEndpoint> live = liveMasters(nodesLines);
        for (SyncTask task : tasks) {
            // A master that gave every slot away is still a master, serving none; a dead one keeps its slots until
            // its task finds the replica that took over.
            if (now.masters().contains(task.source()) || live.contains(task.source())) {
                BitSet slots = now.slotsOf(task.source());
                if (!slots.equals(task.ownedSlots())) {
                    task.event(slots.isEmpty() ? "no slots any more" : "slots now " + SyncTask.ranges(slots));
                }
                task.ownedSlots(slots);
            }
        }
        ordering.view(now);
        if (movedSlots > 0) {
            moves.forEach((what, n) -> log.info("source resharding: {} slot(s) moved from {}: their keys are applied in"
                    + " the order they moved", n, what));
        }
        joinedAndLeft(tasks, now, nodesLines, live);
        return now;
    }

    /** The masters {@code CLUSTER NODES} lists as live, serving slots or not, by address. */
    private Set<RedisEndpoint> liveMasters(List<String> nodesLines) {
        Set<RedisEndpoint> live = new java.util.HashSet<>();
        for (String line : nodesLines) {
            String[] f = line.split(" ");
            if (isLiveMaster(f)) {
                live.add(address(f));
            }
        }
        return live;
    }

    private static boolean isLiveMaster(String[] f) {
        return f.length >= 8 && f[2].contains("master") && !f[2].contains("fail") && !f[2].contains("handshake")
                && !f[2].contains("noaddr");
    }

    /** The address of a {@code CLUSTER NODES} line ("id host:port@bus[,hostname] flags …"), with the seed's credentials. */
    private RedisEndpoint address(String[] f) {
        String address = f[1].contains("@") ? f[1].substring(0, f[1].indexOf('@')) : f[1];
        int colon = address.lastIndexOf(':');
        return options.source().withHostPort(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }

    /** A task for each master that joined (serving slots or not yet); the task of each master that left ends. */
    private void joinedAndLeft(List<SyncTask> tasks, Topology now, List<String> nodesLines, Set<RedisEndpoint> liveMasters) {
        for (String line : nodesLines) {
            String[] f = line.split(" ");
            if (!isLiveMaster(f)) {
                continue;
            }
            RedisEndpoint master = address(f);
            if (reading(tasks, master) == null && !now.masters().contains(master) || reading(tasks, master) == null
                    && isNewMaster(tasks, now, master)) {
                log.info("source master {} joined the cluster ({}): copying it too, from a snapshot of its own keys",
                        master.address(), now.slotsOf(master).isEmpty() ? "no slots yet" : "slots "
                        + SyncTask.ranges(now.slotsOf(master)));
                String label = "cluster master " + f[0];
                add(new SyncTask(options.forNewShard(master, label, pair, peer), null), now.slotsOf(master));
            }
        }
        for (SyncTask task : tasks) {
            if (liveMasters.contains(task.source()) || task.state() == TaskState.FINISHED || retired.contains(task)) {
                continue;
            }
            BitSet owned = task.ownedSlots();
            if (owned != null && !owned.isEmpty() && !movedToOtherTasks(tasks, task, now, owned)) {
                // Dead, its slots served by a node no task reads yet: a failover its task follows by itself.
                continue;
            }
            // Its slots went to other masters, then it left the cluster: nothing of it is left to copy.
            log.info("source master {} left the cluster after giving its slots away: its task ends", task.source().address());
            retired.add(task);
            ordering.retired(task);
            task.stop();
        }
    }

    /** Whether every slot of {@code owned} is served now by a master another task reads. */
    private static boolean movedToOtherTasks(List<SyncTask> tasks, SyncTask task, Topology now, BitSet owned) {
        for (int slot = owned.nextSetBit(0); slot >= 0; slot = owned.nextSetBit(slot + 1)) {
            SyncTask reader = reading(tasks, now.ownerOf(slot));
            if (reader == null || reader == task) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code master} serves slots no task's master served before: a new master, not a failover. */
    private static boolean isNewMaster(List<SyncTask> tasks, Topology now, RedisEndpoint master) {
        BitSet slots = now.slotsOf(master);
        for (SyncTask t : tasks) {
            BitSet owned = t.ownedSlots();
            if (owned != null && owned.intersects(slots) && !now.masters().contains(t.source())) {
                // Slots of a task whose master is no longer a master: its replica took over (a failover).
                return false;
            }
        }
        return true;
    }

    private static SyncTask reading(List<SyncTask> tasks, RedisEndpoint master) {
        for (SyncTask t : tasks) {
            if (master.equals(t.source())) {
                return t;
            }
        }
        return null;
    }

    /** The replication offset of {@code master} now, or null when it does not answer. */
    private static Long offsetOf(RedisEndpoint master) {
        try (RedisConnection conn = RedisConnection.open(master, java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(2))) {
            return dev.ferry.resp.ServerInfo.fetch(conn).getLong("master_repl_offset", -1);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Refuses --dbs beyond the databases the source cluster has (Valkey 9: cluster-databases). */
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

    /** The id of the whole task, derived from the command line like a {@link SyncTask}'s (its masters' tasks have their own). */
    public String id() {
        return SyncTask.taskId(options);
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
        StringBuilder sb = new StringBuilder("ferry: cluster sync, ").append(shards().size()).append(" masters: ");
        List<SyncTask> all = shards();
        long maxLag = -1;
        boolean unknownLag = false;
        for (int i = 0; i < all.size(); i++) {
            SyncTask s = all.get(i);
            long lag = s.lagMillis();
            sb.append(i == 0 ? "" : ", ").append(s.source().address()).append(' ')
                    .append(s.state().name().toLowerCase(java.util.Locale.ROOT))
                    .append(" (lag ").append(lag >= 0 ? lag + " ms" : "unknown")
                    .append(s.lastEvent() == null ? "" : "; " + s.lastEvent()).append(')');
            unknownLag |= lag < 0;
            maxLag = Math.max(maxLag, lag);
        }
        sb.append("; ").append(snapshotKeys()).append(" keys copied, ").append(commandsForwarded()).append(" writes forwarded");
        sb.append(", largest lag ").append(maxLag >= 0 ? maxLag + " ms" : "unknown")
                .append(unknownLag && maxLag >= 0 ? " (unknown for some masters)" : "");
        return sb.toString();
    }
}
