package dev.ferry.task;

import dev.ferry.cluster.Topology;
import dev.ferry.pipeline.SourceOrder;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisConnectionException;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RedisReplyException;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Keeps the writes of a cluster source's masters in the order its keys moved between them (resharding), for the
 * tasks of one cluster sync. A key lives on one master at a time; the old master's stream has its writes until it
 * moves (ending with {@code MIGRATE}'s {@code DEL}), the new master's stream those after ({@code RESTORE-ASKING},
 * then its own). The tasks run apart, so the new master's may be ahead: applied as they come, the old master's
 * {@code DEL} would land after the new master's {@code RESTORE} and the key would vanish on the target.
 *
 * <p>So a task holds back a write to a slot its master does not serve yet (importing), or only just took over:
 * <ul>
 *   <li>a slot another master still serves: the write happened on this master after whatever that master did to
 *       the key before; reading that master's offset now and waiting until its task has applied up to there puts
 *       those writes first. A key moved in ({@code RESTORE-ASKING}, or in a snapshot) first waits until the old
 *       master no longer holds it, since {@code MIGRATE} deletes it there only once this master answered;</li>
 *   <li>a slot that moved here (the cluster sync saw it move, {@link #moved}): the old master wrote to it up to the
 *       offset read after the move at most; once its task applied that far, the slot is this master's alone.</li>
 * </ul>
 * Writes to a master's own settled slots (nearly all of them) pass at once. Thread-safe.
 */
final class SourceOrdering {

    private static final Logger log = LoggerFactory.getLogger(SourceOrdering.class);
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    /** Writes to {@code slot} wait until {@code from} applied its master's stream up to {@code offset}. */
    private record Gate(SyncTask from, long offset) {
    }

    private final Supplier<List<SyncTask>> tasks;
    private final Map<Integer, Gate> gates = new ConcurrentHashMap<>();
    /** Slots each task's master gave away by an atomic migration: its writes to them are dropped. */
    private final Map<SyncTask, BitSet> givenAway = new ConcurrentHashMap<>();
    /** Slots each task's master imports atomically: its stream alone writes them, unordered. */
    private final Map<SyncTask, BitSet> importing = new ConcurrentHashMap<>();
    /** The master that served each slot before the last change seen. */
    private final RedisEndpoint[] previousOwner = new RedisEndpoint[dev.ferry.cluster.SlotHash.SLOTS];
    private volatile Topology view;

    SourceOrdering(Topology view, Supplier<List<SyncTask>> tasks) {
        this.view = view;
        this.tasks = tasks;
    }

    /** The source's slot map as the cluster sync last read it. */
    Topology view() {
        return view;
    }

    /** A new slot map; the gates of slots that moved must be set ({@link #moved}) before. */
    void view(Topology now) {
        Topology before = view;
        synchronized (previousOwner) {
            for (int slot = 0; slot < previousOwner.length; slot++) {
                RedisEndpoint was = before.ownerOf(slot);
                if (was != null && !was.equals(now.ownerOf(slot))) {
                    previousOwner[slot] = was;
                }
            }
        }
        for (Map.Entry<SyncTask, BitSet> e : importing.entrySet()) {
            synchronized (e.getValue()) {
                // Once the slot map names the importer, the slots are simply its own.
                e.getValue().andNot(now.slotsOf(e.getKey().source()));
            }
        }
        this.view = now;
    }

    /** {@code slot} moved away from the master {@code from} reads, which wrote to it up to {@code offset} at most. */
    void moved(int slot, SyncTask from, long offset) {
        gates.put(slot, new Gate(from, offset));
    }

    /** Drops the gates of a task whose master is gone: none of its writes can come any more. */
    void retired(SyncTask task) {
        gates.values().removeIf(g -> g.from() == task);
    }

    /** The hook of one task's replayer and snapshot. */
    SourceOrder forTask(SyncTask self) {
        Map<RedisEndpoint, RedisConnection> connections = new HashMap<>();
        return new SourceOrder() {
            @Override
            public boolean before(int slot, byte[] movedKey) {
                if (has(givenAway, self, slot)) {
                    return false;
                }
                if (has(importing, self, slot)) {
                    return true;
                }
                synchronized (connections) {
                    SourceOrdering.this.before(self, slot, movedKey, connections);
                }
                return true;
            }

            @Override
            public void importing(BitSet slots) {
                SourceOrdering.this.importing(self, slots);
            }
        };
    }

    private static boolean has(Map<SyncTask, BitSet> sets, SyncTask task, int slot) {
        BitSet set = sets.get(task);
        if (set == null) {
            return false;
        }
        synchronized (set) {
            return set.get(slot);
        }
    }

    private static void add(Map<SyncTask, BitSet> sets, SyncTask task, BitSet slots) {
        BitSet set = sets.computeIfAbsent(task, t -> new BitSet(dev.ferry.cluster.SlotHash.SLOTS));
        synchronized (set) {
            set.or(slots);
        }
    }

    private static void remove(Map<SyncTask, BitSet> sets, SyncTask task, BitSet slots) {
        BitSet set = sets.get(task);
        if (set != null) {
            synchronized (set) {
                set.andNot(slots);
            }
        }
    }

    /**
     * {@code self}'s master begins an atomic import of {@code slots}: the exporting master's task stops applying writes
     * to them (its later ones are in the importer's stream too, and its trimming of them after the move must not
     * land), and returns once what that task sent before is on the target.
     */
    private void importing(SyncTask self, BitSet slots) {
        int first = slots.nextSetBit(0);
        RedisEndpoint exporter = view.ownerOf(first);
        if (exporter == null || exporter.equals(self.source())) {
            synchronized (previousOwner) {
                exporter = previousOwner[first];
            }
        }
        SyncTask from = taskReading(exporter);
        remove(givenAway, self, slots);
        add(importing, self, slots);
        if (from == null || from == self) {
            log.warn("{} imports slots {} atomically from a master Ferry has no task for ({}): its copy is applied as is",
                    self.source().address(), dev.ferry.pipeline.SlotMigrations.describe(slots), exporter);
            return;
        }
        add(givenAway, from, slots);
        log.info("source resharding: {} imports slots {} atomically from {}: they are copied from the importer's stream"
                + " from now on", self.source().address(), dev.ferry.pipeline.SlotMigrations.describe(slots),
                from.source().address());
        awaitApplied(from, from.readOffset(), first);
    }

    private void before(SyncTask self, int slot, byte[] movedKey, Map<RedisEndpoint, RedisConnection> connections) {
        Gate gate = gates.get(slot);
        RedisEndpoint owner = view.ownerOf(slot);
        if (gate == null && self.source().equals(owner)) {
            return;
        }
        if (gate != null) {
            if (gate.from() == self) {
                // This master's own late writes to a slot it gave away (MIGRATE's DELs): in its stream's order.
                return;
            }
            awaitApplied(gate.from(), gate.offset(), slot);
            gates.remove(slot, gate);
            if (owner == null || self.source().equals(owner)) {
                return;
            }
        }
        SyncTask from = taskReading(owner);
        if (from == null || from == self) {
            return;
        }
        // This master is importing the slot: what its old master did before must land first.
        try {
            RedisConnection conn = connection(connections, from.source());
            if (movedKey != null) {
                awaitGone(conn, movedKey, slot);
            }
            long offset = ServerInfo.fetch(conn).getLong("master_repl_offset", -1);
            awaitApplied(from, offset, slot);
        } catch (RedisConnectionException e) {
            RedisConnection broken = connections.remove(from.source());
            if (broken != null) {
                broken.close();
            }
            throw new RedisConnectionException("a write to slot " + slot + ", which " + self.source().address()
                    + " is importing, must wait for what " + from.source().address() + " wrote before, and that master"
                    + " does not answer: " + e.getMessage(), e);
        }
    }

    private SyncTask taskReading(RedisEndpoint master) {
        if (master == null) {
            return null;
        }
        for (SyncTask t : tasks.get()) {
            if (master.equals(t.source())) {
                return t;
            }
        }
        return null;
    }

    private static RedisConnection connection(Map<RedisEndpoint, RedisConnection> connections, RedisEndpoint to) {
        RedisConnection conn = connections.get(to);
        if (conn == null || conn.isClosed()) {
            conn = RedisConnection.open(to, TIMEOUT, TIMEOUT);
            connections.put(to, conn);
        }
        return conn;
    }

    /** Waits until the old master no longer holds {@code key}: MIGRATE deletes it there once the new one took it. */
    private static void awaitGone(RedisConnection old, byte[] key, int slot) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            RespValue reply;
            try {
                reply = old.callChecked("EXISTS", key);
            } catch (RedisReplyException redirected) {
                // ASK or MOVED: the key is not there.
                return;
            }
            if (reply.asLong() == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new RedisConnectionException("a key of slot " + slot + " moved in, but "
                        + old.endpoint().address() + " still holds it after " + WAIT.toSeconds() + " s", null);
            }
            pause();
        }
    }

    private static void awaitApplied(SyncTask from, long offset, int slot) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        boolean logged = false;
        while (from.appliedOffset() < offset) {
            TaskState state = from.state();
            if (state == TaskState.FINISHED) {
                // Ended because its master left the cluster: nothing more of it will come.
                return;
            }
            if (state == TaskState.FAILED) {
                throw new RedisConnectionException("a write to slot " + slot + " must wait for the task of "
                        + from.source().address() + " to apply its writes up to offset " + offset + ", and it is "
                        + state.name().toLowerCase(java.util.Locale.ROOT), null);
            }
            if (System.nanoTime() > deadline) {
                throw new RedisConnectionException("a write to slot " + slot + " waited " + WAIT.toSeconds()
                        + " s for the task of " + from.source().address() + " to apply its writes up to offset "
                        + offset + " (it is at " + from.appliedOffset() + ")", null);
            }
            if (!logged && System.nanoTime() > deadline - WAIT.toNanos() + Duration.ofSeconds(5).toNanos()) {
                log.info("writes to slot {} wait for the task of {} to reach offset {} (at {})", slot,
                        from.source().address(), offset, from.appliedOffset());
                logged = true;
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.ferry.FerryException("interrupted", e);
        }
    }
}
