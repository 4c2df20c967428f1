package dev.ferry.task;

import dev.ferry.MemoryBudget;
import dev.ferry.pipeline.DbMap;
import dev.ferry.pipeline.KeyFilter;
import dev.ferry.pipeline.MixedKeys;
import dev.ferry.resp.RedisEndpoint;

import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** Everything a sync task is given. Immutable; build with {@link #builder(RedisEndpoint, RedisEndpoint)}. */
public final class SyncOptions {

    private final RedisEndpoint source;
    private final RedisEndpoint target;
    private final SyncMode mode;
    private final Set<Integer> dbs;
    private final DbMap dbMap;
    private final ExistingKeys existing;
    private final boolean publish;
    private final boolean twoWay;
    private final boolean readReplica;
    private final String peerTask;
    private final dev.ferry.resp.Sentinel sourceSentinel;
    private final dev.ferry.resp.Sentinel targetSentinel;
    private final String shardLabel;
    private final String targetName;
    private final String shardTaskId;
    private final String pairTask;
    private final BitSet shardSlots;
    private final KeyFilter keys;
    private final MixedKeys onMixedKeys;
    private final Path stateDir;
    private final int rawLimit;
    private final Duration heartbeatInterval;
    private final Duration progressInterval;
    private final Duration retryFor;
    private final Duration sourceTimeout;
    private final int maxBatch;
    private final long spoolSize;
    private final Duration targetTimeout;
    private final Duration leaseTtl;
    private final boolean skipRefused;
    private final SourceReset onSourceReset;
    private final MemoryBudget memoryBudget;
    private final dev.ferry.Throttle snapshotThrottle;
    private final dev.ferry.Throttle streamThrottle;
    private final boolean announceReplicaVersion;
    private final boolean freshSync;

    private SyncOptions(Builder b) {
        this.source = b.source;
        this.target = b.target;
        this.mode = b.mode;
        this.dbs = b.dbs == null ? null : Set.copyOf(new TreeSet<>(b.dbs));
        this.dbMap = b.dbMap;
        this.existing = b.existing;
        this.publish = b.publish;
        this.twoWay = b.twoWay;
        this.readReplica = b.readReplica;
        this.peerTask = b.peerTask;
        this.sourceSentinel = b.sourceSentinel;
        this.targetSentinel = b.targetSentinel;
        this.shardLabel = b.shardLabel;
        this.targetName = b.targetName;
        this.shardTaskId = b.shardTaskId;
        this.pairTask = b.pairTask;
        this.shardSlots = b.shardSlots == null ? null : (BitSet) b.shardSlots.clone();
        this.keys = b.keys;
        this.onMixedKeys = b.onMixedKeys;
        this.stateDir = b.stateDir;
        this.rawLimit = b.rawLimit;
        this.heartbeatInterval = b.heartbeatInterval;
        this.progressInterval = b.progressInterval;
        this.retryFor = b.retryFor;
        this.sourceTimeout = b.sourceTimeout;
        this.maxBatch = b.maxBatch;
        this.spoolSize = b.spoolSize;
        this.targetTimeout = b.targetTimeout;
        this.leaseTtl = b.leaseTtl;
        this.skipRefused = b.skipRefused;
        this.onSourceReset = b.onSourceReset;
        this.memoryBudget = b.memoryBudget;
        this.snapshotThrottle = b.snapshotThrottle;
        this.streamThrottle = b.streamThrottle;
        this.announceReplicaVersion = b.announceReplicaVersion;
        this.freshSync = b.freshSync;
    }

    /** Whether the task copies everything again though its checkpoint could resume ({@code ferry server}'s restart). */
    public boolean freshSync() {
        return freshSync;
    }

    /** These options, for a run that ignores the checkpoint's position and copies everything again (the target's
     * databases this task owns are emptied first, as for any full resync). */
    public SyncOptions withFreshSync() {
        Builder b = shardBuilder(source, shardSlots, pairTask, peerTask);
        b.shardLabel = shardLabel;
        b.shardTaskId = shardTaskId;
        b.sourceSentinel = sourceSentinel;
        b.freshSync = true;
        return new SyncOptions(b);
    }

    /** Whether Ferry tells a Valkey 9+ source which version of replica it is, to get that version's RDB format. */
    public boolean announceReplicaVersion() {
        return announceReplicaVersion;
    }

    /** The memory for data in transit, shared by every task of the process ({@link MemoryBudget}). */
    public MemoryBudget memoryBudget() {
        return memoryBudget;
    }

    /** The limits on what the snapshot takes (keys and bytes per second); shared by the tasks of a cluster. */
    public dev.ferry.Throttle snapshotThrottle() {
        return snapshotThrottle;
    }

    /** The limits on what the stream takes (commands and bytes per second); shared by the tasks of a cluster. */
    public dev.ferry.Throttle streamThrottle() {
        return streamThrottle;
    }

    /** How long the task's lease in the target lasts without renewal (a dead process's task is free after it). */
    public Duration leaseTtl() {
        return leaseTtl;
    }

    /** Whether a write the target refused in the previous run is passed over instead of applied again. */
    public boolean skipRefused() {
        return skipRefused;
    }

    /** What to do when the source's replication history restarted (it lost its data, or is another server). */
    public SourceReset onSourceReset() {
        return onSourceReset;
    }

    /** How long the target may owe replies without answering before its connection counts as lost. */
    public Duration targetTimeout() {
        return targetTimeout;
    }

    /** Bytes read from the source but not yet applied that may wait on disk (besides 64 MiB in memory). */
    public long spoolSize() {
        return spoolSize;
    }

    /** How long lost connections are retried before the task fails. */
    public Duration retryFor() {
        return retryFor;
    }

    /** How long the source may stay silent before the link counts as lost (it pings every 10 s). */
    public Duration sourceTimeout() {
        return sourceTimeout;
    }

    /** Most stream writes applied in one checkpointed transaction. */
    public int maxBatch() {
        return maxBatch;
    }

    public static Builder builder(RedisEndpoint source, RedisEndpoint target) {
        return new Builder(source, target);
    }

    public RedisEndpoint source() {
        return source;
    }

    public RedisEndpoint target() {
        return target;
    }

    public SyncMode mode() {
        return mode;
    }

    /** Source databases to copy, or null for all. */
    public Set<Integer> dbs() {
        return dbs;
    }

    /** Where the copied databases land on the target ({@code --db-map}); every one in its own number by default. */
    public DbMap dbMap() {
        return dbMap;
    }

    public ExistingKeys existing() {
        return existing;
    }

    public boolean publish() {
        return publish;
    }

    /** Two-way sync: drop what the task copying the other way applied to this task's source. */
    /** Whether the replication link reads from a replica of the source master (--source-read replica). */
    public boolean readReplica() {
        return readReplica;
    }

    public boolean twoWay() {
        return twoWay;
    }

    /**
     * For one master of a cluster source ({@link ClusterSyncTask}): the slots it serves, whose keys are this
     * task's on the target; null for a standalone source.
     */
    public BitSet shardSlots() {
        return shardSlots == null ? null : (BitSet) shardSlots.clone();
    }

    /** Whether {@code slot} is one of this shard task's slots (always true for a standalone source). */
    boolean ownsSlot(int slot) {
        return shardSlots == null || shardSlots.get(slot);
    }

    /** The same options for the task that copies one master of a cluster source, which serves {@code slots}. */
    public SyncOptions forShard(RedisEndpoint master, BitSet slots) {
        return forShard(master, slots, null, peerTask);
    }

    /**
     * The options of one master's task of a two-way cluster task: named after the cluster task {@code pairTask}
     * (not only by its slots), so the reverse direction recognises its marks by that prefix; {@code peerTask} is
     * the reverse direction's id, resolved for the whole cluster task.
     */
    SyncOptions forShard(RedisEndpoint master, BitSet slots, String pairTask, String peerTask) {
        return new SyncOptions(shardBuilder(master, slots, pairTask, peerTask));
    }

    private Builder shardBuilder(RedisEndpoint master, BitSet slots, String pairTask, String peerTask) {
        Builder b = new Builder(master, target);
        b.mode = mode;
        b.dbs = dbs;
        b.dbMap = dbMap;
        b.existing = existing;
        b.publish = publish;
        b.twoWay = twoWay;
        b.readReplica = readReplica;
        b.peerTask = peerTask;
        b.pairTask = pairTask;
        b.shardSlots = slots;
        b.keys = keys;
        b.onMixedKeys = onMixedKeys;
        b.stateDir = stateDir;
        b.rawLimit = rawLimit;
        b.heartbeatInterval = heartbeatInterval;
        b.progressInterval = progressInterval;
        b.retryFor = retryFor;
        b.sourceTimeout = sourceTimeout;
        b.maxBatch = maxBatch;
        b.spoolSize = spoolSize;
        b.targetTimeout = targetTimeout;
        b.leaseTtl = leaseTtl;
        b.skipRefused = skipRefused;
        b.onSourceReset = onSourceReset;
        b.memoryBudget = memoryBudget;
        b.snapshotThrottle = snapshotThrottle;
        b.streamThrottle = streamThrottle;
        b.announceReplicaVersion = announceReplicaVersion;
        b.targetSentinel = targetSentinel;
        b.freshSync = freshSync;
        b.targetName = targetName;
        return b;
    }

    /**
     * What names the target in the task's id (so in its checkpoint's and lease's keys) instead of its address, or
     * null: a worker group names it by the task's name, so that workers reaching the target by other addresses
     * continue the same task.
     */
    public String targetName() {
        return targetName;
    }

    /** Which keys are copied ({@code --keys}, {@code --exclude-keys}); all by default. */
    public KeyFilter keys() {
        return keys;
    }

    /** With a key filter: what to do with a write that touches keys inside and outside it ({@code --on-mixed-keys}). */
    public MixedKeys onMixedKeys() {
        return onMixedKeys;
    }

    /** Two-way sync: the id of the task copying the other way, or null to derive it from the addresses. */
    /** The id of a master's task continued from an earlier run (its slots changed since), or null. */
    String shardTaskId() {
        return shardTaskId;
    }

    /**
     * The options of a master's task that continues the earlier run's task {@code taskId} (found by its checkpoint's
     * replication history), though the master's slots changed since.
     */
    SyncOptions forContinuedShard(RedisEndpoint master, BitSet slots, String pairTask, String peerTask, String taskId) {
        Builder b = shardBuilder(master, slots, pairTask, peerTask);
        b.shardTaskId = taskId;
        return new SyncOptions(b);
    }

    /** What names a master's task of a cluster source when its slots do not (a master added empty), or null. */
    String shardLabel() {
        return shardLabel;
    }

    /**
     * The options of the task for a master that joined a cluster source while it was being copied, named by
     * {@code label} (its node id) since it may serve no slot yet.
     */
    SyncOptions forNewShard(RedisEndpoint master, String label, String pairTask, String peerTask) {
        Builder b = shardBuilder(master, new BitSet(), pairTask, peerTask);
        b.shardLabel = label;
        return new SyncOptions(b);
    }

    /** The Sentinels the source master is found with (followed through failovers), or null. */
    public dev.ferry.resp.Sentinel sourceSentinel() {
        return sourceSentinel;
    }

    /** The Sentinels the target master is found with (followed through failovers), or null. */
    public dev.ferry.resp.Sentinel targetSentinel() {
        return targetSentinel;
    }

    public String peerTask() {
        return peerTask;
    }

    /** One master's task of a two-way cluster task: the cluster task's id, the prefix of this task's; else null. */
    String pairTask() {
        return pairTask;
    }

    /** Where the task keeps local state, or null. */
    public Path stateDir() {
        return stateDir;
    }

    /** Largest value copied raw with RESTORE; larger ones are rewritten as commands. */
    public int rawLimit() {
        return rawLimit;
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** How often progress is reported; zero for never. */
    public Duration progressInterval() {
        return progressInterval;
    }

    /** Builds {@link SyncOptions}; every setting has a sane default. */
    public static final class Builder {
        private final RedisEndpoint source;
        private final RedisEndpoint target;
        private SyncMode mode = SyncMode.FULL_AND_INCREMENTAL;
        private Set<Integer> dbs;
        private DbMap dbMap = DbMap.identity();
        private ExistingKeys existing = ExistingKeys.CHECK;
        private boolean publish;
        private boolean twoWay;
        private boolean readReplica;
        private String peerTask;
        private dev.ferry.resp.Sentinel sourceSentinel;
        private dev.ferry.resp.Sentinel targetSentinel;
        private String shardLabel;
        private String targetName;
        private String shardTaskId;
        private String pairTask;
        private BitSet shardSlots;
        private KeyFilter keys = KeyFilter.all();
        private MixedKeys onMixedKeys = MixedKeys.STOP;
        private Path stateDir;
        private int rawLimit = 32 << 20;
        private Duration heartbeatInterval = Duration.ofSeconds(1);
        private Duration progressInterval = Duration.ofSeconds(1);
        private Duration retryFor = Duration.ofMinutes(720);
        private Duration sourceTimeout = Duration.ofSeconds(60);
        private int maxBatch = 10_000;
        private long spoolSize = 1L << 30;
        private Duration targetTimeout = Duration.ofSeconds(60);
        private Duration leaseTtl = Duration.ofSeconds(10);
        private boolean skipRefused;
        private SourceReset onSourceReset = SourceReset.STOP;
        private MemoryBudget memoryBudget = MemoryBudget.fromHeap();
        private dev.ferry.Throttle snapshotThrottle = dev.ferry.Throttle.none();
        private dev.ferry.Throttle streamThrottle = dev.ferry.Throttle.none();
        private boolean announceReplicaVersion = true;
        private boolean freshSync;

        private Builder(RedisEndpoint source, RedisEndpoint target) {
            this.source = Objects.requireNonNull(source, "source");
            this.target = Objects.requireNonNull(target, "target");
        }

        public Builder mode(SyncMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        public Builder dbs(Set<Integer> dbs) {
            if (dbs != null) {
                for (int db : dbs) {
                    if (db < 0) {
                        throw new IllegalArgumentException("dbs: " + db + " (expected: >= 0)");
                    }
                }
            }
            this.dbs = dbs == null || dbs.isEmpty() ? null : dbs;
            return this;
        }

        public Builder dbMap(DbMap dbMap) {
            this.dbMap = Objects.requireNonNull(dbMap, "dbMap");
            return this;
        }

        public Builder existing(ExistingKeys existing) {
            this.existing = Objects.requireNonNull(existing, "existing");
            return this;
        }

        public Builder keys(KeyFilter keys) {
            this.keys = Objects.requireNonNull(keys, "keys");
            return this;
        }

        public Builder onMixedKeys(MixedKeys policy) {
            this.onMixedKeys = Objects.requireNonNull(policy, "onMixedKeys");
            return this;
        }

        /**
         * Reads the stream from a replica of each source master, sparing the master (its heartbeat still goes to the
         * master); another replica, or the master, when that one goes away.
         */
        public Builder readReplica(boolean readReplica) {
            this.readReplica = readReplica;
            return this;
        }

        public Builder twoWay(boolean twoWay) {
            this.twoWay = twoWay;
            return this;
        }

        /** The source is the master of these Sentinels: the task asks them where it is at every (re)connect. */
        public Builder sourceSentinel(dev.ferry.resp.Sentinel sentinel) {
            this.sourceSentinel = sentinel;
            return this;
        }

        /**
         * The target is the master of these Sentinels: the task asks them where it is at every attempt and writes
         * there, resuming after a failover from the checkpoint the new master holds.
         */
        public Builder targetSentinel(dev.ferry.resp.Sentinel sentinel) {
            this.targetSentinel = sentinel;
            return this;
        }

        public Builder peerTask(String peerTask) {
            this.peerTask = peerTask;
            return this;
        }

        public Builder publish(boolean publish) {
            this.publish = publish;
            return this;
        }

        public Builder stateDir(Path stateDir) {
            this.stateDir = stateDir;
            return this;
        }

        public Builder rawLimit(int rawLimit) {
            if (rawLimit < 0) {
                throw new IllegalArgumentException("rawLimit: " + rawLimit + " (expected: >= 0)");
            }
            this.rawLimit = rawLimit;
            return this;
        }

        public Builder heartbeatInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("heartbeatInterval: " + interval + " (expected: > 0)");
            }
            this.heartbeatInterval = interval;
            return this;
        }

        public Builder progressInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("progressInterval: " + interval + " (expected: >= 0)");
            }
            this.progressInterval = interval;
            return this;
        }

        public Builder retryFor(Duration retryFor) {
            if (retryFor.isNegative()) {
                throw new IllegalArgumentException("retryFor: " + retryFor + " (expected: >= 0)");
            }
            this.retryFor = retryFor;
            return this;
        }

        public Builder sourceTimeout(Duration timeout) {
            if (timeout.toMillis() < 100) {
                throw new IllegalArgumentException("sourceTimeout: " + timeout + " (expected: >= 100 ms)");
            }
            this.sourceTimeout = timeout;
            return this;
        }

        public Builder maxBatch(int maxBatch) {
            if (maxBatch <= 0) {
                throw new IllegalArgumentException("maxBatch: " + maxBatch + " (expected: > 0)");
            }
            this.maxBatch = maxBatch;
            return this;
        }

        public Builder spoolSize(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("spoolSize: " + bytes + " (expected: >= 0)");
            }
            this.spoolSize = bytes;
            return this;
        }

        public Builder targetTimeout(Duration timeout) {
            if (timeout.toMillis() < 100) {
                throw new IllegalArgumentException("targetTimeout: " + timeout + " (expected: >= 100 ms)");
            }
            this.targetTimeout = timeout;
            return this;
        }

        public Builder leaseTtl(Duration ttl) {
            if (ttl.toMillis() < 2000) {
                throw new IllegalArgumentException("leaseTtl: " + ttl + " (expected: >= 2 s)");
            }
            this.leaseTtl = ttl;
            return this;
        }

        /** See {@link SyncOptions#targetName()}; null: the target's address. */
        public Builder targetName(String name) {
            this.targetName = name;
            return this;
        }

        public Builder skipRefused(boolean skip) {
            this.skipRefused = skip;
            return this;
        }

        public Builder onSourceReset(SourceReset policy) {
            this.onSourceReset = Objects.requireNonNull(policy, "onSourceReset");
            return this;
        }

        /** The memory budget of the process (default: {@link MemoryBudget#fromHeap()}); the tasks of a cluster share it. */
        public Builder memoryBudget(MemoryBudget budget) {
            this.memoryBudget = Objects.requireNonNull(budget, "memoryBudget");
            return this;
        }

        /** Limits on what the snapshot and the stream take from the source each second (default: none). */
        public Builder throttle(dev.ferry.Throttle snapshot, dev.ferry.Throttle stream) {
            this.snapshotThrottle = Objects.requireNonNull(snapshot, "snapshot");
            this.streamThrottle = Objects.requireNonNull(stream, "stream");
            return this;
        }

        /**
         * Whether Ferry announces a replica version to a Valkey 9+ source ({@code REPLCONF version}, default true).
         * Without it such a source sends RDB 11 and fails on a key that format cannot hold: false reproduces that.
         */
        public Builder announceReplicaVersion(boolean announce) {
            this.announceReplicaVersion = announce;
            return this;
        }

        public SyncOptions build() {
            return new SyncOptions(this);
        }
    }
}
