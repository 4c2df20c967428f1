package dev.ferry.checkpoint;

import dev.ferry.sink.ClusterWriter;
import dev.ferry.source.ReplicationOffset;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends a batch of stream writes to a cluster target as one transaction per slot, each ending with that
 * slot's checkpoint ({@link SlotCheckpoints}), and passes over the parts a slot applied before a restart.
 * Transactions of different slots go to their masters in parallel; a slot's writes keep their order. Called by
 * the producer thread of {@link TransactionalSink}.
 */
final class SlotCommit {

    private static final byte[] SET = "SET".getBytes(StandardCharsets.US_ASCII);

    private final ClusterWriter writer;
    private final SlotWrites router;
    private final SlotCheckpoints slots;
    /** The writes of the batch in flight (the very arrays sent): their slot, source start offset, and slot checkpoint. */
    private final Map<byte[][], long[]> sentFrom = new IdentityHashMap<>();

    SlotCommit(ClusterWriter writer, SlotWrites router, SlotCheckpoints slots) {
        this.writer = writer;
        this.router = router;
        this.slots = slots;
    }

    SlotCheckpoints slots() {
        return slots;
    }

    /**
     * Where a write of the batch in flight came from: {@code {slot, source start offset, the offset its transaction
     * checkpointed the slot at}}, or null when not one of them.
     */
    long[] origin(byte[][] sent) {
        return sentFrom.get(sent);
    }

    /**
     * Sends {@code batch} as one transaction per slot that has writes in it, each checkpointing the slot at
     * {@code position}.
     *
     * @return the heap of the writes that went (the writer gives it back with their {@code EXEC} replies)
     */
    long send(List<TransactionalSink.Queued> batch, ReplicationOffset position, int db) {
        sentFrom.clear();
        Map<Integer, List<byte[][]>> writes = new LinkedHashMap<>();
        Map<Integer, Long> heap = new LinkedHashMap<>();
        long carried = 0;
        for (TransactionalSink.Queued q : batch) {
            boolean sent = false;
            for (SlotWrites.Part part : router.route(q.argv())) {
                if (slots.applied(part.slot(), q.start(), q.end())) {
                    // This slot applied it before a restart.
                    continue;
                }
                writes.computeIfAbsent(part.slot(), s -> new ArrayList<>()).add(part.argv());
                sentFrom.put(part.argv(), new long[] {part.slot(), q.start(), position.offset()});
                if (!sent) {
                    // A write's memory rides with its first part: it lives until that part's EXEC is answered.
                    heap.merge(part.slot(), q.heap(), Long::sum);
                    carried += q.heap();
                    sent = true;
                }
            }
        }
        byte[] value = SlotCheckpoints.value(position, db);
        for (Map.Entry<Integer, List<byte[][]>> e : writes.entrySet()) {
            int slot = e.getKey();
            writer.slotTransaction(slot, e.getValue(), new byte[][] {SET, slots.key(slot), value},
                    heap.getOrDefault(slot, 0L));
        }
        return carried;
    }
}
