package dev.ferry.pipeline;

import dev.ferry.rdb.RdbEntry;
import dev.ferry.rdb.RdbHandler;
import dev.ferry.sink.CommandName;
import dev.ferry.sink.TargetProfile;
import dev.ferry.sink.WriteSink;
import dev.ferry.source.ReplicationListener;
import dev.ferry.source.ReplicationOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * Turns what a replication link reads into writes: the snapshot through a {@link SnapshotApplier},
 * then each stream command verbatim, with {@code SELECT} tracking, minus what must not reach the
 * target: {@code PING}, {@code REPLCONF}, Ferry's own control keys, {@code PUBLISH} (unless asked),
 * and databases outside the filter.
 *
 * <p>Runs on the link's thread; {@link #onAck} runs on the target writer's reply thread.
 */
public final class Replayer implements ReplicationListener {

    private static final Logger log = LoggerFactory.getLogger(Replayer.class);
    private static final byte[] RESTORE = "RESTORE".getBytes(StandardCharsets.US_ASCII);

    /** Milestones of the link, for the task: where checkpoints start and what the log says. */
    public interface Lifecycle {
        /** A full resync starts at {@code start}; the snapshot follows. */
        void fullResync(ReplicationOffset start);

        /** The snapshot has been read and handed to the target; the stream starts at {@code start}. */
        void snapshotRead(ReplicationOffset start);

        /** The source continues the stream after {@code position}. */
        void partialResync(ReplicationOffset position);
    }

    private final RdbHandler snapshotHandler;
    /** Orders writes of keys that moved between masters of a cluster source; null otherwise. */
    private SourceOrder sourceOrder;
    private CommandKeys orderKeys;
    private volatile long lastOffset = -1;
    /** Set while a command rewritten from one already ordered is replayed. */
    private boolean ordered;
    private final WriteSink sink;
    private final Filters filters;
    private final SyncCounters counters;
    private final byte[] heartbeatKey;
    private final Lifecycle lifecycle;
    private final CommandTranslator translator;
    private final ReplicaForms replicaForms;
    private final SlotMigrations slotMigrations = new SlotMigrations();
    private final TargetProfile target;
    /** Null when every database is copied into the same number: then no command needs translating. */
    private final DbCommands dbCommands;
    private int db;
    private int resumeDb = -1;
    private long appliedThrough = -1;
    /** Writes forwarded inside the source transaction being read, not counted yet. */
    private long transactionForwarded;
    private boolean retryNext;
    private ReplicationOffset snapshotStart;

    /** Two-way sync: the reverse task's marks, and which of its tasks (one per master of a cluster) copy a snapshot. */
    private PeerMarks peerMarks;
    private Predicate<byte[]> peerMarkIsSnapshot;
    private Runnable discardTransaction;
    private boolean inSourceTransaction;
    private final Set<String> peersInSnapshot = new HashSet<>();
    private boolean peerSnapshot;
    private ConflictWatch conflicts;
    /** Two-way sync: the first keys written inside the source transaction being read. */
    private final List<byte[]> transactionKeys = new ArrayList<>();
    private long conflictsReported;
    private IntFunction<Map<Integer, List<byte[][]>>> ownedFlush;
    private CommandKeys commandKeys;
    private MixedKeys onMixedKeys = MixedKeys.STOP;
    private long mixedKeysReported;

    private final Object heartbeatLock = new Object();
    private long heartbeatOffset = -1;
    private long heartbeatSentAt;

    /**
     * @param snapshotHandler where snapshot entries go; {@link #discardSnapshot()} for incremental-only sync
     * @param heartbeatKey the key of this task's heartbeat, which measures lag
     * @param target the target's capabilities, for rewriting commands it does not know; null to forward all as is
     */
    public Replayer(RdbHandler snapshotHandler, WriteSink sink, Filters filters, SyncCounters counters,
                    byte[] heartbeatKey, Lifecycle lifecycle, TargetProfile target) {
        this.snapshotHandler = snapshotHandler;
        this.sink = sink;
        this.filters = filters;
        this.counters = counters;
        this.heartbeatKey = heartbeatKey;
        this.lifecycle = lifecycle;
        this.translator = target == null ? null : new CommandTranslator(target);
        this.replicaForms = target == null ? null : new ReplicaForms(target.protoMaxBulkLen());
        this.target = target;
        this.dbCommands = filters.dbs() == null && filters.dbMap().isIdentity() ? null : new DbCommands(filters);
    }

    /** A snapshot handler that reads past every key: for a sync of later writes only. */
    public static RdbHandler discardSnapshot() {
        return new RdbHandler() {
            @Override
            public void entry(RdbEntry entry) {
                // Left unread: the parser skips the value.
            }
        };
    }

    /**
     * Two-way sync: drops every source transaction that carries one of {@code marks}, the checkpoint keys of
     * the task copying the other way (of any of its tasks, one per master of a cluster source, and any slot's),
     * because that task applied it here (sending it back would loop); while a mark says one of those tasks
     * copies a snapshot, drops every write (its snapshot's writes carry no mark).
     *
     * @param isSnapshot tells, from a mark's value, whether the peer task is copying a snapshot
     * @param discardTransaction drops the source transaction being read ({@code TransactionalSink#discardSourceTransaction})
     */
    public void twoWay(PeerMarks marks, Predicate<byte[]> isSnapshot, Runnable discardTransaction) {
        this.peerMarks = marks;
        this.peerMarkIsSnapshot = isSnapshot;
        this.discardTransaction = discardTransaction;
        this.conflicts = new ConflictWatch();
    }

    /**
     * When this task owns only some keys of the target (one master of a cluster source, or a key filter):
     * {@code FLUSHALL} and {@code FLUSHDB} become the {@code DEL}s that {@code deletes} lists, by target database,
     * for a target database (-1: every one the copied databases land in): the target keys this task owns, not a
     * flush of the whole target.
     */
    public void ownedFlush(IntFunction<Map<Integer, List<byte[][]>>> deletes) {
        this.ownedFlush = deletes;
    }

    /**
     * Copies only the writes to keys {@code filters.keys()} lets through; {@code keys} tells where a
     * command's keys are. Without this call, every key is copied.
     */
    public void filterKeys(CommandKeys keys) {
        this.commandKeys = filters.keys().isAll() ? null : keys;
    }

    /**
     * The stream resumes at a position after which writes are already applied on the target up to
     * {@code through} (a transaction in which the target refused one write applied the others): those are
     * passed over, except the first when {@code retryFirst} (the refused one, applied again).
     */
    public void resumeApplied(long through, boolean retryFirst) {
        this.appliedThrough = through;
        this.retryNext = retryFirst;
    }

    /** With a key filter: what to do with a write that touches keys inside and outside it ({@link MixedKeys#STOP} by default). */
    public void onMixedKeys(MixedKeys policy) {
        this.onMixedKeys = policy;
    }

    /** The source database at the position a partial resync continues from (from the checkpoint). */
    public void resumeDb(int db) {
        this.resumeDb = db;
    }

    /** The source's version, which decides how some of its commands are translated for an older target. */
    public void sourceVersion(dev.ferry.resp.ServerInfo.Version version) {
        if (translator != null) {
            translator.sourceVersion(version);
        }
    }

    /** The source database the stream is in now, or -1 when unknown. */
    public int currentDb() {
        return db;
    }

    @Override
    public void fullResync(ReplicationOffset start) {
        db = 0;
        snapshotStart = start;
        lifecycle.fullResync(start);
    }

    @Override
    public RdbHandler snapshotHandler() {
        return snapshotHandler;
    }

    @Override
    public void snapshotEnd() {
        // Redis re-sends SELECT after a full sync; until then the stream is in db 0.
        db = 0;
        lifecycle.snapshotRead(snapshotStart);
        sink.flush();
    }

    @Override
    public void partialResync(ReplicationOffset position) {
        // The source does not re-send SELECT on a partial resync: the database comes from the checkpoint,
        // and the target connection, new, must be moved there before the first write.
        db = resumeDb;
        lifecycle.partialResync(position);
        if (db >= 0 && filters.includesDb(db)) {
            sink.select(filters.targetDb(db), -1);
        }
    }

    /** The source offset after the last command handled (sent on to the sink, or dropped), or -1. */
    public long lastOffset() {
        return lastOffset;
    }

    @Override
    public void command(byte[][] argv, long offsetAfter) {
        lastOffset = offsetAfter;
        CommandName name = CommandName.of(argv[0]);
        if (mayMigrateSlots(name) && slotMigrations.consumes(argv)) {
            // An atomic slot migration's own step, or an importing master's copy of what another master's stream has.
            drop(offsetAfter, true);
            return;
        }
        if (offsetAfter <= appliedThrough && isWrite(name, argv)) {
            if (!retryNext) {
                drop(offsetAfter, false);
                return;
            }
            retryNext = false;
        }
        if (sourceOrder != null && !ordered && isWrite(name, argv) && !awaitOrder(name, argv)) {
            // A write to a slot this master gave away atomically: the new master's stream has it.
            drop(offsetAfter, true);
            return;
        }
        switch (name) {
            case PING, REPLCONF -> drop(offsetAfter, false);
            case SELECT -> select(argv, offsetAfter);
            case MULTI, EXEC, DISCARD -> {
                inSourceTransaction = name == CommandName.MULTI;
                // Writes of a source transaction count once it ends: a two-way task may still drop it whole.
                counters.commandsForwarded.add(transactionForwarded);
                transactionForwarded = 0;
                if (conflicts != null) {
                    // A transaction that ends without the peer's mark was written by a client of the source.
                    long now = System.currentTimeMillis();
                    for (byte[] key : transactionKeys) {
                        conflicts.local(key, now);
                    }
                    transactionKeys.clear();
                }
                sink.write(argv, offsetAfter);
            }
            case PUBLISH, SPUBLISH -> {
                if (filters.publish() && filters.includesDb(db) && !peerSnapshot) {
                    forward(argv, offsetAfter);
                } else {
                    drop(offsetAfter, true);
                }
            }
            case FLUSHALL -> flushAll(argv, offsetAfter);
            case FLUSHDB -> {
                if (db < 0 || !filters.includesDb(db) || peerSnapshot) {
                    drop(offsetAfter, true);
                    return;
                }
                if (dbCommands != null) {
                    dbCommands.checkFlushDb(db, offsetAfter);
                }
                if (ownedFlush != null) {
                    ownedFlush(filters.targetDb(db), offsetAfter);
                } else {
                    forward(argv, offsetAfter);
                }
            }
            case RESTORE_ASKING -> {
                // A key MIGRATE moved into this node of a cluster source: a plain RESTORE elsewhere.
                byte[][] restore = argv.clone();
                restore[0] = RESTORE;
                ordered = true;
                try {
                    command(restore, offsetAfter);
                } finally {
                    ordered = false;
                }
            }
            default -> {
                if (db < 0) {
                    throw new dev.ferry.FerryException("the source sent " + dev.ferry.sink.Command.name(argv)
                            + " at offset " + offsetAfter + " before any SELECT: the target database is unknown");
                }
                if (Filters.writesControlKeysOnly(argv)) {
                    controlKey(argv, offsetAfter);
                } else if (filters.includesDb(db) && !peerSnapshot) {
                    if (dbCommands != null && DbCommands.namesADatabase(argv[0])) {
                        byte[][] translated = dbCommands.translate(argv, db, offsetAfter);
                        if (translated == null) {
                            drop(offsetAfter, true);
                            return;
                        }
                        argv = translated;
                    }
                    if (commandKeys == null) {
                        forward(argv, offsetAfter);
                    } else {
                        forwardFilteredByKey(argv, offsetAfter);
                    }
                } else {
                    drop(offsetAfter, true);
                }
            }
        }
    }

    /**
     * Orders this master's writes after another master's for keys that moved between them (resharding of a cluster
     * source): each write whose keys the {@code keys} table locates goes through {@code order} first.
     */
    public void sourceOrder(SourceOrder order, CommandKeys keys, Function<BitSet, Map<Integer, List<byte[][]>>> slotDeletes) {
        this.sourceOrder = order;
        this.orderKeys = keys;
        // An atomic import's copy is applied here (the exporting master's task stops writing those slots), over the
        // target's keys of those slots deleted first.
        slotMigrations.keepCopy(new SlotMigrations.Listener() {
            @Override
            public void importing(BitSet slots) {
                order.importing(slots);
                for (Map.Entry<Integer, List<byte[][]>> e : slotDeletes.apply(slots).entrySet()) {
                    sink.select(e.getKey(), -1);
                    for (byte[][] del : e.getValue()) {
                        sink.write(del, -1);
                    }
                }
                if (db >= 0 && filters.includesDb(db)) {
                    sink.select(filters.targetDb(db), -1);
                }
            }

            @Override
            public void failed(BitSet slots) {
                throw new dev.ferry.FerryException("the source's atomic migration of slots " + SlotMigrations.describe(slots)
                        + " failed; Ferry follows successful ones only (the exporting master's writes to them were left"
                        + " to this import): copy again with --mode full");
            }
        });
    }

    /** Holds the write back until what another master's task must apply before it is applied; false: drop it. */
    private boolean awaitOrder(CommandName name, byte[][] argv) {
        if (name == CommandName.RESTORE_ASKING) {
            return sourceOrder.before(dev.ferry.cluster.SlotHash.slot(argv[1]), argv[1]);
        }
        int[] keys;
        try {
            keys = orderKeys.keyIndexes(argv);
        } catch (dev.ferry.FerryException unknown) {
            // A command whose keys Ferry cannot locate is handled (or refused) as before; it cannot be ordered.
            return true;
        }
        return keys.length == 0 || sourceOrder.before(dev.ferry.cluster.SlotHash.slot(argv[keys[0]]), null);
    }

    @Override
    public void idle() {
        sink.flush();
    }

    /** Called with each offset the target acknowledged: completes a heartbeat's lag measurement. */
    public void onAck(long ackedOffset) {
        long sentAt;
        synchronized (heartbeatLock) {
            if (heartbeatOffset < 0 || ackedOffset < heartbeatOffset) {
                return;
            }
            sentAt = heartbeatSentAt;
            heartbeatOffset = -1;
        }
        counters.lag.applied(sentAt, System.currentTimeMillis());
    }

    private void forward(byte[][] command, long offsetAfter) {
        byte[][] argv = replicaForms == null ? command : replicaForms.adapt(command, offsetAfter);
        byte[] key = conflicts == null || argv.length < 2 ? null : SlotMigrations.firstKey(argv);
        if (key != null) {
            // XGROUP CREATE key …: the key, not the subcommand (which made every such write look like a conflict).
            if (inSourceTransaction) {
                transactionKeys.add(key);
            } else {
                conflicts.local(key, System.currentTimeMillis());
            }
        }
        if (target != null && StreamRestore.needsAdapting(argv, target)) {
            StreamRestore.adapt(argv, target, sink, offsetAfter);
        } else {
            byte[][] sent = translator == null || !translator.mayTranslate(argv[0]) ? argv
                    : translator.translate(name(argv[0]), argv);
            if (sent != null) {
                sink.write(sent, offsetAfter);
            } else {
                sink.advance(offsetAfter);
            }
        }
        if (inSourceTransaction) {
            transactionForwarded++;
        } else {
            counters.commandsForwarded.increment();
        }
    }

    /**
     * A write with keys inside and outside the key filter: all inside, forwarded; all outside, dropped;
     * mixed, the commands that act on each key alone keep the keys inside ({@code MSET}, {@code DEL}...),
     * and any other stops the sync, since part of it cannot be applied.
     */
    private void forwardFilteredByKey(byte[][] argv, long offsetAfter) {
        int[] keys = commandKeys.keyIndexes(argv);
        int inside = 0;
        for (int i : keys) {
            if (i < argv.length && dev.ferry.resp.SpilledBulk.of(argv[i]) != null) {
                throw new dev.ferry.FerryException("the source sent " + dev.ferry.sink.Command.describe(argv) + " at offset "
                        + offsetAfter + ": its argument " + i + " is a key of more than 1 MiB, which Ferry does not match against "
                        + filters.keys());
            }
            if (i < argv.length && filters.keys().matches(argv[i])) {
                inside++;
            }
        }
        if (keys.length == 0 || inside == keys.length) {
            forward(argv, offsetAfter);
            return;
        }
        if (inside == 0) {
            drop(offsetAfter, true);
            return;
        }
        String name = new String(argv[0], StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
        List<byte[]> kept = new ArrayList<>();
        switch (name) {
            case "MSET", "MSETNX" -> {
                // In the stream MSETNX means it set every key: an MSET of the kept ones does the same here.
                kept.add("MSET".getBytes(StandardCharsets.US_ASCII));
                for (int i = 1; i + 1 < argv.length; i += 2) {
                    if (filters.keys().matches(argv[i])) {
                        kept.add(argv[i]);
                        kept.add(argv[i + 1]);
                    }
                }
            }
            case "DEL", "UNLINK", "TOUCH" -> {
                kept.add(argv[0]);
                for (int i = 1; i < argv.length; i++) {
                    if (filters.keys().matches(argv[i])) {
                        kept.add(argv[i]);
                    }
                }
            }
            default -> {
                mixedKeys(argv, offsetAfter);
                return;
            }
        }
        forward(kept.toArray(new byte[0][]), offsetAfter);
    }

    /** Whether a stream command changes data on the target (not a ping, a SELECT, a transaction mark, Ferry's own key). */
    /** Whether {@code name} may be a slot migration's step or a write to a key (not a command Ferry handles by name). */
    private static boolean mayMigrateSlots(CommandName name) {
        return switch (name) {
            case PING, REPLCONF, SELECT, MULTI, EXEC, DISCARD, PUBLISH, SPUBLISH, FLUSHALL, FLUSHDB -> false;
            default -> true;
        };
    }

    private static boolean isWrite(CommandName name, byte[][] argv) {
        return switch (name) {
            case PING, REPLCONF, SELECT, MULTI, EXEC, DISCARD -> false;
            default -> !Filters.writesControlKeysOnly(argv);
        };
    }

    /** A write that cannot be split by key: stopped, applied whole or dropped, as the user chose; logged like conflicts. */
    private void mixedKeys(byte[][] argv, long offsetAfter) {
        if (onMixedKeys == MixedKeys.STOP) {
            throw new dev.ferry.FerryException("the source sent " + dev.ferry.sink.Command.describe(argv)
                    + " at offset " + offsetAfter + ", which touches keys both inside and outside " + filters.keys()
                    + ": Ferry cannot apply part of it; choose patterns that keep such keys together, or restart with"
                    + " --on-mixed-keys apply (the target also gets the keys outside the filter) or --on-mixed-keys drop"
                    + " (such writes are left out)");
        }
        counters.commandsMixedKeys.increment();
        mixedKeysReported++;
        if (mixedKeysReported <= 20 || mixedKeysReported % 1000 == 0) {
            log.warn("--on-mixed-keys {}: {} at offset {} touches keys both inside and outside {} ({} so far)",
                    onMixedKeys.text(), dev.ferry.sink.Command.describe(argv), offsetAfter, filters.keys(), mixedKeysReported);
        }
        if (onMixedKeys == MixedKeys.APPLY) {
            forward(argv, offsetAfter);
        } else {
            drop(offsetAfter, true);
        }
    }

    private void drop(long offsetAfter, boolean count) {
        sink.advance(offsetAfter);
        if (count) {
            counters.commandsFiltered.increment();
        }
    }

    private void select(byte[][] argv, long offsetAfter) {
        try {
            db = Integer.parseInt(new String(argv[1], StandardCharsets.US_ASCII));
        } catch (RuntimeException e) {
            throw new dev.ferry.FerryException("malformed SELECT in the replication stream at offset " + offsetAfter);
        }
        if (filters.includesDb(db)) {
            sink.select(filters.targetDb(db), offsetAfter);
        } else {
            sink.advance(offsetAfter);
        }
    }

    private void flushAll(byte[][] argv, long offsetAfter) {
        if (peerSnapshot) {
            drop(offsetAfter, true);
            return;
        }
        if (ownedFlush != null) {
            ownedFlush(-1, offsetAfter);
            return;
        }
        if (filters.dbs() == null) {
            forward(argv, offsetAfter);
            return;
        }
        // With a database filter, FLUSHALL empties only the databases this sync owns: where the copied ones land.
        byte[][] rest = Arrays.copyOfRange(argv, 1, argv.length);
        for (int target : filters.dbMap().destinations(filters.dbs())) {
            sink.select(target, -1);
            byte[][] flushDb = new byte[1 + rest.length][];
            flushDb[0] = "FLUSHDB".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(rest, 0, flushDb, 1, rest.length);
            sink.write(flushDb, -1);
        }
        if (filters.includesDb(db)) {
            sink.select(filters.targetDb(db), offsetAfter);
        } else {
            sink.advance(offsetAfter);
        }
        counters.commandsForwarded.increment();
    }

    private void controlKey(byte[][] argv, long offsetAfter) {
        if (peerMarks != null && argv.length >= 3 && CommandName.of(argv[0]) == CommandName.SET) {
            String peer = peerMarks.taskOf(argv[1]);
            if (peer != null) {
                peerMark(peer, argv[2]);
            }
        }
        if (argv.length >= 3 && Arrays.equals(argv[1], heartbeatKey) && CommandName.of(argv[0]) == CommandName.SET) {
            try {
                long sentAt = Long.parseLong(new String(argv[2], StandardCharsets.US_ASCII));
                synchronized (heartbeatLock) {
                    heartbeatOffset = offsetAfter;
                    heartbeatSentAt = sentAt;
                }
            } catch (NumberFormatException e) {
                log.debug("heartbeat with a value that is not a time: ignored");
            }
        }
        sink.advance(offsetAfter);
    }

    /**
     * The source emptied what lands in target database {@code flushedDb} (-1: all): on the target only this
     * task's keys go, as {@code DEL}s listed once every earlier write is applied, then the connection goes back
     * to where the source's database lands.
     */
    private void ownedFlush(int flushedDb, long offsetAfter) {
        for (Map.Entry<Integer, List<byte[][]>> e : ownedFlush.apply(flushedDb).entrySet()) {
            sink.select(e.getKey(), -1);
            for (byte[][] del : e.getValue()) {
                sink.write(del, -1);
            }
        }
        if (db >= 0 && filters.includesDb(db)) {
            sink.select(filters.targetDb(db), -1);
        }
        sink.advance(offsetAfter);
        counters.commandsForwarded.increment();
    }

    /** The checkpoint of the reverse task {@code peer} went by: what it applied here must not go back. */
    private void peerMark(String peer, byte[] value) {
        if (inSourceTransaction) {
            // A batch the reverse task applied here; the mark is its last write, so drop the whole transaction,
            // and go back to where the source's database lands, which the dropped part may have changed.
            discardTransaction.run();
            if (db >= 0 && filters.includesDb(db)) {
                sink.select(filters.targetDb(db), -1);
            }
            counters.transactionsLooped.increment();
            transactionForwarded = 0;
            long now = System.currentTimeMillis();
            for (byte[] key : transactionKeys) {
                long ago = conflicts.peer(key, now);
                if (ago >= 0) {
                    reportConflict(key, ago);
                }
            }
            transactionKeys.clear();
        }
        boolean snapshot = peerMarkIsSnapshot.test(value);
        boolean changed = snapshot ? peersInSnapshot.add(peer) : peersInSnapshot.remove(peer);
        if (changed && snapshot) {
            log.warn("the reverse task {} is copying a full snapshot into this task's source: until it streams again,"
                    + " no write of the source is carried back (writes made there meanwhile stay there)", peer);
        } else if (changed && peersInSnapshot.isEmpty()) {
            log.info("the reverse task {} streams again: writes of the source are carried back again", peer);
        }
        peerSnapshot = !peersInSnapshot.isEmpty();
    }

    /** Logged for the first 20 conflicts, then every 1,000th; all are counted. */
    private void reportConflict(byte[] key, long agoMs) {
        counters.conflicts.increment();
        conflictsReported++;
        if (conflictsReported <= 20 || conflictsReported % 1000 == 0) {
            log.warn("two-way: key {} was written on both sides at about the same time (here by a client, then by the"
                    + " reverse task, read {} ms apart): the two sides may now hold different values; compare them with"
                    + " ferry verify ({} so far)", dev.ferry.sink.Command.printable(key), agoMs, conflictsReported);
        }
    }

    private static String name(byte[] arg) {
        return new String(arg, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }
}
