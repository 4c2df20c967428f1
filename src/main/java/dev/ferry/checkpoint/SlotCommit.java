package dev.ferry.checkpoint;

import dev.ferry.FerryException;
import dev.ferry.MemoryBudget;
import dev.ferry.cluster.CrossSlotCounters;
import dev.ferry.cluster.CrossSlotPlan;
import dev.ferry.sink.ClusterWriter;
import dev.ferry.sink.Command;
import dev.ferry.sink.DbCommand;
import dev.ferry.source.ReplicationOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Sends a batch of stream writes to a cluster target as one transaction per slot, each ending with that
 * slot's checkpoint ({@link SlotCheckpoints}), and passes over the parts a slot applied before a restart.
 * Transactions of different slots go to their masters in parallel; a slot's writes keep their order.
 *
 * <p>A command emulated across slots ({@link CrossSlotPlan}) cuts the batch: the writes before it go first, each
 * slot checkpointed at the last of them, and are drained; then its parts are built from the target's values and
 * applied one after the other, each in its slot's transaction with that slot's checkpoint at the command's own
 * offset, drained before the next; then the batch goes on. A restart finds the parts applied so far as covered
 * slots, in front of the plan's order, and builds the rest without reading what those parts changed.
 * Called by the producer thread of {@link TransactionalSink}; blocks while it drains and reads.
 */
final class SlotCommit {

    private static final Logger log = LoggerFactory.getLogger(SlotCommit.class);

    private static final byte[] SET = "SET".getBytes(StandardCharsets.US_ASCII);

    private final ClusterWriter writer;
    private final SlotWrites router;
    private final SlotCheckpoints slots;
    private final IntFunction<CrossSlotPlan.Reads> reads;
    /** The writes of the batch in flight (the very arrays sent): their slot, source start offset, and slot checkpoint. */
    private final Map<byte[][], long[]> sentFrom = new IdentityHashMap<>();
    private final CrossSlotCounters counters;
    private final MemoryBudget.Account memory;

    /**
     * @param reads where the emulations read the target's values, by target database
     * @param memory the budget an emulation's writes are held in until their transaction is answered
     */
    SlotCommit(ClusterWriter writer, SlotWrites router, SlotCheckpoints slots, IntFunction<CrossSlotPlan.Reads> reads,
               CrossSlotCounters counters, MemoryBudget.Account memory) {
        this.writer = writer;
        this.router = router;
        this.slots = slots;
        this.reads = reads;
        this.counters = counters;
        this.memory = memory;
    }

    SlotCheckpoints slots() {
        return slots;
    }

    /**
     * Sends {@code batch} as one transaction per slot that has writes in it, each checkpointing the slot at
     * {@code position}, cut where a command is emulated across slots.
     *
     * @return the heap of the writes that went in the slot transactions (the writer gives it back with their
     *     {@code EXEC} replies)
     */
    long send(List<TransactionalSink.Queued> batch, ReplicationOffset position, int db) {
        sentFrom.clear();
        Segment segment = new Segment();
        long carried = 0;
        for (TransactionalSink.Queued q : batch) {
            SlotWrites.Route route = router.route(q.argv());
            if (route.plan() == null) {
                segment.add(q, route);
                continue;
            }
            if (!segment.isEmpty()) {
                carried += segment.send(new ReplicationOffset(position.replId(), segment.lastEnd), segment.lastDb);
                segment = new Segment();
            }
            emulate(route.plan(), q, position.replId());
        }
        return carried + segment.send(position, db);
    }

    /**
     * Where a write of the batch in flight came from: {@code {slot, source start offset, the offset its transaction
     * checkpointed the slot at}}, or null when not one of them (an emulated command's parts among them).
     */
    long[] origin(byte[][] sent) {
        return sentFrom.get(sent);
    }

    /**
     * A source transaction ended with {@code writes}: counted (and logged once) when the slots that apply some
     * of it now are more than one, since it is then applied per slot, without cross-slot atomicity.
     */
    void sourceTransaction(List<TransactionalSink.Queued> writes) {
        Set<Integer> touched = new HashSet<>();
        for (TransactionalSink.Queued q : writes) {
            SlotWrites.Route route = router.route(q.argv());
            for (SlotWrites.Part part : route.parts()) {
                if (!slots.covers(part.slot(), q.end())) {
                    touched.add(part.slot());
                }
            }
            if (route.plan() != null) {
                for (int slot : route.plan().slots()) {
                    if (!slots.covers(slot, q.end())) {
                        touched.add(slot);
                    }
                }
            }
        }
        if (touched.size() > 1) {
            counters.countTransaction();
        }
    }

    /**
     * Applies an emulated command: every earlier write acknowledged first (its reads must see them), then its parts
     * from the first whose slot has not applied it, one transaction each, drained one by one.
     */
    private void emulate(CrossSlotPlan plan, TransactionalSink.Queued q, String replId) {
        drain();
        int[] order = plan.slots();
        int first = 0;
        while (first < order.length && slots.covers(order[first], q.end())) {
            first++;
        }
        for (int i = first + 1; i < order.length; i++) {
            if (slots.covers(order[i], q.end())) {
                // Parts are applied in order, so what a restart finds applied is always the first ones.
                throw new FerryException("the checkpoints of the target cluster say that the later part (slot " + order[i]
                        + ") of " + Command.describe(q.argv()) + " was applied and an earlier one (slot " + order[first]
                        + ") was not, which Ferry never does: another process wrote them; copy again with --mode full");
            }
        }
        if (first == order.length) {
            // Every part was applied before a restart.
            return;
        }
        if (first > 0) {
            log.info("{} at source offset {}: {} of its {} parts were applied before a restart; applying the rest",
                    plan.command(), q.end(), first, order.length);
        }
        counters.countEmulated(plan.command());
        byte[] value = SlotCheckpoints.value(new ReplicationOffset(replId, q.end()), q.db());
        int db = targetDb(q);
        for (CrossSlotPlan.Part part : plan.parts(first, reads.apply(db))) {
            long heap = heap(part.writes());
            memory.acquire(heap);
            writer.slotTransaction(part.slot(), part.writes().stream().map(w -> new DbCommand(db, w)).toList(),
                    checkpoint(part.slot(), value), heap);
            drain();
        }
    }

    /** The slot's checkpoint write, in the database of checkpoints. */
    private DbCommand checkpoint(int slot, byte[] value) {
        return new DbCommand(CheckpointStore.DB, new byte[][] {SET, slots.key(slot), value});
    }

    /** The target database {@code q} goes to: where the writer is when the sink did not say. */
    private int targetDb(TransactionalSink.Queued q) {
        return q.targetDb() >= 0 ? q.targetDb() : Math.max(0, writer.selectedDb());
    }

    private void drain() {
        try {
            writer.drain();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while waiting for the target", e);
        }
    }

    private static long heap(List<byte[][]> writes) {
        long heap = 0;
        for (byte[][] argv : writes) {
            heap += 16;
            for (byte[] a : argv) {
                heap += a.length + 16;
            }
        }
        return heap;
    }

    /** The writes of a batch between two emulated commands, per slot, with the heap each slot's transaction carries. */
    private final class Segment {

        private final Map<Integer, List<DbCommand>> writes = new LinkedHashMap<>();
        private final Map<Integer, Long> heap = new LinkedHashMap<>();
        private long carried;
        private long lastEnd = -1;
        private int lastDb = -1;
        /** Where each write of this segment came from; the checkpoint offset is filled in when it goes. */
        private final List<long[]> origins = new ArrayList<>();

        boolean isEmpty() {
            return writes.isEmpty();
        }

        void add(TransactionalSink.Queued q, SlotWrites.Route route) {
            boolean sent = false;
            for (SlotWrites.Part part : route.parts()) {
                if (slots.applied(part.slot(), q.start(), q.end())) {
                    // This slot applied it before a restart.
                    continue;
                }
                writes.computeIfAbsent(part.slot(), s -> new ArrayList<>()).add(new DbCommand(targetDb(q), part.argv()));
                long[] origin = {part.slot(), q.start(), -1};
                origins.add(origin);
                sentFrom.put(part.argv(), origin);
                if (!sent) {
                    // A write's memory rides with its first part: it lives until that part's EXEC is answered.
                    heap.merge(part.slot(), q.heap(), Long::sum);
                    carried += q.heap();
                    sent = true;
                }
            }
            if (sent && route.split()) {
                counters.countSplit(Command.name(q.argv()));
            }
            lastEnd = q.end();
            lastDb = q.db();
        }

        /** One transaction per slot, each checkpointing its slot at {@code position}; returns the heap carried. */
        long send(ReplicationOffset position, int db) {
            origins.forEach(o -> o[2] = position.offset());
            byte[] value = SlotCheckpoints.value(position, db);
            for (Map.Entry<Integer, List<DbCommand>> e : writes.entrySet()) {
                int slot = e.getKey();
                writer.slotTransaction(slot, e.getValue(), checkpoint(slot, value), heap.getOrDefault(slot, 0L));
            }
            return carried;
        }
    }
}
