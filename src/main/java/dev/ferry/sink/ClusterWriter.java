package dev.ferry.sink;

import dev.ferry.FerryException;
import dev.ferry.MemoryBudget;
import dev.ferry.cluster.Redirect;
import dev.ferry.cluster.SlotHash;
import dev.ferry.cluster.Topology;
import dev.ferry.resp.ErrorKind;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;

/**
 * Applies commands to a Redis Cluster target over one {@link NodeWriter} per master, as Lettuce's
 * {@code ClusterDistributionChannelWriter} wraps its per-node writers. Each command goes where
 * {@link SlotRoute} says: its keys' slot master, every master, or nowhere; an {@code MSET} of several slots
 * is split per slot. A {@code MULTI … EXEC} is held until its {@code EXEC} and sent whole to the master of
 * its one slot. Writes to one key keep their order (one connection per master); writes to different masters
 * go in parallel.
 *
 * <p>Databases: a Valkey 9 cluster has {@code cluster-databases} of them. {@link #select} sets the database of the
 * writes that follow; each master's connection switches to it ({@code SELECT}) before its next write, as a
 * standalone {@link NodeWriter} does. A transaction carries the database of each of its commands: it starts in the
 * first one's database (selected before its {@code MULTI}), switches inside where they change, and ends back in the
 * first one's, so the connection is in that database whether the transaction ran or was discarded. A command
 * handed back after a redirection runs again in the database it was sent in. A Redis Cluster only ever sees
 * database 0, and no {@code SELECT} at all.
 *
 * <p>The cluster may change under the writer ({@link TargetChanges}): a command or transaction that a node did
 * not run ({@code MOVED}, {@code ASK}, {@code TRYAGAIN}, {@code CLUSTERDOWN}, {@code LOADING}, …) comes back from
 * its reply thread, and the producer's next call sends every such command again, in the order first sent,
 * once everything in flight has been answered: to the slot's new master after a {@code MOVED} (the slot map
 * read again, a connection opened to a master it did not know), after {@code ASKING} to the importing node for
 * an {@code ASK}, after a short wait for the others. Nothing is written meanwhile, so a key's writes keep their
 * order: a slot's later commands sent before the refusal was known were refused too (the node does not serve
 * the slot, or the key is missing on a migrating one). A slot whose old master is now a replica is a failover,
 * which may have lost writes the old master acknowledged: the writer fails with a retriable
 * {@link TargetChangedException}, and the task resumes from what the target's checkpoints say it holds.
 *
 * <p>The acknowledged offset is the lowest over the masters: each source offset is attached to every
 * master's window, so it counts once every master has answered every command sent before it. It does not
 * move while refused commands wait to be applied again.
 *
 * <p>Threading: as {@link TargetWriter}; the acknowledgement callback runs on the masters' reply threads
 * (or the producer thread), one call at a time, with increasing offsets.
 */
public final class ClusterWriter implements TargetWriter {

    private static final long NOT_FROZEN = Long.MAX_VALUE;
    private static final byte[] ASKING = "ASKING".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final Topology topology;
    private final NodeWriter.Limits limits;
    private final MemoryBudget.Account memory;
    private final List<NodeWriter> nodes = new CopyOnWriteArrayList<>();
    private final Map<RedisEndpoint, NodeWriter> byEndpoint = new HashMap<>();
    private final NodeWriter[] bySlot = new NodeWriter[SlotHash.SLOTS];
    private final LongConsumer onAck;
    private final Object ackLock = new Object();
    private long reportedAck = -1;
    /** What the masters' reply threads handed back, in the order each node answered; sent again by the producer. */
    private final ConcurrentLinkedQueue<TargetChanges.Returned> refused = new ConcurrentLinkedQueue<>();
    /** The acknowledged offset when the first of the refused commands came back, while they wait; else NOT_FROZEN. */
    private long frozenAck = NOT_FROZEN;
    private final TargetChanges changes;
    /** The last source offset given to {@link #advance}: where a master opened later starts. */
    private long lastAdvanced = -1;

    /** Most key-value pairs a gathered per-slot MSET holds before it goes. */
    private static final int MSET_PAIRS = 64;
    /** Most bytes of keys and values gathered MSETs hold in all before they all go. */
    private static final long MAX_GATHERED_BYTES = 4L << 20;
    /** Per slot, the MSET being gathered ({@code MSET k v k v …}), or null. */
    private final List<byte[]>[] gathered = newGathered();
    /** The slots with a gathered MSET, in the order they began. */
    private final java.util.LinkedHashSet<Integer> gatheredSlots = new java.util.LinkedHashSet<>();
    private long gatheredBytes;

    /** The open transaction's commands, held until its EXEC; null outside one. */
    private List<Queued> transaction;
    private long transactionCarry;
    private boolean prepaid;
    /** The database the following writes go to; a master's new connection is in database 0. */
    private int db;

    /**
     * Opens one connection per master of {@code topology} (a cluster) and starts their reply threads.
     *
     * @param onAck called with each newly acknowledged source offset; may be null
     * @throws FerryException a master cannot be reached
     */
    public ClusterWriter(Topology topology, NodeWriter.Limits limits, LongConsumer onAck, MemoryBudget.Account memory) {
        this.topology = topology;
        this.limits = limits;
        this.memory = memory;
        this.onAck = onAck;
        this.changes = new TargetChanges(topology.seed());
        try {
            mapSlots();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void write(byte[][] argv, long sourceOffset) {
        checkFailure();
        sendRefusedAgain();
        SlotRoute route = SlotRoute.of(argv);
        if (route.kind() == SlotRoute.Kind.SELECT) {
            select(databaseOf(argv), sourceOffset);
            return;
        }
        if (transaction != null) {
            switch (route.kind()) {
                case EXEC -> sendTransaction(sourceOffset);
                case DISCARD -> {
                    transaction = null;
                    transactionCarry = 0;
                    advance(sourceOffset);
                }
                case SLOT -> transaction.add(new Queued(argv, route.slot(), prepaid, db));
                case SKIP -> {
                }
                default -> throw new FerryException("cannot send " + Command.describe(argv) + " inside a transaction to"
                        + " a Redis Cluster: a transaction runs on one master");
            }
            return;
        }
        switch (route.kind()) {
            case MULTI -> {
                sendMsets();
                transaction = new ArrayList<>();
            }
            case SLOT -> {
                // A slot's writes keep their order: its gathered MSET goes first.
                sendMset(route.slot());
                nodeInDb(route.slot(), argv, db).write(argv, -1);
            }
            case BROADCAST -> {
                sendMsets();
                nodes.forEach(n -> {
                    n.select(db, -1);
                    n.write(argv, -1);
                });
            }
            case SPLIT -> gatherBySlot(argv);
            case SKIP -> {
            }
            default -> throw new FerryException(Command.describe(argv) + " without MULTI");
        }
        advance(sourceOffset);
    }

    /**
     * The writes that follow go to database {@code db} of every master (a transaction's commands each keep the
     * database they were written in); nothing is sent until a master gets a write.
     */
    @Override
    public void select(int db, long sourceOffset) {
        if (db < 0) {
            throw new IllegalArgumentException("db: " + db + " (expected: >= 0)");
        }
        if (db != this.db && transaction == null) {
            // The gathered MSETs belong to the database they were written in.
            sendMsets();
        }
        this.db = db;
        advance(sourceOffset);
    }

    @Override
    public int selectedDb() {
        return db;
    }

    @Override
    public void advance(long sourceOffset) {
        if (sourceOffset >= 0 && transaction == null) {
            // The offset counts once everything written before it is answered: gathered MSETs included.
            sendMsets();
            lastAdvanced = Math.max(lastAdvanced, sourceOffset);
            nodes.forEach(n -> n.advance(sourceOffset));
        }
    }

    @Override
    public void flush() {
        sendMsets();
        sendRefusedAgain();
        changes.tick();
        nodes.forEach(NodeWriter::flush);
    }

    @Override
    public boolean isCluster() {
        return true;
    }

    @Override
    public long ackedOffset() {
        synchronized (ackLock) {
            return Math.min(mastersAcked(), frozenAck);
        }
    }

    private long mastersAcked() {
        long min = Long.MAX_VALUE;
        for (NodeWriter n : nodes) {
            min = Math.min(min, n.ackedOffset());
        }
        return nodes.isEmpty() ? -1 : min;
    }

    @Override
    public void drain() throws InterruptedException {
        do {
            drainNodes();
        } while (sendRefusedAgain());
    }

    private void drainNodes() throws InterruptedException {
        sendMsets();
        nodes.forEach(NodeWriter::flush);
        for (NodeWriter n : nodes) {
            n.drain();
        }
    }

    @Override
    public boolean awaitDrained(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        do {
            sendMsets();
            nodes.forEach(NodeWriter::flush);
            for (NodeWriter n : nodes) {
                if (!n.awaitDrained(Math.max(0, deadline - System.currentTimeMillis()))) {
                    return false;
                }
            }
        } while (sendRefusedAgain());
        return true;
    }

    @Override
    public long stalledMillis() {
        long max = 0;
        for (NodeWriter n : nodes) {
            max = Math.max(max, n.stalledMillis());
        }
        return max;
    }

    @Override
    public void prepaid(boolean on) {
        this.prepaid = on;
    }

    @Override
    public void carry(long heap) {
        if (transaction == null) {
            throw new IllegalStateException("carry outside MULTI");
        }
        transactionCarry += heap;
    }

    @Override
    public void abort(FerryException e) {
        nodes.forEach(n -> n.abort(e));
    }

    @Override
    public FerryException failure() {
        for (NodeWriter n : nodes) {
            FerryException f = n.failure();
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    @Override
    public void close() {
        nodes.forEach(NodeWriter::close);
        changes.log();
    }

    private void checkFailure() {
        FerryException f = failure();
        if (f != null) {
            throw f;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<byte[]>[] newGathered() {
        return (List<byte[]>[]) new List[SlotHash.SLOTS];
    }

    /** (Re)builds the slot map from {@link #topology}, opening a writer for each master not known yet. */
    private void mapSlots() {
        for (RedisEndpoint master : topology.masters()) {
            NodeWriter node = nodeAt(master);
            topology.slotsOf(master).stream().forEach(slot -> bySlot[slot] = node);
        }
    }

    /** The writer of {@code master}, opened (and caught up with the stream's position) when new. */
    private NodeWriter nodeAt(RedisEndpoint master) {
        NodeWriter node = byEndpoint.get(master);
        if (node == null) {
            node = new NodeWriter(RedisConnection.open(master, "writer"), limits, offset -> nodeAcked(), memory,
                    r -> handBack(master, r));
            if (lastAdvanced >= 0) {
                node.advance(lastAdvanced);
            }
            byEndpoint.put(master, node);
            nodes.add(node);
        }
        return node;
    }

    /** Reply thread of {@code from}: it did not run {@code r}; the producer sends it again. */
    private void handBack(RedisEndpoint from, Refused r) {
        synchronized (ackLock) {
            // Called before r's node retires it: the offset cannot have moved past it yet.
            frozenAck = Math.min(frozenAck, mastersAcked());
        }
        refused.add(new TargetChanges.Returned(from, r));
    }

    /**
     * Producer thread: once every command in flight is answered, sends again, in order, what the masters did
     * not run, until none comes back; then lets the acknowledged offset move again.
     *
     * @return whether anything had come back
     * @throws FerryException a failover (retriable), or the cluster did not settle in time
     */
    private boolean sendRefusedAgain() {
        if (refused.isEmpty() || transaction != null) {
            return false;
        }
        TargetChanges.Round round = changes.round();
        while (true) {
            try {
                drainNodes();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FerryException("interrupted while the target cluster changed", e);
            }
            List<TargetChanges.Returned> back = new ArrayList<>();
            for (TargetChanges.Returned r; (r = refused.poll()) != null; ) {
                back.add(r);
            }
            if (back.isEmpty()) {
                break;
            }
            try {
                round.waitBeforeRetry(back);
                if (back.stream().anyMatch(r -> round.needsSlotMap(r.refused().kind()))) {
                    refreshSlotMap(back, round);
                }
            } catch (FerryException e) {
                abort(e);
                throw e;
            }
            for (TargetChanges.Returned r : back) {
                sendAgain(r, round);
            }
        }
        synchronized (ackLock) {
            frozenAck = NOT_FROZEN;
        }
        nodeAcked();
        round.end();
        return true;
    }

    /**
     * Reads the slot map again after a {@code MOVED} (or a cluster that is down, or a node that turned replica),
     * then takes each {@code MOVED}'s word for its slot, which may be newer than the node asked.
     *
     * @throws TargetChangedException a node that refused with {@code MOVED} is a replica now: a failover
     */
    private void refreshSlotMap(List<TargetChanges.Returned> back, TargetChanges.Round round) {
        NodeWriter[] before = bySlot.clone();
        topology.refresh();
        mapSlots();
        for (TargetChanges.Returned r : back) {
            Redirect to = Redirect.parse(r.refused().reply(), topology.seed());
            if (to != null && to.moved()) {
                bySlot[to.slot()] = nodeAt(to.node());
                round.checkNotFailedOver(r.from(), to);
            }
        }
        for (int slot = 0; slot < SlotHash.SLOTS; slot++) {
            if (before[slot] != bySlot[slot]) {
                round.slotMoved(slot, before[slot] == null ? null : endpointOf(before[slot]), endpointOf(bySlot[slot]));
            }
        }
    }

    private RedisEndpoint endpointOf(NodeWriter node) {
        for (Map.Entry<RedisEndpoint, NodeWriter> e : byEndpoint.entrySet()) {
            if (e.getValue() == node) {
                return e.getKey();
            }
        }
        return null;
    }

    /** Sends {@code r} again: after {@code ASKING} to the importing node for an {@code ASK}, else to its slot's master. */
    private void sendAgain(TargetChanges.Returned r, TargetChanges.Round round) {
        Refused refusal = r.refused();
        Redirect ask = refusal.kind() == ErrorKind.ASK ? Redirect.parse(refusal.reply(), topology.seed()) : null;
        byte[][] first = refusal.commands().get(0);
        SlotRoute route = SlotRoute.of(first);
        if (ask == null && route.kind() != SlotRoute.Kind.SLOT) {
            // A keyless write (FLUSHALL, SCRIPT LOAD) a node refused: it turned replica, a failover.
            throw round.failedOver(r.from(), refusal.reply());
        }
        int slot = ask != null ? ask.slot() : route.slot();
        NodeWriter node = ask != null ? nodeAt(ask.node()) : node(slot, first);
        round.sentAgain(refusal);
        if (refusal.db() >= 0) {
            // Before any ASKING, which holds for the one command after it.
            node.select(refusal.db(), -1);
        }
        if (ask != null) {
            node.write(new byte[][] {ASKING.clone()}, -1);
        }
        if (refusal.transaction()) {
            node.write(new byte[][] {CommandName.MULTI.name().getBytes()}, -1);
            refusal.commands().forEach(c -> node.write(c, -1));
            node.write(new byte[][] {CommandName.EXEC.name().getBytes()}, -1);
        } else {
            node.write(first, -1);
        }
    }

    /** The master of {@code slot}, its connection switched to {@code db}. */
    private NodeWriter nodeInDb(int slot, byte[][] argv, int db) {
        NodeWriter n = node(slot, argv);
        n.select(db, -1);
        return n;
    }

    private NodeWriter node(int slot, byte[][] argv) {
        NodeWriter n = bySlot[slot];
        if (n == null) {
            throw new FerryException("slot " + slot + " of " + Command.describe(argv) + " is served by no master of the"
                    + " target cluster: fix the cluster (redis-cli --cluster fix), then run again");
        }
        return n;
    }

    /**
     * An {@code MSET} of keys in several slots (the snapshot batches small strings so): its pairs join their slot's
     * gathered {@code MSET}, which goes once it holds {@value #MSET_PAIRS} pairs, before any other write to that
     * slot, or when everything is flushed. A batch of 100 keys over 16,384 slots would otherwise be 100 one-key
     * commands; gathered, a target master runs a few long ones (2.4 µs per key in one-key MSETs, 1.8 µs in 50-key
     * ones, measured here). At most {@value #MAX_GATHERED_BYTES} bytes wait so.
     */
    private void gatherBySlot(byte[][] argv) {
        for (int i = 1; i + 1 < argv.length; i += 2) {
            int slot = SlotHash.slot(argv[i]);
            List<byte[]> pairs = gathered[slot];
            if (pairs == null) {
                pairs = new ArrayList<>(2 * MSET_PAIRS + 1);
                pairs.add(argv[0]);
                gathered[slot] = pairs;
                gatheredSlots.add(slot);
            }
            pairs.add(argv[i]);
            pairs.add(argv[i + 1]);
            gatheredBytes += argv[i].length + argv[i + 1].length + 32;
            if (pairs.size() > 2 * MSET_PAIRS) {
                sendMset(slot);
            }
        }
        if (gatheredBytes > MAX_GATHERED_BYTES) {
            sendMsets();
        }
    }

    /** Sends slot {@code slot}'s gathered MSET, if any. */
    private void sendMset(int slot) {
        List<byte[]> pairs = gathered[slot];
        if (pairs == null) {
            return;
        }
        gathered[slot] = null;
        byte[][] mset = pairs.toArray(new byte[0][]);
        for (int i = 1; i < mset.length; i++) {
            gatheredBytes -= mset[i].length + 16;
        }
        nodeInDb(slot, mset, db).write(mset, -1);
    }

    /** Sends every gathered MSET. */
    private void sendMsets() {
        if (gatheredSlots.isEmpty()) {
            return;
        }
        for (int slot : gatheredSlots) {
            sendMset(slot);
        }
        gatheredSlots.clear();
        gatheredBytes = 0;
    }

    /** The open transaction, whole, to the master of its one slot. */
    private void sendTransaction(long sourceOffset) {
        List<Queued> tx = transaction;
        long carried = transactionCarry;
        transaction = null;
        transactionCarry = 0;
        if (tx.isEmpty()) {
            advance(sourceOffset);
            return;
        }
        int slot = tx.get(0).slot;
        for (Queued q : tx) {
            if (q.slot != slot) {
                throw new FerryException("a transaction for the target cluster spans slots " + slot + " and " + q.slot
                        + " (" + Command.describe(q.argv) + "): a Redis Cluster runs a transaction on one slot only");
            }
        }
        send(slot, tx, carried);
        advance(sourceOffset);
    }

    /**
     * Sends {@code MULTI}, {@code writes} (whose memory the caller already holds), {@code last}, {@code EXEC} to
     * the master of {@code slot}, each command in its database, without looking at their keys: the caller routed
     * them. The {@code carried} heap is given back when the {@code EXEC} is answered. Called by the producer
     * thread, outside a transaction.
     */
    public void slotTransaction(int slot, List<DbCommand> writes, DbCommand last, long carried) {
        checkFailure();
        sendMsets();
        sendRefusedAgain();
        if (transaction != null) {
            throw new IllegalStateException("slotTransaction inside MULTI");
        }
        List<Queued> tx = new ArrayList<>(writes.size() + 1);
        writes.forEach(w -> tx.add(new Queued(w.argv(), slot, true, w.db())));
        tx.add(new Queued(last.argv(), slot, false, last.db()));
        send(slot, tx, carried);
    }

    /**
     * {@code tx} in one transaction on the master of {@code slot}, from the first command's database, switching
     * inside where the commands' databases change, and back to the first at the end: whether the transaction runs
     * or is discarded, the connection is then in the database it was in before {@code MULTI}, as the writer thinks.
     */
    private void send(int slot, List<Queued> tx, long carried) {
        int first = tx.get(0).db;
        NodeWriter node = nodeInDb(slot, tx.get(0).argv, first);
        node.write(new byte[][] {CommandName.MULTI.name().getBytes()}, -1);
        node.carry(carried);
        for (Queued q : tx) {
            node.select(q.db, -1);
            node.prepaid(q.prepaid);
            try {
                node.write(q.argv, -1);
            } finally {
                node.prepaid(false);
            }
        }
        node.select(first, -1);
        node.write(new byte[][] {CommandName.EXEC.name().getBytes()}, -1);
    }

    private static int databaseOf(byte[][] select) {
        try {
            return Integer.parseInt(new String(select[1], java.nio.charset.StandardCharsets.US_ASCII));
        } catch (RuntimeException e) {
            throw new FerryException("malformed " + Command.describe(select) + " for the target cluster");
        }
    }

    /** A master acknowledged more: reports the new lowest offset over all masters, if it moved. */
    private void nodeAcked() {
        if (onAck == null) {
            return;
        }
        synchronized (ackLock) {
            long acked = Math.min(mastersAcked(), frozenAck);
            if (acked > reportedAck) {
                reportedAck = acked;
                onAck.accept(acked);
            }
        }
    }

    /**
     * A command of the open transaction, with its slot, whether its memory is already held by the caller, and its
     * database.
     */
    private record Queued(byte[][] argv, int slot, boolean prepaid, int db) {
    }
}
