package dev.ferry.sink;

import dev.ferry.FerryException;

/** The target answered a write with an error. Permanent: the same write would fail again. */
public final class TargetRejectedException extends FerryException {

    private final String reply;
    private final int transactionIndex;
    private final transient byte[][] command;

    public TargetRejectedException(String command, long sourceOffset, String reply) {
        this(command, sourceOffset, reply, -1);
    }

    /**
     * @param transactionIndex where the refused command stands among those queued inside {@code MULTI}
     *                         (0: the first after it), or -1 for a command outside a transaction
     */
    public TargetRejectedException(String command, long sourceOffset, String reply, int transactionIndex) {
        this(command, sourceOffset, reply, transactionIndex, null);
    }

    /** @param refused the refused command itself (the very array sent), for the sender to find where it came from */
    public TargetRejectedException(String command, long sourceOffset, String reply, int transactionIndex, byte[][] refused) {
        super("target rejected " + command + (sourceOffset >= 0 ? " (source offset " + sourceOffset + ")" : "")
                + ": " + reply + hint(reply));
        this.reply = reply;
        this.transactionIndex = transactionIndex;
        this.command = refused;
    }

    /** The refused command as it was sent (the same array), or null when not known. */
    public byte[][] command() {
        return command;
    }

    public String reply() {
        return reply;
    }

    /** Where the refused command stands inside its transaction (0: first after {@code MULTI}), or -1. */
    public int transactionIndex() {
        return transactionIndex;
    }

    private static String hint(String reply) {
        if (reply.startsWith("OOM")) {
            return " (the target is out of memory: raise its maxmemory or free memory, then run the same command again)";
        }
        if (reply.startsWith("READONLY")) {
            return " (the target is a read-only replica: point --target at its master)";
        }
        if (reply.startsWith("NOPERM")) {
            return " (the target user lacks a permission this write needs)";
        }
        return "";
    }
}
