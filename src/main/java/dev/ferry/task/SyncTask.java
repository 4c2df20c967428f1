package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.pipeline.Filters;
import dev.ferry.pipeline.Replayer;
import dev.ferry.pipeline.SnapshotApplier;
import dev.ferry.pipeline.SyncCounters;
import dev.ferry.pipeline.WriteSink;
import dev.ferry.rdb.RdbHandler;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;
import dev.ferry.sink.TargetProfile;
import dev.ferry.sink.TargetWriter;
import dev.ferry.source.ReplicationLink;
import dev.ferry.source.ReplicationOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One sync from a source server to a target server: checks, then the snapshot and/or the stream,
 * until stopped, finished ({@link SyncMode#FULL}) or failed.
 *
 * <p>{@link #run()} blocks the calling thread; {@link #stop()} may be called from any thread (a signal
 * handler, a test) and makes {@code run} return normally after flushing what was read.
 */
public final class SyncTask {

    private static final Logger log = LoggerFactory.getLogger(SyncTask.class);
    private static final Duration SOURCE_READ_TIMEOUT = Duration.ofSeconds(60);

    private final SyncOptions options;
    private final SyncCounters counters = new SyncCounters();
    private final String taskId;
    private final CountDownLatch done = new CountDownLatch(1);
    private final ProgressReporter progress;

    private volatile TaskState state = TaskState.CREATED;
    private volatile FerryException failure;
    private volatile boolean stopRequested;
    private volatile ReplicationLink link;
    private volatile TargetWriter writer;
    private volatile long sourceKeys = -1;

    public SyncTask(SyncOptions options, ProgressReporter progress) {
        this.options = options;
        this.progress = progress;
        this.taskId = taskId(options);
    }

    /** A stable name for the task, from what it copies: the same command line gives the same id. */
    static String taskId(SyncOptions o) {
        String spec = o.source().address() + "->" + o.target().address() + " dbs=" + o.dbs();
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

    /** The heartbeat key this task writes on the source. */
    public String heartbeatKey() {
        return Filters.CONTROL_PREFIX + "hb:" + taskId;
    }

    public TaskState state() {
        return state;
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
        TargetWriter w = writer;
        return w == null ? -1 : w.ackedOffset();
    }

    /** The source offset of the last byte read from the stream, or -1. */
    public long receivedOffset() {
        ReplicationLink l = link;
        return l == null ? -1 : l.receivedOffset();
    }

    /** The error that ended the task, or null. */
    public FerryException failure() {
        return failure;
    }

    /** Asks the task to stop: it flushes what was read to the target, then {@link #run()} returns. */
    public void stop() {
        stopRequested = true;
        done.countDown();
    }

    /**
     * Runs the task until it is stopped, finished or failed.
     *
     * @throws FerryException why the task failed
     */
    public void run() {
        state = TaskState.PRECHECKING;
        RedisConnection targetConn = null;
        Heartbeat heartbeat = null;
        Thread linkThread = null;
        try {
            TargetProfile target;
            Set<String> modules;
            try (RedisConnection admin = RedisConnection.open(options.target())) {
                target = TargetProfile.probe(admin);
                if (ServerInfo.fetch(admin).isCluster()) {
                    throw new FerryException("target " + options.target().address()
                            + " is a Redis Cluster node: cluster targets are not supported yet");
                }
                modules = new HashSet<>(TargetProfile.modules(admin));
                checkExisting(admin);
            }
            ServerInfo sourceInfo;
            try (RedisConnection admin = RedisConnection.open(options.source())) {
                sourceInfo = ServerInfo.fetch(admin);
            }
            if (sourceInfo.isCluster()) {
                throw new FerryException("source " + options.source().address()
                        + " is a Redis Cluster node: cluster sources are not supported yet");
            }
            sourceKeys = sourceInfo.keysPerDb().entrySet().stream()
                    .filter(e -> options.dbs() == null || options.dbs().contains(e.getKey()))
                    .mapToLong(Map.Entry::getValue).sum();
            log.info("source {} (Redis {}, {} keys to copy), target {} (Redis {})", options.source(),
                    sourceInfo.version(), sourceKeys, options.target(), target.version());

            targetConn = RedisConnection.open(options.target());
            Filters filters = new Filters(options.dbs(), options.publish());
            Replayer[] replayerRef = new Replayer[1];
            TargetWriter w = new TargetWriter(targetConn, TargetWriter.Limits.defaults(),
                    offset -> replayerRef[0].onAck(offset));
            writer = w;
            WriteSink sink = w;
            RdbHandler snapshot = options.mode().copiesSnapshot()
                    ? new SnapshotApplier(target, sink, filters, counters, options.rawLimit(), modules, System::currentTimeMillis)
                    : Replayer.discardSnapshot();
            ReplicationLink l = new ReplicationLink(options.source(), w::ackedOffset, SOURCE_READ_TIMEOUT);
            link = l;
            replayerRef[0] = new Replayer(snapshot, sink, filters, counters,
                    heartbeatKey().getBytes(StandardCharsets.UTF_8), this::snapshotRead, target);

            // Incremental-only syncs also start with a full resync whose snapshot is read past, not applied: a
            // partial resync from the source's current offset would not say which database the next writes hit.
            ReplicationOffset from = null;
            state = options.mode().copiesSnapshot() ? TaskState.SNAPSHOT : TaskState.STREAMING;
            linkThread = new Thread(() -> runLink(l, from, replayerRef[0]), "ferry-link-" + options.source().address());
            linkThread.start();
            if (options.mode().streams()) {
                heartbeat = new Heartbeat(options.source(), heartbeatKey(), options.heartbeatInterval());
                heartbeat.start();
            }
            if (progress != null) {
                progress.start(this);
            }
            while (!done.await(100, TimeUnit.MILLISECONDS)) {
                if (w.failure() != null) {
                    fail(w.failure());
                }
            }
            state = TaskState.STOPPING;
            l.stop();
            linkThread.join();
            if (failure == null) {
                w.drain();
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
            if (heartbeat != null) {
                heartbeat.close();
            }
            if (progress != null) {
                progress.stop();
            }
            if (writer != null) {
                writer.close();
            } else if (targetConn != null) {
                targetConn.close();
            }
        }
        if (failure != null) {
            state = TaskState.FAILED;
            throw failure;
        }
        state = TaskState.FINISHED;
    }

    private void runLink(ReplicationLink l, ReplicationOffset from, Replayer replayer) {
        try {
            l.run(from, replayer);
            if (!stopRequested && state != TaskState.STOPPING && options.mode().streams()) {
                fail(new FerryException("the source closed the replication link"));
            }
        } catch (FerryException e) {
            fail(e);
        } catch (Exception e) {
            fail(new FerryException("replication link failed: " + e, e));
        }
    }

    private void snapshotRead() {
        log.info("snapshot read: {} keys ({} rewritten as commands, {} skipped)", counters.snapshotKeys.sum(),
                counters.snapshotKeysRewritten.sum(), counters.snapshotKeysSkipped.sum());
        if (options.mode() == SyncMode.FULL) {
            state = TaskState.STOPPING;
            link.stop();
            done.countDown();
        } else {
            state = TaskState.STREAMING;
        }
    }

    private void fail(FerryException e) {
        if (failure == null) {
            failure = e;
        }
        done.countDown();
    }

    private void checkExisting(RedisConnection target) {
        if (options.existing() != ExistingKeys.CHECK) {
            return;
        }
        Map<Integer, Long> keys = ServerInfo.fetch(target).keysPerDb();
        StringBuilder busy = new StringBuilder();
        for (Map.Entry<Integer, Long> e : keys.entrySet()) {
            if ((options.dbs() == null || options.dbs().contains(e.getKey())) && e.getValue() > 0
                    && hasUserKeys(target, e.getKey())) {
                busy.append(busy.length() == 0 ? "" : ", ").append("db").append(e.getKey()).append(": ")
                        .append(e.getValue()).append(" keys");
            }
        }
        if (busy.length() > 0) {
            throw new FerryException("target " + options.target().address() + " already holds keys (" + busy
                    + "): empty it, or pass --existing overwrite to replace same-name keys");
        }
    }

    /** Whether a database holds keys other than Ferry's own. */
    private static boolean hasUserKeys(RedisConnection conn, int db) {
        conn.callChecked("SELECT", Integer.toString(db));
        String cursor = "0";
        do {
            RespValue reply = conn.callChecked("SCAN", cursor, "COUNT", "1000");
            var items = ((RespValue.Array) reply).items();
            cursor = items.get(0).asText();
            for (RespValue k : ((RespValue.Array) items.get(1)).items()) {
                if (!Filters.isControlKey(((RespValue.Bulk) k).bytes())) {
                    return true;
                }
            }
        } while (!cursor.equals("0"));
        return false;
    }
}
