package dev.ferry.embedded;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.ServerInfo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Writes a sample data set with every value type and encoding, for the demo and the tests: strings
 * (integers, empty, binary, big), binary key names, lists, hashes, sets and sorted sets small and large,
 * special scores (inf, -inf, 1e300), HyperLogLogs, a bitmap, GEO (3.2+), streams with consumer groups,
 * pending and deleted entries (5.0+), hash field TTLs (7.4+), keys expiring at known far-future times,
 * and optionally one key too big for a target's {@code proto-max-bulk-len}.
 *
 * <p>Each database gets the same keys with database-specific values. Keys are deleted before being
 * written, so loading twice gives the same data. Writes are pipelined and every reply is checked.
 * Blocking; the connection is left on database {@code endpoint().db()} (0 if none).
 */
public final class SampleData {

    /** 2100-01-01T00:00:00Z: sample expiries are this plus a few seconds, so they never fire during a test. */
    public static final long EXPIRY_BASE_MILLIS = 4_102_444_800_000L;

    private SampleData() {
    }

    /** Loads the sample with {@link Options#defaults()}. */
    public static Summary load(RedisConnection conn, String serverVersion) {
        return load(conn, serverVersion, Options.defaults());
    }

    /**
     * Loads the sample into each of {@code options.dbs()}.
     *
     * @param serverVersion the server's version as a {@link VersionName} ("7.0.15", "valkey-9.1.2"), which decides
     *                      the types written
     * @throws dev.ferry.resp.RedisReplyException the server refused a write
     */
    public static Summary load(RedisConnection conn, String serverVersion, Options options) {
        ServerInfo.Version version = VersionName.parse(serverVersion).version();
        CheckedPipeline pipeline = new CheckedPipeline(conn);
        Map<Integer, Integer> keysPerDb = new TreeMap<>();
        List<Expiry> expiries = new ArrayList<>();
        byte[] bigKey = null;
        for (int db : options.dbs()) {
            pipeline.send("SELECT", db);
            SampleWriter writer = new SampleWriter(pipeline, version, db, options.seed() * 31 + db, options.largeSize());
            writer.writeAll();
            if (options.bigKeyBytes() > 0 && db == options.bigKeyDb()) {
                bigKey = writer.writeBigList(options.bigKeyBytes());
            }
            pipeline.sync();
            keysPerDb.put(db, writer.keyCount());
            expiries.addAll(writer.expiries());
        }
        pipeline.send("SELECT", Math.max(conn.endpoint().db(), 0));
        pipeline.sync();
        return new Summary(Collections.unmodifiableMap(keysPerDb), List.copyOf(expiries), bigKey);
    }

    /**
     * What was written.
     *
     * @param keysPerDb number of keys per database
     * @param expiries every key given an expiry, with its absolute time
     * @param bigKey the name of the big key (in {@link Options#bigKeyDb()}), or null when none was asked for
     */
    public record Summary(Map<Integer, Integer> keysPerDb, List<Expiry> expiries, byte[] bigKey) {

        public int totalKeys() {
            return keysPerDb.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** A key that expires at {@code unixTimeMillis}. */
    public record Expiry(int db, byte[] key, long unixTimeMillis) {
    }

    /**
     * What to write.
     *
     * @param dbs databases to fill
     * @param largeSize elements of the large list (large hashes, sets and sorted sets get a fifth)
     * @param bigKeyBytes when positive, also write a list of more than this many bytes of incompressible data
     * @param bigKeyDb the database of the big key
     * @param seed seed of the random values
     */
    public record Options(List<Integer> dbs, int largeSize, long bigKeyBytes, int bigKeyDb, long seed) {

        public Options {
            dbs = List.copyOf(new LinkedHashSet<>(dbs));
            if (dbs.isEmpty() || dbs.stream().anyMatch(db -> db < 0 || db > 15)) {
                throw new IllegalArgumentException("dbs: " + dbs + " (expected: one or more of 0-15)");
            }
            if (largeSize < 600) {
                // Large must stay beyond every small-encoding threshold (512 intset entries, 128 ziplist entries).
                throw new IllegalArgumentException("largeSize: " + largeSize + " (expected: >= 600)");
            }
            if (bigKeyBytes < 0) {
                throw new IllegalArgumentException("bigKeyBytes: " + bigKeyBytes + " (expected: >= 0)");
            }
        }

        /** Databases 0, 1 and 5; large collections of 5000; no big key. */
        public static Options defaults() {
            return builder().build();
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link Options}; defaults as in {@link #defaults()}. */
        public static final class Builder {
            private List<Integer> dbs = List.of(0, 1, 5);
            private int largeSize = 5000;
            private long bigKeyBytes;
            private Integer bigKeyDb;
            private long seed = 42;

            private Builder() {
            }

            public Builder dbs(Integer... dbs) {
                this.dbs = List.of(dbs);
                return this;
            }

            public Builder dbs(Set<Integer> dbs) {
                this.dbs = List.copyOf(new TreeSet<>(dbs));
                return this;
            }

            public Builder largeSize(int largeSize) {
                this.largeSize = largeSize;
                return this;
            }

            /** Adds a list of more than {@code bytes} bytes (to exceed a target's proto-max-bulk-len) in the first db. */
            public Builder bigKey(long bytes) {
                this.bigKeyBytes = bytes;
                return this;
            }

            public Builder bigKey(long bytes, int db) {
                this.bigKeyBytes = bytes;
                this.bigKeyDb = db;
                return this;
            }

            public Builder seed(long seed) {
                this.seed = seed;
                return this;
            }

            public Options build() {
                int db = bigKeyDb != null ? bigKeyDb : dbs.isEmpty() ? 0 : dbs.get(0);
                if (bigKeyBytes > 0 && !dbs.contains(db)) {
                    throw new IllegalArgumentException("bigKeyDb: " + db + " (expected: one of " + dbs + ")");
                }
                return new Options(dbs, largeSize, bigKeyBytes, db, seed);
            }
        }
    }
}
