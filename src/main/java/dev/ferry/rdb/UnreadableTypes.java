package dev.ferry.rdb;

/**
 * Value types that a server's RDB format has but Ferry cannot read, so that such a key stops a sync with its
 * name and its type instead of an "unknown byte". Type bytes count up from 0 and opcodes down from 255 (243 is
 * the lowest so far): a byte below {@link #FIRST_OPCODE_ROOM} after the types Ferry knows is a newer type,
 * and the key follows it. Stateless.
 */
final class UnreadableTypes {

    /** {@code RDB_TYPE_PATH_HASH} of Valkey 9.2 (RDB 81). */
    private static final int VALKEY_PATH_HASH = 23;
    /** The first Redis type byte Ferry does not read ({@code RDB_TYPE_ARRAY} of RDB 14 and on). */
    private static final int FIRST_UNREAD_REDIS_TYPE = 28;
    /** The first Redis RDB version with types beyond 25. */
    private static final int REDIS_NEW_TYPES_VERSION = 13;
    /** Bytes from here on are left to opcodes, which grow down from 255. */
    private static final int FIRST_OPCODE_ROOM = 200;

    private UnreadableTypes() {
    }

    /**
     * What value type {@code code} is in a file of that format ({@code valkey}: magic VALKEY) and version, or null
     * when the byte is no type of it.
     */
    static String describe(int code, boolean valkey, int version) {
        if (valkey) {
            if (code == VALKEY_PATH_HASH) {
                return "a Valkey path hash";
            }
            return code > VALKEY_PATH_HASH && code < FIRST_OPCODE_ROOM ? "a Valkey value type newer than Ferry reads" : null;
        }
        if (version < REDIS_NEW_TYPES_VERSION || code < FIRST_UNREAD_REDIS_TYPE || code >= FIRST_OPCODE_ROOM) {
            return null;
        }
        return "a Redis value type newer than Ferry reads";
    }
}
