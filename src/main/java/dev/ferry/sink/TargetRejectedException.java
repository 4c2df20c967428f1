package dev.ferry.sink;

import dev.ferry.FerryException;

/** The target answered a write with an error. Permanent: the same write would fail again. */
public final class TargetRejectedException extends FerryException {

    private final String reply;

    public TargetRejectedException(String command, long sourceOffset, String reply) {
        super("target rejected " + command + (sourceOffset >= 0 ? " (source offset " + sourceOffset + ")" : "")
                + ": " + reply + hint(reply));
        this.reply = reply;
    }

    public String reply() {
        return reply;
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
