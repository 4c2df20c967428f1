package dev.ferry.precheck;

import dev.ferry.resp.RedisEndpoint;
import dev.ferry.task.ExistingKeys;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** What a precheck looks at: the two deployments and the sync options that matter. Immutable; use the builder. */
public final class PrecheckOptions {

    private final RedisEndpoint source;
    private final RedisEndpoint target;
    private final Set<Integer> dbs;
    private final Map<Integer, Integer> dbMap;
    private final ExistingKeys existing;
    private final Set<String> skip;
    private final int sampleKeys;
    private final Duration sampleTime;

    private PrecheckOptions(Builder b) {
        this.source = b.source;
        this.target = b.target;
        this.dbs = b.dbs == null ? null : Set.copyOf(new TreeSet<>(b.dbs));
        this.dbMap = Map.copyOf(new TreeMap<>(b.dbMap));
        this.existing = b.existing;
        this.skip = Set.copyOf(b.skip);
        this.sampleKeys = b.sampleKeys;
        this.sampleTime = b.sampleTime;
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

    /** Source databases the sync copies, or null for all. */
    public Set<Integer> dbs() {
        return dbs;
    }

    /** Source database to target database, for databases that land elsewhere (into a cluster's database 0). */
    public Map<Integer, Integer> dbMap() {
        return dbMap;
    }

    public ExistingKeys existing() {
        return existing;
    }

    /** Names of checks not to run. */
    public Set<String> skip() {
        return skip;
    }

    /** Most keys the big-key check samples. */
    public int sampleKeys() {
        return sampleKeys;
    }

    /** Longest the big-key check samples. */
    public Duration sampleTime() {
        return sampleTime;
    }

    /** Where source database {@code db} lands on the target. */
    public int targetDb(int db) {
        return dbMap.getOrDefault(db, db);
    }

    /** Builds {@link PrecheckOptions}; every setting has a sane default. */
    public static final class Builder {
        private final RedisEndpoint source;
        private final RedisEndpoint target;
        private Set<Integer> dbs;
        private Map<Integer, Integer> dbMap = Map.of();
        private ExistingKeys existing = ExistingKeys.CHECK;
        private Set<String> skip = Set.of();
        private int sampleKeys = 10_000;
        private Duration sampleTime = Duration.ofSeconds(2);

        private Builder(RedisEndpoint source, RedisEndpoint target) {
            this.source = Objects.requireNonNull(source, "source");
            this.target = Objects.requireNonNull(target, "target");
        }

        public Builder dbs(Set<Integer> dbs) {
            this.dbs = dbs == null || dbs.isEmpty() ? null : dbs;
            return this;
        }

        public Builder dbMap(Map<Integer, Integer> dbMap) {
            this.dbMap = Objects.requireNonNull(dbMap, "dbMap");
            return this;
        }

        public Builder existing(ExistingKeys existing) {
            this.existing = Objects.requireNonNull(existing, "existing");
            return this;
        }

        /**
         * @throws IllegalArgumentException a name that is not a check ({@link Precheck#CHECK_NAMES})
         */
        public Builder skip(Set<String> names) {
            for (String name : names) {
                if (!Precheck.CHECK_NAMES.contains(name)) {
                    throw new IllegalArgumentException("skip: unknown check '" + name + "' (expected one of: "
                            + String.join(", ", Precheck.CHECK_NAMES) + ")");
                }
            }
            this.skip = names;
            return this;
        }

        public Builder sampleKeys(int keys) {
            if (keys < 0) {
                throw new IllegalArgumentException("sampleKeys: " + keys + " (expected: >= 0)");
            }
            this.sampleKeys = keys;
            return this;
        }

        public Builder sampleTime(Duration time) {
            if (time.isNegative()) {
                throw new IllegalArgumentException("sampleTime: " + time + " (expected: >= 0)");
            }
            this.sampleTime = time;
            return this;
        }

        public PrecheckOptions build() {
            return new PrecheckOptions(this);
        }
    }
}
