package dev.ferry.verify;

import dev.ferry.pipeline.DbMap;
import dev.ferry.pipeline.KeyFilter;

import dev.ferry.resp.RedisEndpoint;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** Everything a verification is given. Immutable; build with {@link #builder(RedisEndpoint, RedisEndpoint)}. */
public final class VerifyOptions {

    private final RedisEndpoint source;
    private final RedisEndpoint target;
    private final VerifyMode mode;
    private final Set<Integer> dbs;
    private final DbMap dbMap;
    private final KeyFilter keys;
    private final int rounds;
    private final Duration roundPause;
    private final Duration ttlTolerance;
    private final long rate;
    private final int parallelism;
    private final int scanCount;

    private VerifyOptions(Builder b) {
        this.source = b.source;
        this.target = b.target;
        this.mode = b.mode;
        this.dbs = b.dbs == null ? null : Set.copyOf(new TreeSet<>(b.dbs));
        this.dbMap = b.dbMap;
        this.keys = b.keys;
        this.rounds = b.rounds;
        this.roundPause = b.roundPause;
        this.ttlTolerance = b.ttlTolerance;
        this.rate = b.rate;
        this.parallelism = b.parallelism;
        this.scanCount = b.scanCount;
    }

    public static Builder builder(RedisEndpoint source, RedisEndpoint target) {
        return new Builder(source, target);
    }

    public RedisEndpoint source() {
        return source;
    }

    public RedisEndpoint target() {
        return target;
    }

    public VerifyMode mode() {
        return mode;
    }

    /** Source databases to compare, or null for every database that holds keys on either side. */
    public Set<Integer> dbs() {
        return dbs;
    }

    /** Where the source databases landed on the target, as the sync mapped them ({@code --db-map}). */
    public DbMap dbMap() {
        return dbMap;
    }

    /** Which keys are compared ({@code --keys}, {@code --exclude-keys}), as the sync copied them. */
    public KeyFilter keys() {
        return keys;
    }

    /** How many times differing keys are looked at before they are reported (1: no re-check). */
    public int rounds() {
        return rounds;
    }

    /** The wait before each re-check round, for in-flight writes to land. */
    public Duration roundPause() {
        return roundPause;
    }

    /** How far apart two expiry times may be and still count as the same. */
    public Duration ttlTolerance() {
        return ttlTolerance;
    }

    /** Commands per second sent to each side, or 0 for no limit. */
    public long rate() {
        return rate;
    }

    /** Worker threads comparing keys. */
    public int parallelism() {
        return parallelism;
    }

    /** The {@code COUNT} hint of each {@code SCAN}, and so the size of a batch of keys. */
    public int scanCount() {
        return scanCount;
    }

    /** Builds {@link VerifyOptions}; every setting has a sane default. */
    public static final class Builder {
        private final RedisEndpoint source;
        private final RedisEndpoint target;
        private VerifyMode mode = VerifyMode.OUTLINE;
        private Set<Integer> dbs;
        private DbMap dbMap = DbMap.identity();
        private KeyFilter keys = KeyFilter.all();
        private int rounds = 3;
        private Duration roundPause = Duration.ofSeconds(1);
        private Duration ttlTolerance = Duration.ofMillis(1000);
        private long rate;
        private int parallelism = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
        private int scanCount = 1000;

        private Builder(RedisEndpoint source, RedisEndpoint target) {
            this.source = Objects.requireNonNull(source, "source");
            this.target = Objects.requireNonNull(target, "target");
        }

        public Builder mode(VerifyMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        public Builder keys(KeyFilter keys) {
            this.keys = java.util.Objects.requireNonNull(keys, "keys");
            return this;
        }

        public Builder dbs(Set<Integer> dbs) {
            if (dbs != null) {
                for (int db : dbs) {
                    if (db < 0) {
                        throw new IllegalArgumentException("dbs: " + db + " (expected: >= 0)");
                    }
                }
            }
            this.dbs = dbs == null || dbs.isEmpty() ? null : dbs;
            return this;
        }

        public Builder dbMap(DbMap dbMap) {
            this.dbMap = Objects.requireNonNull(dbMap, "dbMap");
            return this;
        }

        public Builder rounds(int rounds) {
            if (rounds < 1) {
                throw new IllegalArgumentException("rounds: " + rounds + " (expected: >= 1)");
            }
            this.rounds = rounds;
            return this;
        }

        public Builder roundPause(Duration pause) {
            if (pause.isNegative()) {
                throw new IllegalArgumentException("roundPause: " + pause + " (expected: >= 0)");
            }
            this.roundPause = pause;
            return this;
        }

        public Builder ttlTolerance(Duration tolerance) {
            if (tolerance.isNegative()) {
                throw new IllegalArgumentException("ttlTolerance: " + tolerance + " (expected: >= 0)");
            }
            this.ttlTolerance = tolerance;
            return this;
        }

        public Builder rate(long opsPerSecond) {
            if (opsPerSecond < 0) {
                throw new IllegalArgumentException("rate: " + opsPerSecond + " (expected: >= 0, 0 for no limit)");
            }
            this.rate = opsPerSecond;
            return this;
        }

        public Builder parallelism(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("parallelism: " + threads + " (expected: >= 1)");
            }
            this.parallelism = threads;
            return this;
        }

        public Builder scanCount(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("scanCount: " + count + " (expected: >= 1)");
            }
            this.scanCount = count;
            return this;
        }

        public VerifyOptions build() {
            return new VerifyOptions(this);
        }
    }
}
