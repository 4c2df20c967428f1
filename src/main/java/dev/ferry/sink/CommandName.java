package dev.ferry.sink;

/**
 * The commands Ferry's pipeline treats specially, recognised from the raw first argument without
 * allocating: this runs once per replicated command, on the hot path.
 */
public enum CommandName {
    PING, REPLCONF, SELECT, MULTI, EXEC, DISCARD, PUBLISH, SPUBLISH, FLUSHALL, FLUSHDB, SET, RESTORE, EVAL, EVALSHA,
    /** What a cluster node that imports a slot replicates for each key {@code MIGRATE} moved into it. */
    RESTORE_ASKING,
    /** Any other command. */
    OTHER;

    private static final CommandName[] KNOWN = {PING, REPLCONF, SELECT, MULTI, EXEC, DISCARD, PUBLISH, SPUBLISH, FLUSHALL,
        FLUSHDB, SET, RESTORE, EVAL, EVALSHA, RESTORE_ASKING};
    private static final int LONGEST = "RESTORE-ASKING".length();
    private static final byte[][] NAMES = new byte[KNOWN.length][];

    static {
        for (int i = 0; i < KNOWN.length; i++) {
            NAMES[i] = KNOWN[i].name().replace('_', '-').getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /** What {@code arg} names, compared case-insensitively as Redis does. */
    public static CommandName of(byte[] arg) {
        int len = arg.length;
        if (len < 3 || len > LONGEST) {
            return OTHER;
        }
        for (int i = 0; i < KNOWN.length; i++) {
            if (NAMES[i].length == len && equalsIgnoreCase(arg, NAMES[i])) {
                return KNOWN[i];
            }
        }
        return OTHER;
    }

    private static boolean equalsIgnoreCase(byte[] arg, byte[] upper) {
        for (int i = 0; i < upper.length; i++) {
            int b = arg[i];
            if (b >= 'a' && b <= 'z') {
                b -= 'a' - 'A';
            }
            if (b != upper[i]) {
                return false;
            }
        }
        return true;
    }
}
