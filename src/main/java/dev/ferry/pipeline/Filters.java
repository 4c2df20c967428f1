package dev.ferry.pipeline;

import dev.ferry.sink.CommandName;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * What a sync copies: which databases, which keys, and never Ferry's own keys.
 *
 * @param dbs the source databases to copy, or null for all
 * @param publish whether {@code PUBLISH} is forwarded
 * @param keys which keys ({@code --keys}, {@code --exclude-keys})
 * @param dbMap where the copied databases land on the target ({@code --db-map})
 */
public record Filters(Set<Integer> dbs, boolean publish, KeyFilter keys, DbMap dbMap) {

    /** Every key Ferry itself writes, on either side, starts with this prefix. */
    public static final String CONTROL_PREFIX = "__ferry:";
    private static final byte[] PREFIX = CONTROL_PREFIX.getBytes(StandardCharsets.US_ASCII);

    public static Filters all() {
        return new Filters(null, false);
    }

    public Filters {
        dbs = dbs == null ? null : Set.copyOf(dbs);
        keys = keys == null ? KeyFilter.all() : keys;
        dbMap = dbMap == null ? DbMap.identity() : dbMap;
    }

    public Filters(Set<Integer> dbs, boolean publish) {
        this(dbs, publish, KeyFilter.all(), DbMap.identity());
    }

    public Filters(Set<Integer> dbs, boolean publish, KeyFilter keys) {
        this(dbs, publish, keys, DbMap.identity());
    }

    /** The target database source database {@code db} lands in. */
    public int targetDb(int db) {
        return dbMap.target(db);
    }

    /** Whether a user key is copied (Ferry's own keys never are). */
    public boolean includesKey(byte[] key) {
        return !isControlKey(key) && keys.matches(key);
    }

    public boolean includesDb(int db) {
        return dbs == null || dbs.contains(db);
    }

    /**
     * Whether a stream command writes Ferry's own keys only: its first argument is a control key, or it is
     * a script ({@code EVAL}/{@code EVALSHA}) whose keys all are (Ferry's lease scripts, replicated verbatim
     * by servers older than 3.2).
     */
    public static boolean writesControlKeysOnly(byte[][] argv) {
        if (argv.length < 2) {
            return false;
        }
        if (isControlKey(argv[1])) {
            return true;
        }
        if (argv.length < 4) {
            return false;
        }
        CommandName name = CommandName.of(argv[0]);
        if (name != CommandName.EVAL && name != CommandName.EVALSHA) {
            return false;
        }
        int keys;
        try {
            keys = Integer.parseInt(new String(argv[2], StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return false;
        }
        if (keys < 1 || 3 + keys > argv.length) {
            return false;
        }
        for (int i = 3; i < 3 + keys; i++) {
            if (!isControlKey(argv[i])) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code key} is one of Ferry's own control keys. */
    public static boolean isControlKey(byte[] key) {
        if (key.length < PREFIX.length) {
            return false;
        }
        for (int i = 0; i < PREFIX.length; i++) {
            if (key[i] != PREFIX[i]) {
                return false;
            }
        }
        return true;
    }
}
