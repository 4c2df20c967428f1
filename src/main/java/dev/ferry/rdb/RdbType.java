package dev.ferry.rdb;

/**
 * RDB value types, with the byte that marks them ({@code RDB_TYPE_*} in Redis's {@code rdb.h}) and the
 * first RDB version that can hold them. A target accepts a DUMP payload only if its own RDB version
 * knows the payload's type.
 */
public enum RdbType {
    STRING(0, 1, Kind.STRING),
    LIST(1, 1, Kind.LIST),
    SET(2, 1, Kind.SET),
    ZSET(3, 1, Kind.ZSET),
    HASH(4, 1, Kind.HASH),
    ZSET_2(5, 8, Kind.ZSET),
    MODULE_PRE_GA(6, 8, Kind.MODULE),
    MODULE_2(7, 8, Kind.MODULE),
    HASH_ZIPMAP(9, 2, Kind.HASH),
    LIST_ZIPLIST(10, 4, Kind.LIST),
    SET_INTSET(11, 4, Kind.SET),
    ZSET_ZIPLIST(12, 4, Kind.ZSET),
    HASH_ZIPLIST(13, 4, Kind.HASH),
    LIST_QUICKLIST(14, 7, Kind.LIST),
    STREAM_LISTPACKS(15, 9, Kind.STREAM),
    HASH_LISTPACK(16, 10, Kind.HASH),
    ZSET_LISTPACK(17, 10, Kind.ZSET),
    LIST_QUICKLIST_2(18, 10, Kind.LIST),
    STREAM_LISTPACKS_2(19, 10, Kind.STREAM),
    SET_LISTPACK(20, 11, Kind.SET),
    STREAM_LISTPACKS_3(21, 11, Kind.STREAM),
    HASH_METADATA_PRE_GA(22, 12, Kind.HASH, Family.REDIS),
    HASH_LISTPACK_EX_PRE_GA(23, 12, Kind.HASH, Family.REDIS),
    HASH_METADATA(24, 12, Kind.HASH, Family.REDIS),
    HASH_LISTPACK_EX(25, 12, Kind.HASH, Family.REDIS),
    /** Redis 8.6's stream with idempotent-producer state (stream v4). */
    STREAM_LISTPACKS_4(26, 13, Kind.STREAM, Family.REDIS),
    /** Redis 8.8's stream with NACKed pending entries (stream v5). */
    STREAM_LISTPACKS_5(27, 14, Kind.STREAM, Family.REDIS),
    /**
     * Valkey 9's hash with field expiry ({@code RDB_TYPE_HASH_2}), RDB 80+ with magic {@code VALKEY}: the same
     * byte as Redis's {@link #HASH_METADATA_PRE_GA}, so {@link #of(int)} never returns it; the parser picks it
     * from the file's magic. Per field: field, value, 8-byte expiry in ms (-1: none).
     */
    VALKEY_HASH_2(22, 80, Kind.HASH, Family.VALKEY);

    /** The Redis data type a value type encodes, as {@code TYPE} names it. */
    public enum Kind {
        STRING, LIST, SET, ZSET, HASH, STREAM, MODULE;

        /** The {@code TYPE} reply for this kind ({@code module} values report their module's type name). */
        public String typeName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Who gives a type byte this meaning. Redis's RDB 12+ and Valkey's RDB 80+ took the same bytes for different
     * types (Valkey calls Redis's numbers from 12 on "foreign" and rejects them), so a type of one family must
     * never be sent raw to a server of the other.
     */
    public enum Family {
        /** Both: the types Redis had up to RDB 11 (7.2), when Valkey forked. */
        SHARED, REDIS, VALKEY
    }

    private static final RdbType[] BY_CODE = new RdbType[256];

    static {
        for (RdbType t : values()) {
            // The first constant with a code wins: Redis's meaning of a shared byte, not Valkey's.
            if (BY_CODE[t.code] == null) {
                BY_CODE[t.code] = t;
            }
        }
    }

    private final int code;
    private final int sinceVersion;
    private final Kind kind;
    private final Family family;

    RdbType(int code, int sinceVersion, Kind kind) {
        this(code, sinceVersion, kind, Family.SHARED);
    }

    RdbType(int code, int sinceVersion, Kind kind, Family family) {
        this.code = code;
        this.sinceVersion = sinceVersion;
        this.kind = kind;
        this.family = family;
    }

    /** The type byte. */
    public int code() {
        return code;
    }

    /** The first RDB version with this type. */
    public int sinceVersion() {
        return sinceVersion;
    }

    public Kind kind() {
        return kind;
    }

    public Family family() {
        return family;
    }

    /**
     * Whether a server of RDB version {@code rdbVersion} reads this type with this meaning ({@code valkey}: the
     * server is Valkey): it has the type, and the byte means the same there.
     */
    public boolean readableBy(int rdbVersion, boolean valkey) {
        return sinceVersion <= rdbVersion && (family == Family.SHARED || (family == Family.VALKEY) == valkey);
    }

    /** The type for a type byte in a {@code REDIS} file or DUMP payload, or null if the byte is not a value type. */
    public static RdbType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /**
     * The type for a type byte in Valkey's own format (magic {@code VALKEY}, or a DUMP payload of version 80+) when
     * {@code valkeyFormat}, else in Redis's: null if the byte is not a value type of that format.
     */
    public static RdbType of(int code, boolean valkeyFormat) {
        if (!valkeyFormat) {
            return of(code);
        }
        for (RdbType t : VALKEY_OWN) {
            if (t.code == code) {
                return t;
            }
        }
        RdbType shared = of(code);
        return shared != null && shared.family == Family.SHARED ? shared : null;
    }

    /** The first RDB version of Valkey's own format, with magic {@code VALKEY} (Valkey 9.0). */
    public static final int FIRST_VALKEY_VERSION = 80;

    private static final RdbType[] VALKEY_OWN = {VALKEY_HASH_2};
}
