package dev.ferry.checkpoint;

import dev.ferry.sink.TargetWriter;
import dev.ferry.source.ReplicationOffset;

import java.nio.charset.StandardCharsets;

/**
 * Two-way sync into a cluster target: tells every master when this task copies a snapshot and when it streams
 * again. The reverse direction reads each master apart and the base checkpoint lives on one, so each master gets
 * the checkpoint of one of its slots: at a snapshot's start, the snapshot checkpoint, sent before the flush that
 * empties the task's keys there (the reverse then drops the flush and the snapshot's writes, which carry no mark);
 * once the snapshot is applied, and at every resume, the slot's checkpoint at the stream's start (or where the slot
 * already is, when it applied more: a slot checkpoint never moves back). Called by the producer thread of
 * {@link TransactionalSink}.
 */
final class PhaseMarks {

    private static final byte[] SET = "SET".getBytes(StandardCharsets.US_ASCII);

    private final TargetWriter writer;
    private final SlotCheckpoints slots;
    private final int[] oneSlotPerMaster;

    PhaseMarks(TargetWriter writer, SlotCheckpoints slots, int[] oneSlotPerMaster) {
        this.writer = writer;
        this.slots = slots;
        this.oneSlotPerMaster = oneSlotPerMaster.clone();
    }

    /** A snapshot starts: every master hears it before anything else of the snapshot. */
    void snapshot(Checkpoint snapshot) {
        int db = writer.selectedDb();
        writer.select(CheckpointStore.DB, -1);
        for (int slot : oneSlotPerMaster) {
            writer.write(new byte[][] {SET, slots.key(slot), snapshot.encode()}, -1);
        }
        writer.select(Math.max(db, 0), -1);
    }

    /** The stream starts or resumes at {@code position}, in source database {@code db}. */
    void streaming(ReplicationOffset position, int db) {
        int selected = writer.selectedDb();
        writer.select(CheckpointStore.DB, -1);
        for (int slot : oneSlotPerMaster) {
            long offset = Math.max(position.offset(), slots.appliedThrough(slot));
            writer.write(new byte[][] {SET, slots.key(slot),
                    SlotCheckpoints.value(new ReplicationOffset(position.replId(), offset), db)}, -1);
        }
        writer.select(Math.max(selected, 0), -1);
    }
}
