package dev.ferry.sink;

import dev.ferry.FerryException;

/**
 * This process no longer holds its task's lease: another process took the task over, and the target
 * refused (or would refuse) this process's writes. Permanent: the process must stop writing at once.
 */
public final class FencedException extends FerryException {

    /** The start of the error a guard script answers when the lease is not the caller's. */
    public static final String REPLY_MARK = "FERRYFENCED";

    public FencedException(String message) {
        super(message);
    }

    /** Whether a target's error reply is a guard script's refusal. */
    public static boolean isFenceReply(String reply) {
        return reply != null && reply.contains(REPLY_MARK);
    }
}
