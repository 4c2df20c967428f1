package dev.ferry.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * What a sync copies: which databases, which keys, and never Ferry's own keys.
 *
 * @param dbs the source databases to copy, or null for all
 * @param publish whether {@code PUBLISH} is forwarded
 * @param keys which keys ({@code --keys}, {@code --exclude-keys})
 */
public record Filters(Set<Integer> dbs, boolean publish, KeyFilter keys) {

    /** Every key Ferry itself writes, on either side, starts with this prefix. */
    public static final String CONTROL_PREFIX = "__ferry:";
    private static final byte[] PREFIX = CONTROL_PREFIX.getBytes(StandardCharsets.US_ASCII);

    public static Filters all() {
        return new Filters(null, false);
    }

    public Filters {
        dbs = dbs == null ? null : Set.copyOf(dbs);
        keys = keys == null ? KeyFilter.all() : keys;
    }

    public Filters(Set<Integer> dbs, boolean publish) {
        this(dbs, publish, KeyFilter.all());
    }

    /** Whether a user key is copied (Ferry's own keys never are). */
    public boolean includesKey(byte[] key) {
        return !isControlKey(key) && keys.matches(key);
    }

    public boolean includesDb(int db) {
        return dbs == null || dbs.contains(db);
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
