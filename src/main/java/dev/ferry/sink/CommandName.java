package dev.ferry.sink;

/**
 * The commands Ferry's pipeline treats specially, recognised from the raw first argument without
 * allocating: this runs once per replicated command, on the hot path.
 */
public enum CommandName {
    PING, REPLCONF, SELECT, MULTI, EXEC, DISCARD, PUBLISH, SPUBLISH, FLUSHALL, SET,
    /** Any other command. */
    OTHER;

    private static final CommandName[] KNOWN = {PING, REPLCONF, SELECT, MULTI, EXEC, DISCARD, PUBLISH, SPUBLISH, FLUSHALL, SET};
    private static final byte[][] NAMES = new byte[KNOWN.length][];

    static {
        for (int i = 0; i < KNOWN.length; i++) {
            NAMES[i] = KNOWN[i].name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /** What {@code arg} names, compared case-insensitively as Redis does. */
    public static CommandName of(byte[] arg) {
        int len = arg.length;
        if (len < 3 || len > 8) {
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
