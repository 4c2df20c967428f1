package dev.ferry.sink;

import dev.ferry.rdb.RdbType;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;

import java.util.List;

/**
 * What a target server can take: its version (RESTORE options, DUMP payload versions, commands) and
 * its largest bulk string ({@code proto-max-bulk-len}).
 */
public record TargetProfile(ServerInfo.Version version, long protoMaxBulkLen) {

    /** Redis's default and, before 3.2, fixed {@code proto-max-bulk-len}. */
    public static final long DEFAULT_PROTO_MAX_BULK_LEN = 512L * 1024 * 1024;

    /** Asks the server; a server that hides {@code CONFIG} is assumed to have the default limit. */
    public static TargetProfile probe(RedisConnection conn) {
        ServerInfo info = ServerInfo.fetch(conn);
        long bulk = DEFAULT_PROTO_MAX_BULK_LEN;
        if (info.version().atLeast(3, 2)) {
            RespValue r = conn.call("CONFIG", "GET", "proto-max-bulk-len");
            if (r instanceof RespValue.Array a && a.items() != null && a.items().size() == 2) {
                try {
                    bulk = Long.parseLong(a.items().get(1).asText());
                } catch (NumberFormatException ignored) {
                    // Keep the default: the limit is only used to size chunks.
                }
            }
        }
        return new TargetProfile(info.version(), bulk);
    }

    public int rdbVersion() {
        return version.rdbVersion();
    }

    /**
     * Whether {@code RESTORE} takes a payload labelled with RDB {@code payloadVersion}: one not newer than the
     * target's own, and, on Valkey 9+, none of the versions 12 to 79 that Valkey leaves to Redis ("foreign").
     */
    public boolean acceptsPayloadVersion(int payloadVersion) {
        if (payloadVersion > rdbVersion()) {
            return false;
        }
        return !version.valkey() || payloadVersion <= 11 || payloadVersion >= RdbType.FIRST_VALKEY_VERSION;
    }

    /** Whether {@code RESTORE} on the target reads a value of {@code type} (labelled with the target's version). */
    public boolean restores(RdbType type) {
        return type.readableBy(rdbVersion(), version.valkey());
    }

    /** {@code RESTORE ... ABSTTL} (5.0+). */
    public boolean restoreAbsTtl() {
        return version.atLeast(5, 0);
    }

    /** {@code RESTORE ... REPLACE} (3.0+). */
    public boolean restoreReplace() {
        return version.atLeast(3, 0);
    }

    /** {@code HSET} with several field/value pairs (4.0+); older targets take {@code HMSET}. */
    public boolean multiFieldHset() {
        return version.atLeast(4, 0);
    }

    public boolean streams() {
        return version.atLeast(5, 0);
    }

    public boolean functions() {
        return version.atLeast(7, 0);
    }

    /** Hash fields with their own TTL ({@code HPEXPIREAT}): Redis 7.4+, Valkey 9.0+. */
    public boolean hashFieldTtl() {
        return version.hashFieldTtls();
    }

    /** {@code HSETEX}, {@code HGETEX}, {@code HGETDEL}: Redis 8.0+, Valkey 9.0+. */
    public boolean hashFieldCommands() {
        return version.valkey() ? version.major() >= 9 : version.atLeast(8, 0);
    }

    /** {@code SET ... IFEQ value}: Redis 8.4+, Valkey 8.1+. */
    public boolean setIfEq() {
        return version.valkey() ? valkeyAtLeast(8, 1) : version.atLeast(8, 4);
    }

    /** {@code SET ... IFNE|IFDEQ|IFDNE}, {@code DELEX}, {@code MSETEX}: Redis 8.4+ (not Valkey). */
    public boolean redis84Strings() {
        return !version.valkey() && version.atLeast(8, 4);
    }

    /** {@code DELIFEQ}: Valkey 9.0+ (not Redis). */
    public boolean delIfEq() {
        return version.valkey() && version.major() >= 9;
    }

    /** {@code XACKDEL}, {@code XDELEX}, {@code KEEPREF|DELREF|ACKED} of {@code XADD}/{@code XTRIM}: Redis 8.2+, Valkey 9.2+. */
    public boolean streamRefPolicies() {
        return version.valkey() ? valkeyAtLeast(9, 2) : version.atLeast(8, 2);
    }

    /** {@code BITOP DIFF|DIFF1|ANDOR|ONE}: Redis 8.2+. */
    public boolean bitopDiff() {
        return !version.valkey() && version.atLeast(8, 2);
    }

    /** Idempotent stream producers ({@code XADD ... IDMP}, {@code XCFGSET}): Redis 8.6+. */
    public boolean streamIdmp() {
        return !version.valkey() && version.atLeast(8, 6);
    }

    private boolean valkeyAtLeast(int major, int minor) {
        return version.major() > major || (version.major() == major && version.minor() >= minor);
    }

    /** Module type names loaded on the target ({@code MODULE LIST}), empty when none or unknown. */
    public static List<String> modules(RedisConnection conn) {
        RespValue r = conn.call("MODULE", "LIST");
        if (!(r instanceof RespValue.Array a) || a.items() == null) {
            return List.of();
        }
        return a.items().stream()
                .filter(m -> m instanceof RespValue.Array)
                .map(m -> ((RespValue.Array) m).items())
                .filter(kv -> kv != null && kv.size() >= 2)
                .map(kv -> kv.get(1).asText())
                .toList();
    }
}
