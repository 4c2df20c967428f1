package dev.ferry.resp;

/**
 * The name each connection gives itself with {@code CLIENT SETNAME}, {@code ferry:<task>:<role>}, so that
 * {@code CLIENT LIST} on a server shows which connections are Ferry's, of which task, and what for (link, writer,
 * heartbeat, lease, admin, precheck, verify, metrics). The task and the default role are set per thread with {@link
 * #set} and inherited by the threads that thread starts afterwards, so that every connection a task's threads open
 * is named after the task without passing its id through every layer; a connection opened for a known purpose names
 * its role itself ({@link RedisConnection#open(RedisEndpoint, String)}).
 */
public final class ClientName {

    /** The role of a connection opened without one: reading or changing a server's state now and then. */
    public static final String ADMIN = "admin";

    private record Context(String task, String role) {
    }

    private static final InheritableThreadLocal<Context> CONTEXT = new InheritableThreadLocal<>();

    private ClientName() {
    }

    /**
     * Names the connections this thread opens from now on, and those of the threads it starts from now on, after
     * {@code task} (null: no task, {@code ferry:<role>}), with {@code defaultRole} for those opened without a role.
     */
    public static void set(String task, String defaultRole) {
        CONTEXT.set(new Context(task, defaultRole));
    }

    /** The name of a connection with {@code role} (null: this thread's default role) opened on this thread. */
    public static String of(String role) {
        Context c = CONTEXT.get();
        String r = role != null ? role : c != null && c.role() != null ? c.role() : ADMIN;
        String task = c == null ? null : c.task();
        return printable("ferry:" + (task == null ? "" : task + ":") + r);
    }

    /**
     * {@code work} run with the names of this thread (its task and default role) wherever it runs: for a pooled
     * thread, which would otherwise keep the names of whichever thread started it.
     */
    public static Runnable keeping(Runnable work) {
        Context mine = CONTEXT.get();
        return () -> {
            Context before = CONTEXT.get();
            CONTEXT.set(mine);
            try {
                work.run();
            } finally {
                CONTEXT.set(before);
            }
        };
    }

    /** Redis refuses names with spaces, line breaks or other characters outside '!'..'~'. */
    private static String printable(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            sb.append(ch >= '!' && ch <= '~' ? ch : '_');
        }
        return sb.toString();
    }
}
