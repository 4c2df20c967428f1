package dev.ferry.source;

import dev.ferry.FerryException;

/**
 * The source gave up on a snapshot it had started to send (a full resync): it closed the link during the
 * transfer, or answered an error instead of the snapshot. Retriable, but a source that fails the same way every
 * time (a key its replica format cannot hold, an output buffer limit too small for the snapshot) would be asked
 * for ever: {@link #reason()} tells such repeats apart.
 */
public final class SnapshotTransferException extends FerryException {

    private final String reason;
    private final boolean repeatable;

    /**
     * @param reason     what went wrong, the same words each time for the same cause (no byte counts)
     * @param repeatable whether the cause can repeat identically (a close, an error reply), as opposed to a timeout
     */
    public SnapshotTransferException(String message, String reason, boolean repeatable, Throwable cause) {
        super(message, cause, true);
        this.reason = reason;
        this.repeatable = repeatable;
    }

    /** The cause without what varies between tries: equal reasons are the same failure. */
    public String reason() {
        return reason;
    }

    /** Whether the source ended the transfer itself: a cause that comes back when nothing changes. */
    public boolean repeatable() {
        return repeatable;
    }
}
