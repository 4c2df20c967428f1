package dev.ferry.testing;

import dev.ferry.embedded.CheckedPipeline;
import dev.ferry.embedded.VersionName;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A bounded, reproducible mix of writes of every kind, for testing replication: strings, counters,
 * lists, hashes, sets, sorted sets, HyperLogLogs, bitmaps, expiries, RENAME, MSET, MULTI/EXEC blocks,
 * EVAL, SELECT, and where the server has them UNLINK (4.0), streams with groups (5.0), COPY, LMOVE,
 * GETDEL and SET PXAT (6.2), and when asked hash field expiries (HEXPIRE, HPERSIST, HSETEX, HGETEX, HGETDEL of
 * Redis 8 and Valkey 9). Commands are chosen by a seeded {@link Random}, sent pipelined and every
 * reply is checked.
 *
 * <p>Keys are {@code mw:<kind>:<n>} (with a hash tag if asked, {@code mw:{tag}:<kind>:<n>}); each kind holds one type, so no command hits a key of the wrong
 * type. Expiry times are at least an hour away, so no key expires during a test. Not thread-safe; the
 * connection ends on the first of {@code dbs}.
 */
public final class MixedWorkload {

    private static final String SCRIPT = "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('INCR', KEYS[2])";
    private static final String[] KINDS = {"str", "counter", "float", "list", "hash", "set", "zset", "hll", "bits", "stream"};

    private final CheckedPipeline pipeline;
    private final ServerInfo.Version version;
    private final Random random;
    private final List<Integer> dbs;
    private final int keySpace;
    private final int flushDbPerMille;
    private final boolean prefixPerDb;
    private final String hashTag;
    private final boolean fieldExpiries;
    private final List<Op> ops = new ArrayList<>();
    private final Map<String, List<String>> streamIds = new HashMap<>();
    private final Map<String, List<String>> pendingIds = new HashMap<>();
    private final Map<String, Integer> counts = new TreeMap<>();
    private int db;

    private record Op(String name, Runnable body) {
    }

    private MixedWorkload(Builder b) {
        this.pipeline = new CheckedPipeline(b.conn, 256);
        this.version = VersionName.parse(b.serverVersion).version();
        this.random = new Random(b.seed);
        this.dbs = b.dbs;
        this.keySpace = b.keySpace;
        this.flushDbPerMille = b.flushDbPerMille;
        this.prefixPerDb = b.prefixPerDb;
        this.hashTag = b.hashTag == null ? "" : "{" + b.hashTag + "}:";
        this.fieldExpiries = b.fieldExpiries;
        this.db = dbs.get(0);
        defineOps();
    }

    public static Builder builder(RedisConnection conn, String serverVersion) {
        return new Builder(conn, serverVersion);
    }

    /**
     * Runs {@code ops} operations (an operation is one command, or a few for MULTI blocks and set-ups)
     * and waits for every reply.
     *
     * @return how many times each operation ran, by command name
     */
    public Map<String, Integer> run(int ops) {
        counts.clear();
        pipeline.send("SELECT", db);
        for (int i = 0; i < ops; i++) {
            if (flushDbPerMille > 0 && random.nextInt(1000) < flushDbPerMille) {
                pipeline.send("FLUSHDB");
                count("FLUSHDB");
                continue;
            }
            Op op = this.ops.get(random.nextInt(this.ops.size()));
            op.body().run();
            count(op.name());
        }
        db = dbs.get(0);
        pipeline.send("SELECT", db);
        pipeline.sync();
        return Map.copyOf(counts);
    }

    private void defineOps() {
        strings();
        collections();
        keyspace();
        if (version.atLeast(5, 0)) {
            streams();
        }
        if (version.atLeast(6, 2)) {
            op("COPY", () -> {
                String from = key("str");
                send("COPY", from, otherKey("str", from), "REPLACE");
            });
            op("LMOVE", () -> send("LMOVE", key("list"), key("list"), "LEFT", "RIGHT"));
            op("GETDEL", () -> send("GETDEL", key("str")));
            op("SET PXAT", () -> send("SET", key("str"), value(), "PXAT", System.currentTimeMillis() + ttlMillis()));
        }
        if (fieldExpiries) {
            fieldExpiries();
        }
    }

    /** Hash field expiries, in the syntax Redis 8 and Valkey 9 share; fields live an hour or more, as keys do. */
    private void fieldExpiries() {
        op("HSETEX", () -> send("HSETEX", key("hash"), "PX", ttlMillis(), "FIELDS", "2", "t:" + random.nextInt(10), value(),
                "t:" + random.nextInt(10), value()));
        op("HEXPIRE", () -> {
            String key = key("hash");
            // HEXPIRE needs the hash: make sure a field is there.
            send("HSET", key, "t:" + random.nextInt(10), value());
            send("HEXPIRE", key, ttlMillis() / 1000, "FIELDS", "2", "t:" + random.nextInt(10), "s:" + random.nextInt(20));
        });
        op("HPEXPIREAT", () -> send("HPEXPIREAT", key("hash"), System.currentTimeMillis() + ttlMillis(), "FIELDS", "1",
                "t:" + random.nextInt(10)));
        op("HPERSIST", () -> send("HPERSIST", key("hash"), "FIELDS", "1", "t:" + random.nextInt(10)));
        op("HGETEX", () -> send("HGETEX", key("hash"), "EX", ttlMillis() / 1000, "FIELDS", "1", "s:" + random.nextInt(20)));
        op("HGETEX PERSIST", () -> send("HGETEX", key("hash"), "PERSIST", "FIELDS", "1", "t:" + random.nextInt(10)));
        op("HGETDEL", () -> send("HGETDEL", key("hash"), "FIELDS", "1", "t:" + random.nextInt(10)));
    }

    private void strings() {
        op("SET", () -> send("SET", key("str"), value()));
        op("SET EX", () -> send("SET", key("str"), value(), "EX", ttlMillis() / 1000));
        op("SETEX", () -> send("SETEX", key("str"), ttlMillis() / 1000, value()));
        op("PSETEX", () -> send("PSETEX", key("str"), ttlMillis(), value()));
        op("INCR", () -> send("INCR", key("counter")));
        op("INCRBY", () -> send("INCRBY", key("counter"), random.nextInt(2000) - 1000));
        op("DECR", () -> send("DECR", key("counter")));
        op("INCRBYFLOAT", () -> send("INCRBYFLOAT", key("float"), (random.nextInt(2000) - 1000) / 100.0));
        op("APPEND", () -> send("APPEND", key("str"), value()));
        op("SETRANGE", () -> send("SETRANGE", key("str"), random.nextInt(100), value()));
        op("MSET", () -> send("MSET", key("str"), value(), key("str"), value()));
        op("PFADD", () -> send("PFADD", key("hll"), value(), value()));
        op("SETBIT", () -> send("SETBIT", key("bits"), random.nextInt(10_000), random.nextInt(2)));
    }

    private void collections() {
        op("LPUSH", () -> send("LPUSH", key("list"), element(), element()));
        op("RPUSH", () -> send("RPUSH", key("list"), element()));
        op("LPOP", () -> send("LPOP", key("list")));
        op("RPOP", () -> send("RPOP", key("list")));
        op("LINSERT", () -> send("LINSERT", key("list"), random.nextBoolean() ? "BEFORE" : "AFTER", element(), element()));
        op("LSET", () -> {
            // LSET fails on a missing key or index: make sure index 0 exists.
            String key = key("list");
            send("RPUSH", key, element());
            send("LSET", key, "0", element());
        });
        op("LTRIM", () -> send("LTRIM", key("list"), "0", 20 + random.nextInt(30)));
        op("LREM", () -> send("LREM", key("list"), random.nextInt(3) - 1, element()));
        op("RPOPLPUSH", () -> send("RPOPLPUSH", key("list"), key("list")));
        op("HSET", () -> send("HSET", key("hash"), "s:" + random.nextInt(20), value()));
        op("HMSET", () -> send("HMSET", key("hash"), "s:" + random.nextInt(20), value(), "s:" + random.nextInt(20), value()));
        op("HINCRBY", () -> send("HINCRBY", key("hash"), "n:" + random.nextInt(5), random.nextInt(100) - 50));
        op("HINCRBYFLOAT", () -> send("HINCRBYFLOAT", key("hash"), "f:" + random.nextInt(5), (random.nextInt(200) - 100) / 8.0));
        op("HDEL", () -> send("HDEL", key("hash"), "s:" + random.nextInt(20)));
        op("SADD", () -> send("SADD", key("set"), element(), element()));
        op("SREM", () -> send("SREM", key("set"), element()));
        op("SPOP", () -> send("SPOP", key("set")));
        op("SMOVE", () -> send("SMOVE", key("set"), key("set"), element()));
        op("SINTERSTORE", () -> send("SINTERSTORE", key("set"), key("set"), key("set")));
        op("SUNIONSTORE", () -> send("SUNIONSTORE", key("set"), key("set"), key("set")));
        op("ZADD", () -> send("ZADD", key("zset"), random.nextInt(1000) / 10.0, element()));
        op("ZINCRBY", () -> send("ZINCRBY", key("zset"), random.nextInt(100) / 4.0, element()));
        op("ZREM", () -> send("ZREM", key("zset"), element()));
        op("ZREMRANGEBYRANK", () -> send("ZREMRANGEBYRANK", key("zset"), "0", "1"));
        op("ZUNIONSTORE", () -> send("ZUNIONSTORE", key("zset"), "2", key("zset"), key("zset")));
    }

    private void keyspace() {
        op("DEL", () -> send("DEL", anyKey()));
        if (version.atLeast(4, 0)) {
            op("UNLINK", () -> send("UNLINK", anyKey(), anyKey()));
        }
        op("EXPIRE", () -> send("EXPIRE", anyKey(), ttlMillis() / 1000));
        op("PEXPIREAT", () -> send("PEXPIREAT", anyKey(), System.currentTimeMillis() + ttlMillis()));
        op("PERSIST", () -> send("PERSIST", anyKey()));
        op("RENAME", () -> {
            // RENAME fails on a missing source: create it first.
            String from = key("list");
            send("RPUSH", from, element());
            send("RENAME", from, otherKey("list", from));
        });
        op("MULTI", () -> {
            send("MULTI");
            int n = 2 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                switch (random.nextInt(5)) {
                    case 0 -> send("SET", key("str"), value());
                    case 1 -> send("INCR", key("counter"));
                    case 2 -> send("RPUSH", key("list"), element());
                    case 3 -> send("HSET", key("hash"), "s:" + random.nextInt(20), value());
                    default -> send("ZADD", key("zset"), random.nextInt(100), element());
                }
            }
            send("EXEC");
        });
        op("EVAL", () -> send("EVAL", SCRIPT, "2", key("str"), key("counter"), value()));
        op("SELECT", () -> {
            db = dbs.get(random.nextInt(dbs.size()));
            send("SELECT", db);
        });
    }

    private void streams() {
        Set<String> busy = Set.of("BUSYGROUP");
        Set<String> noGroup = Set.of("NOGROUP");
        Set<String> noStreamOrGroup = Set.of("NOGROUP", "ERR");
        op("XADD", () -> {
            String key = key("stream");
            List<String> ids = streamIds.computeIfAbsent(db + "/" + key, k -> new ArrayList<>());
            pipeline.send(reply -> ids.add(reply.asText()), "XADD", key, "*", "f", value(), "n", random.nextInt(100));
        });
        op("XDEL", () -> {
            String key = key("stream");
            List<String> ids = streamIds.getOrDefault(db + "/" + key, List.of());
            send("XDEL", key, ids.isEmpty() ? "0-1" : ids.get(random.nextInt(ids.size())));
        });
        op("XTRIM", () -> send("XTRIM", key("stream"), "MAXLEN", 30 + random.nextInt(30)));
        op("XGROUP CREATE", () -> pipeline.sendAllowing(busy, null, "XGROUP", "CREATE", key("stream"), group(), "0", "MKSTREAM"));
        op("XREADGROUP", () -> {
            String key = key("stream");
            String group = group();
            List<String> pending = pendingIds.computeIfAbsent(db + "/" + key + "/" + group, k -> new ArrayList<>());
            String consumer = "consumer-" + random.nextInt(3);
            if (version.atLeast(7, 2)) {
                // 7.2+ (and Valkey) create the consumer of a read that delivers nothing without replicating it, so
                // even a native replica would lack it: create it with a command that replicates. No stream: ERR.
                pipeline.sendAllowing(noStreamOrGroup, null, "XGROUP", "CREATECONSUMER", key, group, consumer);
            }
            pipeline.sendAllowing(noGroup, reply -> collectIds(reply, pending),
                    "XREADGROUP", "GROUP", group, consumer, "COUNT", 1 + random.nextInt(3), "STREAMS", key, ">");
        });
        op("XACK", () -> {
            String key = key("stream");
            String group = group();
            List<String> pending = pendingIds.getOrDefault(db + "/" + key + "/" + group, List.of());
            pipeline.sendAllowing(noGroup, null, "XACK", key, group,
                    pending.isEmpty() ? "0-1" : pending.remove(random.nextInt(pending.size())));
        });
    }

    /** Records the IDs an XREADGROUP delivered: [[key, [[id, fields], ...]]], or nil. */
    private static void collectIds(RespValue reply, List<String> into) {
        if (!(reply instanceof RespValue.Array streams) || streams.items() == null) {
            return;
        }
        for (RespValue stream : streams.items()) {
            RespValue entries = ((RespValue.Array) stream).items().get(1);
            for (RespValue entry : ((RespValue.Array) entries).items()) {
                into.add(((RespValue.Array) entry).items().get(0).asText());
            }
        }
    }

    private void op(String name, Runnable body) {
        ops.add(new Op(name, body));
    }

    private void send(Object... args) {
        pipeline.send(args);
    }

    private void count(String name) {
        counts.merge(name, 1, Integer::sum);
    }

    private String key(String kind) {
        return (prefixPerDb ? "mw" + db + ":" : "mw:") + hashTag + kind + ":" + random.nextInt(keySpace);
    }

    /** A key of {@code kind} other than {@code not}: COPY (and RENAME before 3.2) refuse the same key twice. */
    private String otherKey(String kind, String not) {
        String key = key(kind);
        return key.equals(not) ? key + "x" : key;
    }

    private String anyKey() {
        return key(KINDS[random.nextInt(KINDS.length)]);
    }

    private String group() {
        return "group-" + random.nextInt(2);
    }

    private String value() {
        return "v" + random.nextInt(100_000);
    }

    private String element() {
        return "e" + random.nextInt(30);
    }

    /** Between one hour and one day: long enough that nothing expires during a test. */
    private long ttlMillis() {
        return 3_600_000L + random.nextInt(82_800_000);
    }

    /** Options of a {@link MixedWorkload}. */
    public static final class Builder {
        private final RedisConnection conn;
        private final String serverVersion;
        private long seed = 1;
        private List<Integer> dbs = List.of(0, 1);
        private int keySpace = 50;
        private int flushDbPerMille;
        private boolean prefixPerDb;
        private String hashTag;
        private boolean fieldExpiries;

        private Builder(RedisConnection conn, String serverVersion) {
            this.conn = conn;
            this.serverVersion = serverVersion;
        }

        /** Adds hash field expiry commands (Redis 8, Valkey 9: check the server has them). Default off. */
        public Builder fieldExpiries(boolean fieldExpiries) {
            this.fieldExpiries = fieldExpiries;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Databases written to, switched with SELECT. Default 0 and 1. */
        public Builder dbs(Integer... dbs) {
            if (dbs.length == 0) {
                throw new IllegalArgumentException("dbs: none (expected: at least one database)");
            }
            this.dbs = List.of(dbs);
            return this;
        }

        /** Keys per kind. Default 50. */
        public Builder keySpace(int keySpace) {
            if (keySpace <= 0) {
                throw new IllegalArgumentException("keySpace: " + keySpace + " (expected: > 0)");
            }
            this.keySpace = keySpace;
            return this;
        }

        /** Chance, per thousand operations, of a FLUSHDB. Default 0 (never). */
        public Builder flushDbPerMille(int perMille) {
            if (perMille < 0 || perMille > 1000) {
                throw new IllegalArgumentException("flushDbPerMille: " + perMille + " (expected: 0-1000)");
            }
            this.flushDbPerMille = perMille;
            return this;
        }

        /** Key names carry their database ("mw1:str:7"), so that no name repeats across databases. Default off. */
        public Builder prefixPerDb(boolean prefix) {
            this.prefixPerDb = prefix;
            return this;
        }

        /**
         * Every key carries this hash tag ("mw:{t3}:str:7"), so all of them hash to one slot of a Redis Cluster and
         * commands of several keys (RENAME, MSET, MULTI, EVAL...) stay in that slot. Default none.
         */
        public Builder hashTag(String tag) {
            this.hashTag = tag;
            return this;
        }

        public MixedWorkload build() {
            return new MixedWorkload(this);
        }
    }
}
