package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.MemoryBudget;
import dev.ferry.ThreadFailure;
import dev.ferry.checkpoint.Checkpoint;
import dev.ferry.checkpoint.CheckpointStore;
import dev.ferry.checkpoint.TaskLease;
import dev.ferry.checkpoint.SlotCheckpoints;
import dev.ferry.checkpoint.SlotWrites;
import dev.ferry.checkpoint.TransactionalSink;
import dev.ferry.pipeline.CommandKeys;
import dev.ferry.pipeline.DbMap;
import dev.ferry.pipeline.Filters;
import dev.ferry.pipeline.PeerMarks;
import dev.ferry.pipeline.Replayer;
import dev.ferry.pipeline.SnapshotApplier;
import dev.ferry.pipeline.SyncCounters;
import dev.ferry.rdb.RdbHandler;
import dev.ferry.resp.ClientName;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.ErrorKind;
import dev.ferry.resp.RedisConnectionException;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;
import dev.ferry.sink.TargetProfile;
import dev.ferry.sink.TargetChangedException;
import dev.ferry.sink.TargetRejectedException;
import dev.ferry.sink.ClusterWriter;
import dev.ferry.sink.NodeWriter;
import dev.ferry.sink.TargetWriter;
import dev.ferry.source.ReplicationLink;
import dev.ferry.source.ReplicationOffset;
import dev.ferry.checkpoint.ControlKeys;
import dev.ferry.cluster.ClusterClient;
import dev.ferry.cluster.ClusterDatabases;
import dev.ferry.cluster.ClusterReads;
import dev.ferry.cluster.SlotHash;
import dev.ferry.cluster.Topology;
import dev.ferry.resp.RedisEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One sync from a source server to a target server: checks, then the snapshot and/or the stream,
 * until stopped, finished ({@link SyncMode#FULL}) or failed.
 *
 * <p>Progress is checkpointed in the target with the writes it covers ({@link TransactionalSink}), so a
 * restarted task, here or on another machine, resumes with {@code PSYNC} where the target stands. Lost
 * connections are retried with backoff for {@link SyncOptions#retryFor()}; bad credentials, bad
 * configuration and rejected writes fail at once.
 *
 * <p>{@link #run()} blocks the calling thread; {@link #stop()} may be called from any thread (a signal
 * handler, a test) and makes {@code run} return normally after flushing what was applied.
 */
public final class SyncTask {

    private static final Logger log = LoggerFactory.getLogger(SyncTask.class);
    private static final long MAX_BACKOFF_MS = 30_000;
    /** How long a replica may take to reach the checkpoint before the stream is read from another node. */
    private static final long REPLICA_CATCH_UP_MS = 5000;
    /** How often a task that follows its source checks which node serves its data. */
    private static final long SOURCE_CHECK_MS = 1000;
    /** How often a task reading from the master for want of a replica (--source-read replica) looks for one again. */
    private static final long REPLICA_BACK_CHECK_MS = 5000;
    private static final long SPOOL_MEMORY = 32L << 20;
    private static final java.time.Duration ADMIN_TIMEOUT = java.time.Duration.ofSeconds(10);
    /** A stop waits this long for the link to hand over what it read, then as long again for the target's replies. */
    private static final long STOP_GRACE_MS = 4_000;

    private final SyncOptions options;
    private final SyncCounters counters = new SyncCounters();
    private final String taskId;
    private final ProgressReporter progress;
    /** Named once the target's kind is known (hash-tagged on a cluster), by the first attempt. */
    private volatile CheckpointStore checkpoints;
    private volatile TaskLease lease;
    /** Where the checkpoint and lease live: the target, or the master of their slot in a cluster target. */
    private volatile RedisEndpoint controlHome;
    /** Whether the current attempt's target is a Redis Cluster. */
    private volatile boolean clusterTarget;
    /** Every node of a cluster target as last seen: where to look when the node named on the command line is gone. */
    private volatile List<RedisEndpoint> knownTargetNodes = List.of();
    private Heartbeat heartbeat;

    private volatile TaskState state = TaskState.CREATED;
    private volatile FerryException failure;
    private volatile String retryReason;
    private volatile long retryDelayMillis = -1;
    private volatile boolean stopRequested;
    private volatile Attempt attempt;
    private volatile long sourceKeys = -1;
    private volatile long appliedOffset = -1;
    private volatile int fullResyncs;
    private volatile int partialResyncs;
    private volatile int retries;
    /** Whether {@link SyncOptions#freshSync()} was applied to the checkpoint (once per task). */
    private volatile boolean freshSyncDone;
    private volatile boolean connectedOnce;
    /** The master read from now: the one named in the options until a failover moves the task elsewhere. */
    private volatile RedisEndpoint source;
    /** Finds the master after a failover; null when the source is followed as named (a standalone server). */
    private SourceLocator locator;
    /** Orders this master's writes after another's for keys that moved between them; null outside a cluster sync. */
    private dev.ferry.pipeline.SourceOrder order;
    /** The slots of a cluster source's master this task reads (they change with resharding); null otherwise. */
    private volatile BitSet ownedSlots;
    private volatile String lastEvent;
    /** The node the link read from last (--source-read replica): tried last next time. */
    private volatile RedisEndpoint lastReplica;
    /** The target written to now: the one named in the options until its Sentinels name another master. */
    private volatile RedisEndpoint target;
    /** Finds a Sentinel-managed target's master at every attempt; null when the target is written as named. */
    private final TargetLocator targetLocator;
    /** The current attempt's replayer, for {@link #readOffset()}. */
    private volatile dev.ferry.pipeline.Replayer replayer;

    public SyncTask(SyncOptions options, ProgressReporter progress) {
        this.options = options;
        this.progress = progress;
        this.taskId = taskId(options);
        this.source = options.source();
        this.ownedSlots = options.shardSlots();
        if (options.sourceSentinel() != null) {
            this.locator = new SentinelLocator(options.sourceSentinel());
        } else if (options.shardSlots() == null) {
            // A standalone master demoted by hand names its successor; a cluster sync installs its own locator.
            this.locator = new DemotionLocator();
        }
        this.target = options.target();
        this.targetLocator = options.targetSentinel() == null ? null : new TargetLocator(options.targetSentinel());
    }

    /** Follows the source's master through failovers with {@code locator} (closed with the task); before {@link #run()}. */
    void followSource(SourceLocator locator) {
        this.locator = locator;
    }

    /** Orders this task's writes after other masters' where keys moved between them; before {@link #run()}. */
    void order(dev.ferry.pipeline.SourceOrder order) {
        this.order = order;
    }

    /** The source offset of the last command this task's replayer handled (sent on, or dropped), or -1. */
    long readOffset() {
        dev.ferry.pipeline.Replayer r = replayer;
        return r == null ? -1 : r.lastOffset();
    }

    /** The slots this task's master serves now (a cluster sync updates them as the source reshards). */
    void ownedSlots(BitSet slots) {
        this.ownedSlots = (BitSet) slots.clone();
    }

    /** The slots of a cluster source this task copies now, or null for a whole server. */
    BitSet ownedSlots() {
        BitSet slots = ownedSlots;
        return slots == null ? null : (BitSet) slots.clone();
    }

    /** The last change of where or what the task reads (a failover, a replica, slots moved), with its time; or null. */
    public String lastEvent() {
        return lastEvent;
    }

    /** Records a change of where or what the task reads, for the status line. */
    void event(String what) {
        lastEvent = what + " at " + java.time.LocalTime.now().withNano(0);
    }

    /** The master the task reads from now (after a failover, the node that took over). */
    public RedisEndpoint source() {
        return source;
    }

    /**
     * A stable name for the task, from what it copies: the same command line gives the same id. A master of
     * a cluster source is named by the slots it serves, not its address, so that after a failover the
     * replica that took over (same slots, another address) continues under the same checkpoint. With
     * {@code --two-way} it is {@code <cluster task id>.<8 hex digits>} ({@link PeerMarks#memberId}), so that the
     * reverse direction, which derives the cluster task's id, recognises its marks.
     */
    static String taskId(SyncOptions o) {
        if (o.shardTaskId() != null) {
            return o.shardTaskId();
        }
        // A Sentinel-managed master is named by its name, so that a failover keeps the task's checkpoint.
        String source = o.shardLabel() != null ? o.shardLabel() : o.shardSlots() != null ? shardName(o.shardSlots())
                : o.sourceSentinel() != null ? "sentinel " + o.sourceSentinel().masterName() : o.source().address();
        if (o.shardSlots() != null && o.pairTask() != null) {
            // One master's task of a two-way cluster task: the reverse direction knows the cluster task's id only.
            return PeerMarks.memberId(o.pairTask(), source);
        }
        String target = o.targetName() != null ? o.targetName() : label(o.target(), o.targetSentinel());
        return taskId(source, target, o.dbs(), o.dbMap());
    }

    /** What names a master's task of a cluster source: its slots, "cluster slots 0-5460,10923". */
    static String shardName(BitSet slots) {
        return "cluster slots " + ranges(slots);
    }

    /** Slot ranges as text: "0-5460,10923". */
    static String ranges(BitSet slots) {
        StringBuilder sb = new StringBuilder();
        for (int from = slots.nextSetBit(0); from >= 0; ) {
            int to = slots.nextClearBit(from) - 1;
            sb.append(sb.length() == 0 ? "" : ",").append(from).append(from == to ? "" : "-" + to);
            from = slots.nextSetBit(to + 1);
        }
        return sb.toString();
    }

    /** Two-way sync: the id of the task copying the other way, given or derived like this one's. */
    String peerTaskId() {
        return peerTaskId(options);
    }

    /**
     * Two-way sync: the id of the task copying the other way, given ({@code --peer-task}) or derived from the same
     * command line swapped; for a cluster source, the id of the whole cluster task (its masters' tasks share it).
     */
    static String peerTaskId(SyncOptions o) {
        if (o.peerTask() != null) {
            return o.peerTask();
        }
        // The reverse task copies back what this one writes: from where the databases land, back where they came from.
        Set<Integer> dbs = o.dbs() == null || o.dbMap().isIdentity() ? o.dbs() : o.dbMap().destinations(o.dbs());
        return taskId(label(o.target(), o.targetSentinel()), label(o.source(), o.sourceSentinel()), dbs,
                o.dbMap().inverse(o.dbs()));
    }

    /** What names a side in a task id: a Sentinel-managed master by its name (a failover keeps the id), else its address. */
    private static String label(RedisEndpoint endpoint, dev.ferry.resp.Sentinel sentinel) {
        return sentinel != null ? "sentinel " + sentinel.masterName() : endpoint.address();
    }

    /** The same command line, the same id; a {@code --db-map} is part of it (an identity map is no map). */
    private static String taskId(String source, String target, Object dbs, DbMap dbMap) {
        String spec = source + "->" + target + " dbs=" + dbs + (dbMap.isIdentity() ? "" : " map=" + dbMap);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(spec.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String id() {
        return taskId;
    }

    /**
     * The heartbeat key this task writes on the source; for one master of a cluster source, with a hash
     * tag that puts it in one of that master's slots.
     */
    public String heartbeatKey() {
        String key = Filters.CONTROL_PREFIX + "hb:" + taskId;
        BitSet slots = options.shardSlots();
        if (slots == null || slots.isEmpty()) {
            return key;
        }
        for (int tag = 0; ; tag++) {
            String candidate = key + "{" + tag + "}";
            if (slots.get(SlotHash.slot(candidate.getBytes(StandardCharsets.US_ASCII)))) {
                return candidate;
            }
        }
    }

    public TaskState state() {
        return state;
    }

    /**
     * Streaming, yet its lease in the target has lapsed (this process was paused past it, or cannot reach the target
     * to renew it): it writes nothing until a renewal succeeds, or learns that another process took the task.
     */
    public boolean leaseLapsed() {
        TaskLease l = lease;
        return l != null && state == TaskState.STREAMING && l.lapsed();
    }

    /** The options this task runs with. */
    public SyncOptions options() {
        return options;
    }

    public SyncCounters counters() {
        return counters;
    }

    /** Keys the source held when the task started (for progress), or -1. */
    public long sourceKeys() {
        return sourceKeys;
    }

    /** The source offset up to which the target has acknowledged every write, or -1. */
    public long appliedOffset() {
        Attempt a = attempt;
        return a == null || a.writer == null ? appliedOffset : Math.max(appliedOffset, a.writer.ackedOffset());
    }

    /** End-to-end lag in ms (the age of the oldest write the target has not acknowledged), or -1 when unknown. */
    public long lagMillis() {
        return counters.lag.millis(System.currentTimeMillis());
    }

    /** How long the task waited (or waits) before its latest retry, in ms, or -1 if it never retried. */
    public long retryDelayMillis() {
        return retryDelayMillis;
    }

    /** Why the task is retrying, while it is. */
    public String retryReason() {
        return retryReason;
    }

    /** Full resyncs this task went through (the first snapshot included). */
    public int fullResyncs() {
        return fullResyncs;
    }

    /** Times the source continued the stream from a checkpoint. */
    public int partialResyncs() {
        return partialResyncs;
    }

    /** Times the task retried after a lost connection. */
    public int retries() {
        return retries;
    }

    /** The error that ended the task, or null. */
    public FerryException failure() {
        return failure;
    }

    /** Asks the task to stop: it flushes what was read to the target, then {@link #run()} returns. */
    public void stop() {
        stopRequested = true;
        Attempt a = attempt;
        if (a != null) {
            a.done.countDown();
        }
    }

    /**
     * Runs the task until it is stopped, finished or failed, retrying lost connections.
     *
     * @throws FerryException why the task failed
     */
    public void run() {
        // Every connection this thread and the task's threads open is named ferry:<task id>:<role>.
        ClientName.set(taskId, ClientName.ADMIN);
        // The id names its checkpoint, lease and connections (CLIENT LIST): say it first.
        log.info("task {}: {} into {}", taskId, options.shardSlots() == null ? "source " + source
                : "source master " + source + " (" + (ownedSlots == null || ownedSlots.isEmpty() ? "no slots yet"
                : "slots " + ranges(ownedSlots)) + ")", target);
        state = TaskState.PRECHECKING;
        long giveUpAt = System.currentTimeMillis() + options.retryFor().toMillis();
        int failures = 0;
        SnapshotRetries snapshotRetries = new SnapshotRetries();
        if (progress != null) {
            progress.start(this);
        }
        try {
            while (!stopRequested) {
                Attempt a = new Attempt();
                attempt = a;
                try {
                    a.run();
                    failures = 0;
                    snapshotRetries.reset();
                    if (a.finished || stopRequested) {
                        break;
                    }
                } catch (FerryException e) {
                    if (stopRequested && e.isRetriable()) {
                        break;
                    }
                    if (e instanceof SourceMovedException moved) {
                        // Not an outage: the data is there, served by another node. Continue there at once.
                        log.info("{}: continuing there from the checkpoint", moved.getMessage());
                        failures = 0;
                        continue;
                    }
                    if (a.progressed) {
                        // A new outage after a working stream: back off from the start again.
                        failures = 0;
                    }
                    // A server that cannot be reached before the task ever ran is a configuration error
                    // (wrong host or port): say so at once instead of retrying for hours.
                    if (!e.isRetriable() || !connectedOnce || System.currentTimeMillis() >= giveUpAt) {
                        throw e;
                    }
                    FerryException repeated = snapshotRetries.record(e);
                    if (repeated != null) {
                        throw repeated;
                    }
                    failures++;
                    long backoff = Math.min(MAX_BACKOFF_MS, 500L << Math.min(failures - 1, 6));
                    retryDelayMillis = backoff;
                    retryReason = e.getMessage();
                    retries++;
                    state = TaskState.RETRYING;
                    log.warn("{}; retrying in {} ms (giving up in {} min)", e.getMessage(), backoff,
                            Math.max(0, (giveUpAt - System.currentTimeMillis()) / 60_000));
                    sleepUnlessStopped(backoff);
                } finally {
                    if (a.writer != null) {
                        appliedOffset = Math.max(appliedOffset, a.writer.ackedOffset());
                    }
                }
            }
            state = TaskState.FINISHED;
        } catch (FerryException e) {
            failure = e;
            state = TaskState.FAILED;
            throw e;
        } catch (RuntimeException e) {
            failure = new FerryException("unexpected error: " + e, e);
            state = TaskState.FAILED;
            throw failure;
        } catch (Error e) {
            failure = ThreadFailure.of(Thread.currentThread().getName(), e);
            state = TaskState.FAILED;
            throw failure;
        } finally {
            if (heartbeat != null) {
                heartbeat.close();
            }
            if (lease != null) {
                lease.close();
                releaseLease();
            }
            if (progress != null) {
                progress.stop();
            }
            if (locator != null) {
                locator.close();
            }
            if (targetLocator != null) {
                targetLocator.close();
            }
        }
    }

    /** Gives the lease up so that a next run starts at once; best effort, quickly (a stop must not hang). */
    private void releaseLease() {
        try (RedisConnection admin = RedisConnection.open(controlHome, java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(1))) {
            lease.release(admin);
        } catch (RuntimeException e) {
            log.debug("could not release the lease of task {}: {}", taskId, e.getMessage());
        }
    }

    /**
     * Names the checkpoint and lease once the target's kind is known ({@code cluster} null: a standalone
     * target); on a cluster target they share the task id as hash tag and live on the master of that slot.
     */
    private void nameControlKeys(Topology cluster) {
        ControlKeys keys = cluster == null ? ControlKeys.standalone(taskId) : ControlKeys.cluster(taskId);
        RedisEndpoint home = cluster == null ? target : cluster.nodeFor(keys.checkpointBytes());
        if (home == null) {
            throw new RedisConnectionException("the slot of " + keys.checkpoint() + " is served by no master of the"
                    + " target cluster " + options.target().address() + " (a failover in progress?)", null);
        }
        controlHome = home;
        if (lease != null) {
            // Each attempt reads the slot map again: a reshard or a failover may have moved the task's keys.
            lease.moveTo(home);
            return;
        }
        checkpoints = new CheckpointStore(keys);
        lease = new TaskLease(taskId, keys, controlHome, options.leaseTtl());
    }

    /**
     * An admin connection to the target: the node named on the command line or, when it does not answer (a
     * cluster master that died), any other node of the cluster as last seen.
     */
    private RedisConnection openTarget() {
        if (targetLocator != null) {
            target = targetLocator.locate(target);
        }
        try {
            return RedisConnection.open(target, RedisConnection.DEFAULT_CONNECT_TIMEOUT, ADMIN_TIMEOUT);
        } catch (RedisConnectionException e) {
            for (RedisEndpoint node : knownTargetNodes) {
                if (!node.equals(target)) {
                    try {
                        RedisConnection conn = RedisConnection.open(node, RedisConnection.DEFAULT_CONNECT_TIMEOUT, ADMIN_TIMEOUT);
                        log.info("the target {} does not answer ({}); reading the cluster from {}",
                                target.address(), e.getMessage(), node.address());
                        return conn;
                    } catch (RedisConnectionException next) {
                        log.debug("target node {} does not answer either: {}", node.address(), next.getMessage());
                    }
                }
            }
            throw e;
        }
    }

    private void sleepUnlessStopped(long ms) {
        long until = System.currentTimeMillis() + ms;
        while (!stopRequested && System.currentTimeMillis() < until) {
            try {
                Thread.sleep(Math.min(100, Math.max(1, until - System.currentTimeMillis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FerryException("interrupted", e);
            }
        }
    }

    /** One connection of the task to both sides, from checkpoint to stop or failure. */
    private final class Attempt implements Replayer.Lifecycle {

        final CountDownLatch done = new CountDownLatch(1);
        volatile FerryException error;
        volatile boolean finished;
        /** The source accepted PSYNC: the attempt got somewhere, so a later failure is a new outage. */
        volatile boolean progressed;
        ServerInfo sourceInfo;
        /** On a cluster target, the per-slot checkpoints; null on a standalone one. */
        SlotCheckpoints slotCheckpoints;
        TargetWriter writer;
        TransactionalSink sink;
        ReplicationLink link;
        Checkpoint checkpoint;
        boolean owns;
        /** The slot map of a cluster target, read at the attempt's start; null for a standalone target. */
        Topology targetTopology;
        /** How many databases a cluster target has (Valkey 9's cluster-databases; 1 for a Redis Cluster). */
        int targetDbs = 1;
        /** On a cluster target, what commands emulated across slots read the target's values with. */
        ClusterClient targetReads;

        void run() {
            // What this attempt holds of the process's memory budget; all of it is given back at its end.
            MemoryBudget.Account memory = options.memoryBudget().open();
            RedisConnection targetConn = null;
            Thread linkThread = null;
            try {
                TargetProfile target;
                Set<String> modules;
                try (RedisConnection admin = openTarget()) {
                    target = TargetProfile.probe(admin);
                    modules = new HashSet<>(TargetProfile.modules(admin));
                    if (ServerInfo.fetch(admin).isCluster()) {
                        targetTopology = ClusterTarget.discover(options, admin.endpoint());
                        targetDbs = ClusterDatabases.count(admin);
                        knownTargetNodes = targetTopology.nodes();
                    }
                    clusterTarget = targetTopology != null;
                }
                nameControlKeys(targetTopology);
                try (RedisConnection admin = RedisConnection.open(controlHome, RedisConnection.DEFAULT_CONNECT_TIMEOUT, ADMIN_TIMEOUT)) {
                    // First the lease, then the checkpoint: once the lease is ours, no other process moves it.
                    lease.acquire(admin, () -> stopRequested);
                    checkpoint = checkpoints.load(admin);
                    if (checkpoint != null && options.freshSync() && !freshSyncDone) {
                        // Asked to copy everything again: the checkpoint's position is not resumed from, once.
                        log.info("fresh full sync asked for: not resuming from the checkpoint {}", checkpoint);
                        checkpoint = Checkpoint.snapshot(checkpoint.position(), checkpoint.ownsTarget());
                    }
                    freshSyncDone = true;
                    if (checkpoint == null && !options.mode().copiesSnapshot()) {
                        // Later writes only: the target is expected to hold the data already, and is never emptied.
                        owns = false;
                    } else if (checkpoint == null && targetTopology != null) {
                        ClusterTarget.checkExisting(targetTopology, options, SyncTask.this::forEachOwnedKey);
                        owns = options.existing() == ExistingKeys.CHECK;
                    } else if (checkpoint == null) {
                        checkExisting(admin);
                        owns = options.existing() == ExistingKeys.CHECK;
                    } else {
                        owns = checkpoint.ownsTarget();
                        log.info("found checkpoint {} in the target", checkpoint);
                    }
                }
                CommandKeys commandKeys;
                if (locator != null) {
                    RedisEndpoint now = locator.locate(source);
                    if (!now.equals(source)) {
                        log.info("the source's {} are served by {} now, not {}: reading from there", locator.describe(),
                                now.address(), source.address());
                        event("failed over from " + source.address());
                        source = now;
                    }
                }
                try (RedisConnection admin = RedisConnection.open(source, RedisConnection.DEFAULT_CONNECT_TIMEOUT, ADMIN_TIMEOUT)) {
                    sourceInfo = ServerInfo.fetch(admin);
                    // A cluster target routes stream writes by their keys, wherever the source says they are.
                    commandKeys = options.keys().isAll() && targetTopology == null && order == null ? null : CommandKeys.fetch(admin);
                }
                if (options.twoWay() && checkpoint == null && !options.mode().copiesSnapshot()) {
                    TwoWayPeer.requireStreaming(source, sourceInfo.isCluster(), new PeerMarks(peerTaskId()),
                            targetTopology, SyncTask.this.target.address() + " -> " + source.address());
                }
                connectedOnce = true;
                if (sourceInfo.isCluster() && options.shardSlots() == null) {
                    throw new FerryException("source " + source.address()
                            + " is a Redis Cluster node: copy it with a cluster sync (ClusterSyncTask), one task per master");
                }
                if (targetTopology != null) {
                    ClusterTarget.checkDatabases(options, sourceInfo, targetDbs);
                }
                sourceKeys = sourceInfo.keysPerDb().entrySet().stream()
                        .filter(e -> options.dbs() == null || options.dbs().contains(e.getKey()))
                        .mapToLong(Map.Entry::getValue).sum();
                log.info("source {} (Redis {}, {} keys), target {} (Redis {})", source,
                        sourceInfo.version(), sourceKeys, SyncTask.this.target, target.version());

                Filters filters = new Filters(options.dbs(), options.publish(), options.keys(), options.dbMap());
                Replayer[] replayer = new Replayer[1];
                if (targetTopology != null) {
                    writer = new ClusterWriter(targetTopology, NodeWriter.Limits.defaults(), offset -> replayer[0].onAck(offset), memory);
                } else {
                    targetConn = RedisConnection.open(SyncTask.this.target, "writer");
                    writer = new NodeWriter(targetConn, NodeWriter.Limits.defaults(), offset -> replayer[0].onAck(offset), memory);
                }
                sink = new TransactionalSink(writer, checkpoints, options.maxBatch(), System::currentTimeMillis, memory);
                sink.lease(lease);
                slotCheckpoints = null;
                if (targetTopology != null) {
                    slotCheckpoints = new SlotCheckpoints(taskId);
                    targetReads = new ClusterClient(targetTopology);
                    sink.slotTransactions(new SlotWrites(commandKeys::keyIndexes), slotCheckpoints,
                            db -> new ClusterReads(targetReads, db), counters.crossSlot);
                }
                RdbHandler snapshot = Replayer.discardSnapshot();
                if (options.mode().copiesSnapshot()) {
                    SnapshotApplier applier = new SnapshotApplier(target, sink, filters, counters, options.rawLimit(), modules,
                            System::currentTimeMillis);
                    if (order != null) {
                        applier.sourceOrder(order);
                    }
                    snapshot = applier;
                }
                RedisEndpoint readFrom = options.readReplica() ? replicaOf(source) : source;
                link = new ReplicationLink(readFrom, writer::ackedOffset, new ReplicationLink.Options(
                        options.sourceTimeout(), spoolDir(), SPOOL_MEMORY, options.spoolSize(), memory));
                link.throttle(options.snapshotThrottle(), options.streamThrottle());
                link.countBytesInto(counters.sourceBytes);
                link.announceVersionTo(options.announceReplicaVersion() ? sourceInfo.version() : null);
                replayer[0] = new Replayer(snapshot, sink, filters, counters,
                        heartbeatKey().getBytes(StandardCharsets.UTF_8), this, target);
                sink.sourceDb(replayer[0]::currentDb);
                if (order != null) {
                    replayer[0].sourceOrder(order, commandKeys, slots -> ownedDeletesByDb(-1, slots));
                }
                SyncTask.this.replayer = replayer[0];
                replayer[0].sourceVersion(sourceInfo.version());
                if (!options.keys().isAll()) {
                    replayer[0].filterKeys(commandKeys);
                    replayer[0].onMixedKeys(options.onMixedKeys());
                }
                // On a cluster target a source FLUSHALL/FLUSHDB becomes DELs too: a FLUSHALL is not a slot's write (it
                // would run on no slot transaction and wipe Ferry's own keys); per-slot DELs are checkpointed.
                if (ownsSomeKeysOnly() || targetTopology != null) {
                    TransactionalSink txSink = sink;
                    TargetWriter txWriter = writer;
                    replayer[0].ownedFlush(flushedDb -> {
                        // The listing must see every earlier write applied.
                        txSink.flush();
                        try {
                            txWriter.drain();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new FerryException("interrupted", e);
                        }
                        // On a cluster target: every master of the slot map as it is now (it may have changed since).
                        return ownedDeletesByDb(flushedDb);
                    });
                }
                if (options.twoWay()) {
                    log.info("two-way: this task is {}; transactions the reverse task {} applied to the source are not"
                            + " sent back", taskId, peerTaskId());
                    TransactionalSink txSink = sink;
                    replayer[0].twoWay(new PeerMarks(peerTaskId()), TwoWayPeer::isSnapshotMark,
                            txSink::discardSourceTransaction);
                    if (targetTopology != null) {
                        // The reverse reads every master: each hears of this task's snapshot phases from its own.
                        sink.phaseMarks(targetTopology.masters().stream()
                                .mapToInt(m -> targetTopology.slotsOf(m).nextSetBit(0)).toArray());
                    }
                }
                ReplicationOffset from = null;
                boolean retrySlotWrite = false;
                if (checkpoint != null && options.mode() != SyncMode.FULL) {
                    from = checkpoint.resumeFrom();
                    ReplicationOffset tookOver = from == null ? null : tookOverBefore(checkpoint);
                    if (tookOver != null) {
                        log.info("the source {} took the history over at offset {}, before the checkpoint {}: the old"
                                + " master's stream went on for {} bytes that the failover lost, none of them a write"
                                + " applied to the target (pings, heartbeats, filtered commands); continuing from there",
                                source.address(), tookOver.offset(), checkpoint.position(),
                                checkpoint.position().offset() - tookOver.offset());
                        from = tookOver;
                    }
                    replayer[0].resumeDb(checkpoint.db());
                    if (from != null && slotCheckpoints != null && checkpoint.refusedSlot() >= 0) {
                        if (options.skipRefused()) {
                            log.warn("--skip-refused: passing over the write at source offset {} (slot {}) that the target"
                                    + " refused in the previous run", checkpoint.refusedStart(), checkpoint.refusedSlot());
                            counters.refusedSkipped.increment();
                        } else {
                            retrySlotWrite = true;
                        }
                    } else if (from != null && slotCheckpoints != null && checkpoint.hasRefusedWrite() && !options.skipRefused()) {
                        // A slot transaction of the previous run had a write refused: its slot checkpoint counts it as
                        // applied, and a cluster target cannot retry it alone yet. Never pass over it silently.
                        throw new FerryException("the previous run stopped on a write the target cluster refused inside a"
                                + " slot transaction (after source offset " + from.offset() + "); the other writes of that"
                                + " transaction are applied, and on a cluster target the refused one cannot be applied"
                                + " again alone yet. Fix the cause, then run again with --skip-refused to pass over it"
                                + " (counted and logged), or copy again with --mode full");
                    }
                    if (from != null && checkpoint.appliedThrough() >= 0) {
                        boolean retry = checkpoint.hasRefusedWrite() && !options.skipRefused() && slotCheckpoints == null;
                        if (checkpoint.hasRefusedWrite()) {
                            if (retry) {
                                log.warn("the target refused the write after source offset {} in the previous run: applying"
                                        + " it again first (writes up to offset {} are applied already and are not repeated);"
                                        + " pass --skip-refused to pass over it", from.offset(), checkpoint.appliedThrough());
                            } else {
                                log.warn("--skip-refused: passing over the write after source offset {} that the target"
                                        + " refused in the previous run", from.offset());
                                counters.refusedSkipped.increment();
                            }
                        }
                        replayer[0].resumeApplied(checkpoint.appliedThrough(), retry);
                        sink.resumeApplied(checkpoint.appliedThrough(), retry, from.offset());
                    }
                }
                if (from != null && slotCheckpoints != null) {
                    int ahead = ClusterTarget.loadSlotCheckpoints(targetTopology, slotCheckpoints, from);
                    log.info("{} slot(s) of the target cluster applied writes beyond the base checkpoint; they are not"
                            + " applied again", ahead);
                    if (retrySlotWrite && slotCheckpoints.retry(checkpoint.refusedSlot(), checkpoint.refusedStart(),
                            checkpoint.refusedSlotAt())) {
                        log.warn("the target refused the write at source offset {} (slot {}) in the previous run: applying"
                                + " it again (the other writes are applied already and are not repeated); pass"
                                + " --skip-refused to pass over it", checkpoint.refusedStart(), checkpoint.refusedSlot());
                    } else if (retrySlotWrite) {
                        log.info("the write at source offset {} (slot {}) that the target refused before was applied again"
                                + " by a later run", checkpoint.refusedStart(), checkpoint.refusedSlot());
                    }
                }
                ReplicationOffset resumeFrom = from;
                linkThread = new Thread(() -> runLink(resumeFrom, replayer[0]), "ferry-link-" + readFrom.address());
                linkThread.start();
                if (options.mode().streams() && heartbeat == null) {
                    // One heartbeat for the task's life: it keeps beating while the task retries, so the lag grows.
                    heartbeat = new Heartbeat(() -> source, heartbeatKey(), options.heartbeatInterval(), counters.lag,
                            SyncTask.this::failAttempt);
                    heartbeat.start();
                }
                long nextSourceCheck = System.currentTimeMillis() + SOURCE_CHECK_MS;
                long nextTargetCheck = nextSourceCheck;
                long nextReplicaCheck = System.currentTimeMillis() + REPLICA_BACK_CHECK_MS;
                while (!done.await(100, TimeUnit.MILLISECONDS)) {
                    if (options.readReplica() && readFrom.equals(source)
                            && System.currentTimeMillis() >= nextReplicaCheck) {
                        nextReplicaCheck = System.currentTimeMillis() + REPLICA_BACK_CHECK_MS;
                        checkReplicaBack();
                    }
                    if (locator != null && System.currentTimeMillis() >= nextSourceCheck) {
                        nextSourceCheck = System.currentTimeMillis() + SOURCE_CHECK_MS;
                        checkSource();
                    }
                    if (targetLocator != null && System.currentTimeMillis() >= nextTargetCheck) {
                        nextTargetCheck = System.currentTimeMillis() + SOURCE_CHECK_MS;
                        checkTarget();
                    }
                    if (lease.lost() != null) {
                        fail(lease.lost());
                    } else if (writer.failure() != null) {
                        fail(writer.failure());
                    } else if (writer.stalledMillis() > options.targetTimeout().toMillis()) {
                        RedisConnectionException e = new RedisConnectionException("the target "
                                + SyncTask.this.target.address() + " has not answered for "
                                + writer.stalledMillis() / 1000 + " s", null);
                        writer.abort(e);
                        fail(e);
                    }
                }
                if (error == null) {
                    state = TaskState.STOPPING;
                }
                link.stop();
                linkThread.join(STOP_GRACE_MS);
                if (linkThread.isAlive()) {
                    // The link is stuck handing a write to a target that does not answer: a stop must not wait for it.
                    writer.abort(new RedisConnectionException("the target " + SyncTask.this.target.address()
                            + " did not take writes within " + STOP_GRACE_MS / 1000 + " s of the stop", null));
                    linkThread.join(1000);
                }
                if (error == null) {
                    sink.finish();
                    if (!writer.awaitDrained(STOP_GRACE_MS)) {
                        log.warn("the target {} did not acknowledge the last writes within {} s of the stop: stopping"
                                + " anyway; the checkpoint in the target covers what it applied, the rest is read again"
                                + " at the next start", SyncTask.this.target.address(), STOP_GRACE_MS / 1000);
                        writer.abort(new RedisConnectionException("stopped before the target answered", null));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(new FerryException("interrupted", e));
            } catch (FerryException e) {
                fail(e);
            } catch (RuntimeException e) {
                fail(new FerryException("unexpected error: " + e, e));
            } finally {
                if (link != null) {
                    link.stop();
                }
                if (linkThread != null) {
                    try {
                        linkThread.join(10_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (targetReads != null) {
                    targetReads.close();
                }
                if (writer != null) {
                    writer.close();
                } else if (targetConn != null) {
                    targetConn.close();
                }
                if (link != null) {
                    link.deleteSpilled();
                }
                memory.close();
            }
            if (error != null && targetLocator != null) {
                error = targetFailover(error);
            }
            if (error instanceof TargetRejectedException rejected && rejected.transactionIndex() >= 0 && sink != null) {
                error = recordRefused(rejected);
            }
            if (error != null) {
                throw error;
            }
        }

        /**
         * The target refused one write of a transaction and applied the others, checkpoint included: records
         * in the checkpoint that this write is to be applied again (and the rest not), so that a restart
         * neither passes over it silently nor applies anything twice.
         */
        private FerryException recordRefused(TargetRejectedException e) {
            Checkpoint refused = sink.refusedWrite(e.transactionIndex());
            long[] inSlot = slotCheckpoints == null ? null : sink.refusedSlotWrite(e.command());
            if (refused == null && slotCheckpoints != null) {
                refused = refusedInSlot(inSlot);
            }
            if (refused == null) {
                return e;
            }
            String where = "the write after source offset " + refused.position().offset();
            if (inSlot != null) {
                where = "the write at source offset " + inSlot[1] + ", in slot " + inSlot[0];
            } else if (slotCheckpoints != null) {
                where = "in a slot transaction after source offset " + refused.position().offset();
            }
            try (RedisConnection admin = RedisConnection.open(controlHome, RedisConnection.DEFAULT_CONNECT_TIMEOUT, ADMIN_TIMEOUT)) {
                if (!lease.setIfOwner(admin, checkpoints.key(), refused.encode())) {
                    return new FerryException(e.getMessage() + " (" + where + "); this process no longer holds the task's"
                            + " lease, so the refusal is not recorded", e);
                }
            } catch (FerryException x) {
                return new FerryException(e.getMessage() + " (" + where + "); the refusal could not be recorded in the"
                        + " checkpoint (" + x.getMessage() + "): the other writes of that batch are applied, so a restart"
                        + " would pass over it", e);
            }
            if (slotCheckpoints != null && inSlot == null) {
                return new FerryException(e.getMessage() + " (" + where + "); the other writes of that transaction are"
                        + " applied. A restart stops here until you pass --skip-refused to pass over it (Ferry could not"
                        + " tell which write it was, so it cannot apply it again alone)", e);
            }
            return new FerryException(e.getMessage() + " (" + where + "); the other writes of that batch are applied. Fix"
                    + " the cause and run the same command again: it applies this write first and nothing twice; or pass"
                    + " --skip-refused to pass over it", e);
        }

        /**
         * On a cluster target: the base checkpoint, marked with the refused write's slot and start (a restart applies
         * it again there), or, when those are unknown, as having a refused write after it, so that a restart stops
         * instead of passing over it (the slot's own checkpoint already counts it as applied); null when the base
         * cannot be read.
         */
        private Checkpoint refusedInSlot(long[] inSlot) {
            try (RedisConnection admin = RedisConnection.open(controlHome, RedisConnection.DEFAULT_CONNECT_TIMEOUT, ADMIN_TIMEOUT)) {
                Checkpoint base = checkpoints.load(admin);
                if (base == null || base.phase() != Checkpoint.Phase.STREAM) {
                    return null;
                }
                // The refused write's slot and start, when known: a restart applies that one again, in that slot only.
                return inSlot != null ? base.withRefusedInSlot((int) inSlot[0], inSlot[1], inSlot[2])
                        : base.withApplied(base.position().offset() + 1, true);
            } catch (FerryException x) {
                log.warn("could not read the base checkpoint to record a refused write: {}", x.getMessage());
                return null;
            }
        }

        /** The replicas of {@code master} its INFO lists as online. */
        private List<RedisEndpoint> onlineReplicas(RedisEndpoint master) {
            List<RedisEndpoint> replicas = new ArrayList<>();
            try (RedisConnection conn = RedisConnection.open(master, RedisConnection.DEFAULT_CONNECT_TIMEOUT, ADMIN_TIMEOUT)) {
                ServerInfo info = ServerInfo.fetch(conn);
                for (int i = 0; ; i++) {
                    String line = info.get("slave" + i);
                    if (line == null) {
                        break;
                    }
                    Map<String, String> fields = new HashMap<>();
                    for (String kv : line.split(",")) {
                        int eq = kv.indexOf('=');
                        if (eq > 0) {
                            fields.put(kv.substring(0, eq), kv.substring(eq + 1));
                        }
                    }
                    if ("online".equals(fields.get("state")) && fields.get("ip") != null && fields.get("port") != null) {
                        replicas.add(master.withHostPort(fields.get("ip"), Integer.parseInt(fields.get("port"))));
                    }
                }
            }
            return replicas;
        }

        /**
         * A replica of {@code master} to read the stream from (--source-read replica): an online one that answers, the
         * one read last time tried last (it may be why the last attempt ended); the master itself when none does.
         */
        private RedisEndpoint replicaOf(RedisEndpoint master) {
            List<RedisEndpoint> replicas = onlineReplicas(master);
            RedisEndpoint last = lastReplica;
            if (last != null && replicas.remove(last)) {
                replicas.add(last);
            }
            // A replica behind the checkpoint cannot continue the stream from it (it would answer with a full resync).
            long needed = checkpoint != null && checkpoint.resumeFrom() != null ? checkpoint.position().offset() : -1;
            for (RedisEndpoint replica : replicas) {
                try (RedisConnection conn = RedisConnection.open(replica, RedisConnection.DEFAULT_CONNECT_TIMEOUT, ADMIN_TIMEOUT)) {
                    if (!caughtUp(conn, needed)) {
                        log.info("replica {} of {} is behind the checkpoint (offset {}): not reading from it", replica.address(),
                                master.address(), needed);
                        continue;
                    }
                    if (!replica.equals(last)) {
                        log.info("reading the stream of {} from its replica {} (--source-read replica)", master.address(),
                                replica.address());
                        event("reading from replica " + replica.address());
                    }
                    lastReplica = replica;
                    return replica;
                } catch (RedisConnectionException e) {
                    log.debug("replica {} of {} does not answer: {}", replica.address(), master.address(), e.getMessage());
                }
            }
            if (last != master) {
                log.warn("no replica of {} is online: reading the stream from the master itself", master.address());
                event("no replica online, reading from the master");
            }
            lastReplica = master;
            return master;
        }

        /** Whether the replica reaches replication offset {@code needed} within a few seconds. */
        private boolean caughtUp(RedisConnection replica, long needed) {
            long deadline = System.currentTimeMillis() + REPLICA_CATCH_UP_MS;
            while (ServerInfo.fetch(replica).getLong("master_repl_offset", -1) < needed) {
                if (System.currentTimeMillis() > deadline || stopRequested) {
                    return false;
                }
                sleepUnlessStopped(20);
            }
            return true;
        }

        /**
         * Ends the attempt when another node serves the task's data now (a failover: the demoted master may even
         * go on streaming, as a replica of the new one), or the task's slots were split. A source that does not
         * answer is left to the link, which notices it by itself.
         */
        /**
         * Reading from the master for want of a replica (--source-read replica): once one is online, the next attempt
         * reads from it, continuing from the checkpoint (a replica shares its master's history).
         */
        private void checkReplicaBack() {
            try {
                for (RedisEndpoint replica : onlineReplicas(source)) {
                    // Ferry's own links are listed as online replicas too: a real one answers ROLE.
                    try (RedisConnection conn = RedisConnection.open(replica, java.time.Duration.ofSeconds(1), ADMIN_TIMEOUT)) {
                        RespValue role = conn.call("ROLE");
                        if (role instanceof RespValue.Array a && a.items() != null && !a.items().isEmpty()
                                && a.items().get(0).asText().equals("slave")) {
                            fail(new SourceMovedException("a replica of " + source.address() + " is online again ("
                                    + replica.address() + "): reading the stream from it (--source-read replica)", source));
                            return;
                        }
                    } catch (RedisConnectionException e) {
                        log.debug("listed replica {} does not answer: {}", replica.address(), e.getMessage());
                    }
                }
            } catch (RedisConnectionException e) {
                log.debug("could not list the replicas of {}: {}", source.address(), e.getMessage());
            }
        }

        private void checkSource() {
            try {
                RedisEndpoint now = locator.locate(source);
                if (!now.equals(source)) {
                    fail(new SourceMovedException("the source master " + source.address() + " (" + locator.describe()
                            + ") failed over to " + now.address(), now));
                }
            } catch (RedisConnectionException e) {
                log.debug("could not check where the source's {} are served: {}", locator.describe(), e.getMessage());
            } catch (FerryException e) {
                fail(e);
            }
        }

        /**
         * Ends the attempt when the Sentinels name another target master (a failover: the demoted one may take
         * writes for a moment, which its replication then drops). A Sentinel that does not answer is no reason to stop.
         */
        private void checkTarget() {
            try {
                RedisEndpoint now = targetLocator.movedTo(SyncTask.this.target);
                if (now != null) {
                    fail(targetMoved(now, null));
                }
            } catch (FerryException e) {
                fail(e);
            }
        }

        /**
         * What ends an attempt on a Sentinel-managed target that failed over, or refuses writes as a replica
         * would while the Sentinels still name it (a failover under way): a retriable change, so the next attempt
         * asks the Sentinels again and resumes from the checkpoint the master holds. Anything else is left as it is.
         */
        private FerryException targetFailover(FerryException e) {
            if (e instanceof TargetChangedException) {
                return e;
            }
            RedisEndpoint now;
            try {
                now = targetLocator.movedTo(SyncTask.this.target);
            } catch (FerryException x) {
                return e;
            }
            if (now != null) {
                return targetMoved(now, e);
            }
            if (e instanceof TargetRejectedException r && ErrorKind.of(r.reply()).isTransient()) {
                return new TargetChangedException("the target " + SyncTask.this.target.address() + " ("
                        + targetLocator.describe() + ") refused a write with " + r.reply() + ": a failover under way?"
                        + " asking the Sentinels again");
            }
            return e;
        }

        private TargetChangedException targetMoved(RedisEndpoint now, FerryException cause) {
            return new TargetChangedException("the target master " + SyncTask.this.target.address() + " ("
                    + targetLocator.describe() + ") failed over to " + now.address()
                    + (cause == null ? "" : " (" + cause.getMessage() + ")"));
        }

        private void runLink(ReplicationOffset from, Replayer replayer) {
            try {
                link.run(from, replayer);
                if (!stopRequested && !finished && options.mode().streams() && done.getCount() > 0) {
                    fail(new RedisConnectionException("the source closed the replication link", null));
                }
            } catch (FerryException e) {
                fail(e);
            } catch (Exception e) {
                fail(new FerryException("replication link failed: " + e, e));
            } catch (Error e) {
                fail(ThreadFailure.of(Thread.currentThread().getName(), e));
            }
        }

        @Override
        public void fullResync(ReplicationOffset start) {
            fullResyncs++;
            progressed = true;
            counters.resetSnapshot();
            long lost = checkpoint == null ? -1 : lostInFailover(checkpoint.position());
            boolean reset = checkpoint != null && checkpoint.resumeFrom() != null && options.mode() != SyncMode.FULL
                    && !continuesHistory(checkpoint.position(), start) && lost < 0;
            if (reset) {
                String why = "the source " + source.address() + " started a new replication history ("
                        + start + "), which does not continue the checkpoint " + checkpoint.position()
                        + ": it restarted without its data (or with it, but before Redis 7 without its replication id),"
                        + " or it is another server";
                if (options.onSourceReset() == SourceReset.STOP || !options.mode().copiesSnapshot()) {
                    throw new FerryException(why + ". Ferry leaves the target as it is. To copy the source as it is now,"
                            + " emptying what this task owns on the target, run again with --on-source-reset resync"
                            + (options.mode().copiesSnapshot() ? "" : " and --mode full+incremental")
                            + "; to keep the target, point --source at the server that holds the data");
                }
                log.warn("{}; following it (--on-source-reset resync)", why);
            }
            if (checkpoint != null && !options.mode().copiesSnapshot()) {
                // Later writes only, and the source no longer has those since the checkpoint: they are lost.
                throw new FerryException("the source " + source.address() + " can no longer continue after"
                        + " the checkpoint " + checkpoint.position() + " (its backlog does not cover it): the writes made"
                        + " since cannot be copied in --mode incremental; copy the data again (--mode full+incremental"
                        + " into an empty target), or compare both sides with ferry verify");
            }
            List<byte[][]> flush = new ArrayList<>();
            if (checkpoint != null && options.mode().copiesSnapshot()) {
                String cause = reset ? "the source's history restarted"
                        : lost >= 0 ? "it took over from the master the checkpoint " + checkpoint.position() + " was read"
                        + " from, but without the last " + lost + " bytes of writes that master had taken (lost in the"
                        + " failover, on the source too: a replica of it would copy everything again as well)"
                        : "the source's backlog does not cover the checkpoint " + checkpoint.position();
                if (owns) {
                    log.warn("full resync from {}: {}; emptying the target's databases this task owns ({}) before copying"
                            + " the snapshot again", source.address(), cause,
                            options.dbs() == null ? "all" : options.dbMap().destinations(options.dbs()));
                    // A cluster's FLUSHALL would also delete the task's lease and checkpoint: DELs of the owned keys instead.
                    flush.addAll(targetTopology != null ? ClusterTarget.ownedDeletes(targetTopology,
                            d -> options.dbMap().isDestination(d, options.dbs()), SyncTask.this::forEachOwnedKey)
                            : flushCommands());
                } else {
                    log.warn("full resync from {}: {}; the target was not empty when this task started, so keys deleted"
                            + " on the source meanwhile may remain", source.address(), cause);
                }
            }
            if (options.mode().copiesSnapshot()) {
                state = TaskState.SNAPSHOT;
                sink.beginSnapshot(start, owns, flush.toArray(new byte[0][][]));
            } else {
                // Nothing of the snapshot is copied, so nothing is recorded until the stream starts: a "snapshot"
                // checkpoint would tell the forward task of a two-way pair to hold back writes for no reason. The
                // task streams once that start is checkpointed (snapshotRead), not while it reads past the snapshot.
                sink.skipSnapshot(start);
            }
        }

        @Override
        public void snapshotRead(ReplicationOffset start) {
            log.info("snapshot read: {} keys ({} rewritten as commands, {} skipped)", counters.snapshotKeys.sum(),
                    counters.snapshotKeysRewritten.sum(), counters.snapshotKeysSkipped.sum());
            sink.startStream(start, 0, owns);
            if (options.mode() == SyncMode.FULL) {
                finished = true;
                state = TaskState.STOPPING;
                link.stop();
                done.countDown();
            } else {
                state = TaskState.STREAMING;
            }
        }

        /**
         * Whether a full resync at {@code start} continues the history the checkpoint {@code at} belongs to: the
         * same replication id (the backlog just no longer covers the gap), or a source that took the id over
         * as its previous one (a promoted replica: {@code master_replid2} up to {@code second_repl_offset}).
         */
        private boolean continuesHistory(ReplicationOffset at, ReplicationOffset start) {
            if (start.replId().equals(at.replId())) {
                return true;
            }
            ServerInfo info = sourceInfo;
            // second_repl_offset is the first offset of the new history: the old one goes up to the offset before.
            return info != null && at.replId().equals(info.get("master_replid2"))
                    && at.offset() < info.getLong("second_repl_offset", -1);
        }

        /**
         * Where to continue when this source took the checkpoint's history over before the checkpoint (a failover
         * in which the old master went on a little) and the target holds no write of the part the failover lost
         * ({@link Checkpoint#dataThrough()}): the last offset of the old history this source has; else null.
         */
        private ReplicationOffset tookOverBefore(Checkpoint cp) {
            long second = sourceInfo.getLong("second_repl_offset", -1);
            ReplicationOffset at = cp.position();
            if (second <= 0 || !at.replId().equals(sourceInfo.get("master_replid2")) || at.offset() < second) {
                return null;
            }
            long last = second - 1;
            return cp.dataThrough() >= 0 && cp.dataThrough() <= last ? new ReplicationOffset(at.replId(), last) : null;
        }

        /**
         * How many bytes of the stream the checkpoint {@code at} is past where this source took the history over
         * ({@code master_replid2} is its id, {@code second_repl_offset} below its offset): writes the old master took
         * after its replica was promoted, which the failover lost; -1 when the source did not take that history over.
         */
        private long lostInFailover(ReplicationOffset at) {
            ServerInfo info = sourceInfo;
            if (info == null || !at.replId().equals(info.get("master_replid2"))) {
                return -1;
            }
            long second = info.getLong("second_repl_offset", -1);
            return second > 0 && at.offset() >= second ? at.offset() - second + 1 : -1;
        }

        @Override
        public void partialResync(ReplicationOffset position) {
            partialResyncs++;
            progressed = true;
            log.info("resumed from checkpoint {}: the source continues the stream, no full resync", checkpoint);
            sink.startStream(position, checkpoint.db(), owns);
            state = TaskState.STREAMING;
        }

        private void fail(FerryException e) {
            if (error == null) {
                error = e;
            }
            done.countDown();
        }
    }

    /** Ends the current attempt with {@code e} (from a thread of the task that died). */
    private void failAttempt(FerryException e) {
        Attempt a = attempt;
        if (a != null) {
            a.fail(e);
        }
    }

    private java.nio.file.Path spoolDir() {
        java.nio.file.Path base = options.stateDir() != null ? options.stateDir()
                : java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve("ferry-spool-" + taskId);
    }

    /** Bytes read from the source and not yet applied, or 0. */
    public long spooled() {
        Attempt a = attempt;
        return a == null || a.link == null ? 0 : a.link.spooled();
    }

    /** Whether the task owns only some keys of the target: one master's slots, or the keys of a filter. */
    private boolean ownsSomeKeysOnly() {
        return options.shardSlots() != null || !options.keys().isAll();
    }

    private List<byte[][]> flushCommands() {
        if (ownsSomeKeysOnly()) {
            return ownedDeletes(-1);
        }
        List<byte[][]> cmds = new ArrayList<>();
        if (options.dbs() == null) {
            cmds.add(new byte[][] {bytes("FLUSHALL")});
            return cmds;
        }
        for (int db : options.dbMap().destinations(options.dbs())) {
            cmds.add(new byte[][] {bytes("SELECT"), bytes(Integer.toString(db))});
            cmds.add(new byte[][] {bytes("FLUSHDB")});
        }
        return cmds;
    }

    /**
     * {@code DEL}s (500 keys each) of every target key this task owns in target database {@code db} (-1: every
     * one the copied databases land in), found with {@code SCAN}: for one master of a cluster source, its slots' keys; with a key
     * filter, the matching keys. The target's other keys stay.
     */
    private List<byte[][]> ownedDeletes(int db) {
        List<byte[][]> cmds = new ArrayList<>();
        for (Map.Entry<Integer, List<byte[][]>> e : ownedDeletesByDb(db).entrySet()) {
            cmds.add(new byte[][] {bytes("SELECT"), bytes(Integer.toString(e.getKey()))});
            cmds.addAll(e.getValue());
        }
        return cmds;
    }

    /** {@link #ownedDeletes}, by database. */
    private Map<Integer, List<byte[][]>> ownedDeletesByDb(int db) {
        return ownedDeletesByDb(db, null);
    }

    /** As {@link #ownedDeletesByDb(int)}, of the keys of {@code slots} (null: this task's own slots). */
    private Map<Integer, List<byte[][]>> ownedDeletesByDb(int db, BitSet slots) {
        Predicate<byte[]> mine = slots == null ? this::owns : key -> !Filters.isControlKey(key)
                && slots.get(SlotHash.slot(key)) && options.keys().matches(key);
        Map<Integer, List<byte[][]>> byDb = new TreeMap<>();
        RedisEndpoint home = controlHome;
        if (clusterTarget) {
            // Every master of the cluster as it is now (it may have resharded since the attempt began).
            return ClusterTarget.ownedDeletesByDb(Topology.discover(home), db,
                    d -> options.dbMap().isDestination(d, options.dbs()), (conn, d, visit) -> forEachKey(conn, d, mine, visit));
        }
        try (RedisConnection conn = RedisConnection.open(target, RedisConnection.DEFAULT_CONNECT_TIMEOUT, ADMIN_TIMEOUT)) {
            // A master of a cluster source may hold numbered databases too (Valkey 9's cluster-databases).
            Set<Integer> dbs = db >= 0 ? Set.of(db) : ServerInfo.fetch(conn).keysPerDb().keySet();
            for (int d : new TreeSet<>(dbs)) {
                if (!options.dbMap().isDestination(d, options.dbs())) {
                    continue;
                }
                List<byte[][]> cmds = byDb.computeIfAbsent(d, x -> new ArrayList<>());
                List<byte[]> batch = new ArrayList<>();
                batch.add(bytes("DEL"));
                forEachKey(conn, d, mine, key -> {
                    batch.add(key);
                    if (batch.size() > 500) {
                        cmds.add(batch.toArray(new byte[0][]));
                        batch.subList(1, batch.size()).clear();
                    }
                    return true;
                });
                if (batch.size() > 1) {
                    cmds.add(batch.toArray(new byte[0][]));
                }
            }
        }
        return byDb;
    }

    /** Whether a target key is this task's: a user key, of its master's slots, passing its key filter. */
    private boolean owns(byte[] key) {
        BitSet slots = ownedSlots;
        return !Filters.isControlKey(key) && (slots == null || slots.get(SlotHash.slot(key))) && options.keys().matches(key);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private void checkExisting(RedisConnection target) {
        if (options.existing() != ExistingKeys.CHECK) {
            return;
        }
        Map<Integer, Long> keys = ServerInfo.fetch(target).keysPerDb();
        StringBuilder busy = new StringBuilder();
        for (Map.Entry<Integer, Long> e : keys.entrySet()) {
            if ((options.dbs() == null || options.dbMap().isDestination(e.getKey(), options.dbs())) && e.getValue() > 0
                    && hasUserKeys(target, e.getKey())) {
                busy.append(busy.length() == 0 ? "" : ", ").append("db").append(e.getKey()).append(": ")
                        .append(e.getValue()).append(" keys");
            }
        }
        if (busy.length() > 0) {
            throw new FerryException("target " + this.target.address() + " already holds keys (" + busy
                    + "): empty it, or pass --existing overwrite to replace same-name keys");
        }
    }

    /** Whether a database holds keys other than Ferry's own. */
    private boolean hasUserKeys(RedisConnection conn, int db) {
        boolean[] found = {false};
        forEachOwnedKey(conn, db, key -> {
            found[0] = true;
            return false;
        });
        return found[0];
    }

    /**
     * Walks, with {@code SCAN}, the target keys of {@code db} this task owns ({@link #owns}); stops early
     * when {@code visit} returns false.
     */
    void forEachOwnedKey(RedisConnection conn, int db, Predicate<byte[]> visit) {
        forEachKey(conn, db, this::owns, visit);
    }

    /** Walks, with {@code SCAN}, the target keys of {@code db} that {@code which} accepts; stops when {@code visit} says. */
    private static void forEachKey(RedisConnection conn, int db, Predicate<byte[]> which, Predicate<byte[]> visit) {
        conn.callChecked("SELECT", Integer.toString(db));
        String cursor = "0";
        do {
            var items = ((RespValue.Array) conn.callChecked("SCAN", cursor, "COUNT", "1000")).items();
            cursor = items.get(0).asText();
            for (RespValue k : ((RespValue.Array) items.get(1)).items()) {
                byte[] key = ((RespValue.Bulk) k).bytes();
                if (which.test(key) && !visit.test(key)) {
                    return;
                }
            }
        } while (!cursor.equals("0"));
    }
}
