package dev.ferry.pipeline;

import java.util.BitSet;

/**
 * Orders the writes of a cluster source's masters where keys move between them (resharding), for the tasks of one
 * cluster sync: a key moved by {@code MIGRATE} is written by the old master's stream up to its move and by the new
 * master's after it, and the target must see them in that order; the slots of an atomic slot migration are written
 * by the new master's stream alone from the start of its import. Called on the task's replaying thread (stream) or
 * parser thread (snapshot); may block. Implementations are shared by the tasks of one cluster sync.
 */
public interface SourceOrder {

    /**
     * Returns once the write to {@code slot} may be applied, or false when it must not be (its slot went to another
     * master by an atomic migration, whose stream carries the same writes).
     *
     * @param movedKey the key when the write brings it in from another master ({@code RESTORE-ASKING}, or a key of the
     *                 snapshot in a slot the master does not serve yet): waits until the old master no longer holds
     *                 it; null otherwise
     * @throws dev.ferry.FerryException (retriable) when the other task does not get there in time
     */
    boolean before(int slot, byte[] movedKey);

    /**
     * This master starts importing {@code slots} atomically ({@code CLUSTER SYNCSLOTS ESTABLISH}): from here on its
     * stream carries everything of them (their keys, then the writes made on the exporting master). Returns once the
     * exporting master's task no longer applies writes to them and what it applied before is on the target; the
     * caller then deletes the target's keys of those slots and applies this master's stream for them.
     */
    void importing(BitSet slots);
}
