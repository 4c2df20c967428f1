package dev.ferry.resp;

/**
 * What an error reply means for the one who sent the command, decided in one place for the whole of Ferry:
 * a redirection to follow, a server that is busy or changing role for a moment (retry later), or a refusal
 * that the same command would get again (stop and say why). The kind is the reply's first word, as Redis
 * builds its errors ({@code server.h} shared error objects, cluster.c {@code clusterRedirectClient}).
 */
public enum ErrorKind {
    /** The slot lives on another node for good: refresh the slot map and resend there. */
    MOVED(true),
    /** The slot is being migrated: send this one command to the importing node after {@code ASKING}. */
    ASK(true),
    /** A multi-key command during a slot migration: try again shortly. */
    TRYAGAIN(true),
    /** The cluster cannot serve the slot right now (a failover in progress). */
    CLUSTERDOWN(true),
    /** The server is loading its data set. */
    LOADING(true),
    /** A script or function is running. */
    BUSY(true),
    /** A replica whose master link is down (with {@code replica-serve-stale-data no}), or min-replicas unmet. */
    MASTERDOWN(true),
    /** The server is a read-only replica: after a failover, the master is elsewhere. */
    READONLY(true),
    /** A replica without its master link refuses the command. */
    NOMASTERLINK(true),
    /** The server is out of memory ({@code maxmemory} with {@code noeviction}). */
    OOM(false),
    /** The command does not fit the key's type. */
    WRONGTYPE(false),
    /** The account lacks a permission. */
    NOPERM(false),
    /** Credentials are missing or wrong. */
    NOAUTH(false),
    /** Wrong user or password. */
    WRONGPASS(false),
    /** A transaction was discarded because a command in it was refused when queued. */
    EXECABORT(false),
    /** Anything else ({@code ERR …}): a refusal. */
    OTHER(false);

    private final boolean transientError;

    ErrorKind(boolean transientError) {
        this.transientError = transientError;
    }

    /**
     * Whether the same command may succeed a little later or elsewhere (a redirection, a loading or busy
     * server, a failover), as opposed to a refusal it would get again.
     */
    public boolean isTransient() {
        return transientError;
    }

    /** Whether the reply points at another node ({@code MOVED}, {@code ASK}). */
    public boolean isRedirect() {
        return this == MOVED || this == ASK;
    }

    /** The kind of an error reply, from its first word ("-" stripped or not). */
    public static ErrorKind of(String reply) {
        if (reply == null || reply.isEmpty()) {
            return OTHER;
        }
        int start = reply.charAt(0) == '-' ? 1 : 0;
        int end = reply.indexOf(' ', start);
        String code = end < 0 ? reply.substring(start) : reply.substring(start, end);
        for (ErrorKind kind : values()) {
            if (kind != OTHER && kind.name().equals(code)) {
                return kind;
            }
        }
        return OTHER;
    }
}
