package dev.ferry.rdb;

/**
 * Value types that a server's RDB format defines but Ferry cannot read, so that such a key stops a sync with its
 * name and its type instead of an "unknown byte". Stateless.
 */
final class UnreadableTypes {

    /** {@code RDB_TYPE_PATH_HASH} of Valkey 9.2 (RDB 81). */
    private static final int VALKEY_PATH_HASH = 23;

    private UnreadableTypes() {
    }

    /** What type {@code code} is in the format ({@code valkey}: magic VALKEY), or null if the format has no such type. */
    static String describe(int code, boolean valkey) {
        if (valkey && code == VALKEY_PATH_HASH) {
            return "a Valkey path hash";
        }
        return null;
    }
}
