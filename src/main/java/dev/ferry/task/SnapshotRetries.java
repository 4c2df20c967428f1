package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.source.SnapshotTransferException;

/**
 * Counts the full syncs in a row that the source broke off the same way: a source that cannot send its snapshot
 * to Ferry (a key its replica format cannot hold, an output buffer limit smaller than the snapshot) fails each
 * time alike, and asking again for the whole retry period copies nothing. After {@link #LIMIT} identical
 * failures the task stops with the source's reason. A timeout, another failure or a completed snapshot starts
 * the count again. Used by the task's thread only.
 */
final class SnapshotRetries {

    /** Identical snapshot failures in a row after which the task stops. */
    static final int LIMIT = 3;

    private String lastReason;
    private int count;

    /**
     * Records the failure of an attempt; returns the error to stop with when it is the {@link #LIMIT}-th identical
     * snapshot failure in a row, or null to retry.
     */
    FerryException record(FerryException e) {
        if (!(e instanceof SnapshotTransferException s) || !s.repeatable()) {
            reset();
            return null;
        }
        if (s.reason().equals(lastReason)) {
            count++;
        } else {
            lastReason = s.reason();
            count = 1;
        }
        if (count < LIMIT) {
            return null;
        }
        return new FerryException("the full sync failed " + count + " times in a row the same way, so Ferry stops"
                + " instead of asking the source again: " + s.getMessage(), s);
    }

    /** An attempt got past its snapshot, or ended without a failure. */
    void reset() {
        lastReason = null;
        count = 0;
    }
}
