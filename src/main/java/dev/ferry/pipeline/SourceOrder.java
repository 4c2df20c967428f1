package dev.ferry.pipeline;

/**
 * Holds a write of one master of a cluster source back until what another master's task must apply before it has
 * been applied: a key moved between masters (resharding) is written by the old master's stream up to its move and by
 * the new master's after it, and the target must see them in that order. Called on the task's replaying thread
 * (stream) or parser thread (snapshot); may block. Implementations are shared by the tasks of one cluster sync.
 */
public interface SourceOrder {

    /**
     * Returns once the write to {@code slot} may be applied.
     *
     * @param movedKey the key when the write brings it in from another master ({@code RESTORE-ASKING}, or a key of the
     *                 snapshot in a slot the master does not serve yet): waits until the old master no longer holds
     *                 it; null otherwise
     * @throws dev.ferry.FerryException (retriable) when the other task does not get there in time
     */
    void before(int slot, byte[] movedKey);
}
