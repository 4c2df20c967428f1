package dev.ferry.rdb;

/** RDB opcodes that are not value types ({@code RDB_OPCODE_*} in Redis's {@code rdb.h}). */
public enum RdbOpcode {
    /**
     * Valkey only (magic {@code VALKEY}, {@code RDB_OPCODE_UPDATE}): a replication command inside the snapshot, written
     * by a forkless save; not supported, the parser stops on it.
     */
    UPDATE(242),
    /** Valkey 9 only (magic {@code VALKEY}): an atomic slot migration in progress; skipped by the parser. */
    SLOT_IMPORT(243),
    SLOT_INFO(244),
    FUNCTION2(245),
    FUNCTION_PRE_GA(246),
    MODULE_AUX(247),
    IDLE(248),
    FREQ(249),
    AUX(250),
    RESIZEDB(251),
    EXPIRETIME_MS(252),
    EXPIRETIME(253),
    SELECTDB(254),
    EOF(255);

    private final int code;

    RdbOpcode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Indexed by byte: the parser looks one up per key, and {@code values()} copies the array each time. */
    private static final RdbOpcode[] BY_CODE = new RdbOpcode[256];

    static {
        for (RdbOpcode op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    /** The opcode for a byte, or null if the byte is not an opcode. */
    public static RdbOpcode of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
