package dev.ferry.resp;

import dev.ferry.FerryException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code INFO} says about a server: its version (and so the RDB version it writes and reads),
 * the keys per database, its replication state.
 */
public final class ServerInfo {

    private final Map<String, String> fields;
    private final Version version;

    private ServerInfo(Map<String, String> fields) {
        this.fields = fields;
        String valkey = fields.get("valkey_version");
        String redis = fields.get("redis_version");
        if (redis == null && valkey == null) {
            throw new FerryException("INFO reply without redis_version: is this a Redis server?");
        }
        this.version = valkey != null ? Version.parse(valkey, true) : Version.parse(redis, false);
    }

    /** Runs {@code INFO} (all default sections) on {@code conn}. */
    public static ServerInfo fetch(RedisConnection conn) {
        RespValue reply = conn.callChecked("INFO");
        return parse(reply.asText());
    }

    public static ServerInfo parse(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.split("\r?\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return new ServerInfo(fields);
    }

    public Version version() {
        return version;
    }

    /** A raw INFO field, or null. */
    public String get(String name) {
        return fields.get(name);
    }

    public long getLong(String name, long fallback) {
        String v = fields.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** Keys per database, from the keyspace section ({@code db0:keys=3,expires=0,...}). */
    public Map<Integer, Long> keysPerDb() {
        Map<Integer, Long> result = new TreeMap<>();
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (e.getKey().startsWith("db") && e.getValue().startsWith("keys=")) {
                try {
                    int db = Integer.parseInt(e.getKey().substring(2));
                    String v = e.getValue();
                    int comma = v.indexOf(',');
                    result.put(db, Long.parseLong(v.substring(5, comma < 0 ? v.length() : comma)));
                } catch (NumberFormatException ignored) {
                    // Not a keyspace line.
                }
            }
        }
        return result;
    }

    public boolean isCluster() {
        return "1".equals(fields.get("cluster_enabled"));
    }

    /**
     * A server version, and what follows from it.
     *
     * @param valkey whether the server is Valkey (whose numbers are not Redis's)
     */
    public record Version(int major, int minor, int patch, boolean valkey) implements Comparable<Version> {

        public static Version parse(String text, boolean valkey) {
            String[] parts = text.trim().split("\\.");
            try {
                int major = Integer.parseInt(parts[0]);
                int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
                int patch = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
                return new Version(major, minor, patch, valkey);
            } catch (NumberFormatException e) {
                throw new FerryException("cannot read server version '" + text + "'");
            }
        }

        /** Whether this is at least Redis {@code major.minor} (Valkey 7.2+ counts as its Redis equivalent). */
        public boolean atLeast(int maj, int min) {
            Version r = redisEquivalent();
            return r.major > maj || (r.major == maj && r.minor >= min);
        }

        /** Whether hash fields can have their own TTL ({@code HPEXPIREAT}): Redis 7.4+, Valkey 9.0+. */
        public boolean hashFieldTtls() {
            return valkey ? major >= 9 : atLeast(7, 4);
        }

        /** The Redis version whose features this server has: Valkey 7.2 and 8.x are Redis 7.2. */
        public Version redisEquivalent() {
            if (!valkey) {
                return this;
            }
            return new Version(7, 2, 0, false);
        }

        /**
         * The RDB version this server writes, which is also the newest DUMP payload it accepts
         * (rdb.h RDB_VERSION per release).
         */
        public int rdbVersion() {
            if (valkey) {
                // Valkey's own format from 9.0 (magic VALKEY): 80, then 81 from 9.2 (rdb.h RDB_VERSION_MAP).
                if (major > 9 || (major == 9 && minor >= 2)) {
                    return 81;
                }
                return major == 9 ? 80 : 11;
            }
            // 8.6, 8.8 and 8.10 each added a format: key metadata and streams v4 (13), streams v5 (14), 15.
            if (atLeast(8, 10)) {
                return 15;
            }
            if (atLeast(8, 8)) {
                return 14;
            }
            if (atLeast(8, 6)) {
                return 13;
            }
            if (major > 7 || (major == 7 && minor >= 4)) {
                return 12;
            }
            if (major == 7 && minor >= 2) {
                return 11;
            }
            if (major == 7) {
                return 10;
            }
            if (major >= 5) {
                return 9;
            }
            if (major == 4) {
                return 8;
            }
            if (major == 3 && minor >= 2) {
                return 7;
            }
            return 6;
        }

        @Override
        public int compareTo(Version o) {
            int c = Integer.compare(major, o.major);
            if (c == 0) {
                c = Integer.compare(minor, o.minor);
            }
            return c != 0 ? c : Integer.compare(patch, o.patch);
        }

        @Override
        public String toString() {
            return (valkey ? "valkey " : "") + major + "." + minor + "." + patch;
        }
    }
}
