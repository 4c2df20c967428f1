package dev.ferry.sink;

import dev.ferry.FerryException;
import dev.ferry.MemoryBudget;
import dev.ferry.cluster.SlotHash;
import dev.ferry.cluster.Topology;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Applies commands to a Redis Cluster target over one {@link NodeWriter} per master, as Lettuce's
 * {@code ClusterDistributionChannelWriter} wraps its per-node writers. Each command goes where
 * {@link SlotRoute} says: its keys' slot master, every master, or nowhere; an {@code MSET} of several slots
 * is split per slot. A {@code MULTI … EXEC} is held until its {@code EXEC} and sent whole to the master of
 * its one slot. Writes to one key keep their order (one connection per master); writes to different masters
 * go in parallel.
 *
 * <p>The acknowledged offset is the lowest over the masters: each source offset is attached to every
 * master's window, so it counts once every master has answered every command sent before it. A
 * {@code MOVED} or {@code ASK} fails the writer with a retriable {@link SlotMovedException}: the slot map
 * is the one read at the start, and following a reshard live is later work.
 *
 * <p>Threading: as {@link TargetWriter}; the acknowledgement callback runs on the masters' reply threads
 * (or the producer thread), one call at a time, with increasing offsets.
 */
public final class ClusterWriter implements TargetWriter {

    private final List<NodeWriter> nodes = new ArrayList<>();
    private final NodeWriter[] bySlot = new NodeWriter[SlotHash.SLOTS];
    private final LongConsumer onAck;
    private final Object ackLock = new Object();
    private long reportedAck = -1;

    /** The open transaction's commands, held until its EXEC; null outside one. */
    private List<Queued> transaction;
    private long transactionCarry;
    private boolean prepaid;

    /**
     * Opens one connection per master of {@code topology} (a cluster) and starts their reply threads.
     *
     * @param onAck called with each newly acknowledged source offset; may be null
     * @throws FerryException a master cannot be reached
     */
    public ClusterWriter(Topology topology, NodeWriter.Limits limits, LongConsumer onAck, MemoryBudget.Account memory) {
        this.onAck = onAck;
        try {
            for (RedisEndpoint master : topology.masters()) {
                NodeWriter node = new NodeWriter(RedisConnection.open(master), limits, offset -> nodeAcked(), memory);
                nodes.add(node);
                topology.slotsOf(master).stream().forEach(slot -> bySlot[slot] = node);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void write(byte[][] argv, long sourceOffset) {
        checkFailure();
        SlotRoute route = SlotRoute.of(argv);
        if (transaction != null) {
            switch (route.kind()) {
                case EXEC -> sendTransaction(sourceOffset);
                case DISCARD -> {
                    transaction = null;
                    transactionCarry = 0;
                    advance(sourceOffset);
                }
                case SLOT -> transaction.add(new Queued(argv, route.slot(), prepaid));
                case SKIP -> {
                }
                default -> throw new FerryException("cannot send " + Command.describe(argv) + " inside a transaction to"
                        + " a Redis Cluster: a transaction runs on one master");
            }
            return;
        }
        switch (route.kind()) {
            case MULTI -> transaction = new ArrayList<>();
            case SLOT -> node(route.slot(), argv).write(argv, -1);
            case BROADCAST -> nodes.forEach(n -> n.write(argv, -1));
            case SPLIT -> splitBySlot(argv);
            case SKIP -> {
            }
            default -> throw new FerryException(Command.describe(argv) + " without MULTI");
        }
        advance(sourceOffset);
    }

    @Override
    public void select(int db, long sourceOffset) {
        SlotRoute.of(new byte[][] {CommandName.SELECT.name().getBytes(), Integer.toString(db).getBytes()});
        advance(sourceOffset);
    }

    @Override
    public int selectedDb() {
        return 0;
    }

    @Override
    public void advance(long sourceOffset) {
        if (sourceOffset >= 0 && transaction == null) {
            nodes.forEach(n -> n.advance(sourceOffset));
        }
    }

    @Override
    public void flush() {
        nodes.forEach(NodeWriter::flush);
    }

    @Override
    public boolean isCluster() {
        return true;
    }

    @Override
    public long ackedOffset() {
        long min = Long.MAX_VALUE;
        for (NodeWriter n : nodes) {
            min = Math.min(min, n.ackedOffset());
        }
        return nodes.isEmpty() ? -1 : min;
    }

    @Override
    public void drain() throws InterruptedException {
        flush();
        for (NodeWriter n : nodes) {
            n.drain();
        }
    }

    @Override
    public boolean awaitDrained(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        flush();
        for (NodeWriter n : nodes) {
            if (!n.awaitDrained(Math.max(0, deadline - System.currentTimeMillis()))) {
                return false;
            }
        }
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
    }

    private void checkFailure() {
        FerryException f = failure();
        if (f != null) {
            throw f;
        }
    }

    private NodeWriter node(int slot, byte[][] argv) {
        NodeWriter n = bySlot[slot];
        if (n == null) {
            throw new FerryException("slot " + slot + " of " + Command.describe(argv) + " is served by no master of the"
                    + " target cluster: fix the cluster (redis-cli --cluster fix), then run again");
        }
        return n;
    }

    /** An {@code MSET} of keys in several slots: one {@code MSET} per slot, in the order the keys came. */
    private void splitBySlot(byte[][] argv) {
        Map<Integer, List<byte[]>> bySlotArgs = new LinkedHashMap<>();
        for (int i = 1; i + 1 < argv.length; i += 2) {
            List<byte[]> args = bySlotArgs.computeIfAbsent(SlotHash.slot(argv[i]), s -> new ArrayList<>(List.of(argv[0])));
            args.add(argv[i]);
            args.add(argv[i + 1]);
        }
        for (Map.Entry<Integer, List<byte[]>> e : bySlotArgs.entrySet()) {
            byte[][] part = e.getValue().toArray(new byte[0][]);
            node(e.getKey(), part).write(part, -1);
        }
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
     * the master of {@code slot}, without looking at their keys: the caller routed them. The {@code carried}
     * heap is given back when the {@code EXEC} is answered. Called by the producer thread, outside a transaction.
     */
    public void slotTransaction(int slot, List<byte[][]> writes, byte[][] last, long carried) {
        checkFailure();
        if (transaction != null) {
            throw new IllegalStateException("slotTransaction inside MULTI");
        }
        List<Queued> tx = new ArrayList<>(writes.size() + 1);
        writes.forEach(w -> tx.add(new Queued(w, slot, true)));
        tx.add(new Queued(last, slot, false));
        send(slot, tx, carried);
    }

    private void send(int slot, List<Queued> tx, long carried) {
        NodeWriter node = node(slot, tx.get(0).argv);
        node.write(new byte[][] {CommandName.MULTI.name().getBytes()}, -1);
        node.carry(carried);
        for (Queued q : tx) {
            node.prepaid(q.prepaid);
            try {
                node.write(q.argv, -1);
            } finally {
                node.prepaid(false);
            }
        }
        node.write(new byte[][] {CommandName.EXEC.name().getBytes()}, -1);
    }

    /** A master acknowledged more: reports the new lowest offset over all masters, if it moved. */
    private void nodeAcked() {
        if (onAck == null) {
            return;
        }
        synchronized (ackLock) {
            long acked = ackedOffset();
            if (acked > reportedAck) {
                reportedAck = acked;
                onAck.accept(acked);
            }
        }
    }

    /** A command of the open transaction, with its slot and whether its memory is already held by the caller. */
    private record Queued(byte[][] argv, int slot, boolean prepaid) {
    }
}
