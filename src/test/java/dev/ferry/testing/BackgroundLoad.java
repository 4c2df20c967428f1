package dev.ferry.testing;

import dev.ferry.cluster.Topology;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A steady write load on a standalone server or a Redis Cluster, on a thread of its own until stopped, for tests
 * that copy into a cluster: in rounds, a {@link MixedWorkload} per hash tag (every kind of write, commands of
 * several keys kept inside the tag's slot, so that none spans slots) and one-key writes that are not idempotent
 * ({@code INCR}, {@code LPUSH}, {@code APPEND}, {@code HINCRBY}, {@code ZINCRBY}, {@code SET ... PXAT},
 * {@code PEXPIREAT}, {@code DEL}) on keys spread over every slot. Each write goes to one of the given databases
 * (a cluster has database 0 only), its keys named after it ({@code sp1:}, {@code mw1:}), so that databases merged
 * into one never clash. Reproducible from its seed, but how many rounds run depends on timing.
 *
 * <p>Writes are sent by the load's thread only; {@link #stop()} and the accessors may be called from any thread.
 */
public final class BackgroundLoad extends LoadThread {

    private static final int TAGS = 4;
    private static final int MIXED_OPS = 60;
    private static final int SPREAD_OPS = 60;
    private static final int SPREAD_KEYS = 600;
    private static final long PAUSE_MILLIS = 15;

    private final AtomicLong rounds = new AtomicLong();

    /** Where a key's writes go: built on the load's thread, closed when it ends. */
    private interface Router extends AutoCloseable {
        RedisConnection connectionFor(String key);

        @Override
        void close();
    }

    private BackgroundLoad(String version, List<Integer> dbs, long seed, Supplier<Router> routes) {
        start("background-load", () -> {
            try (Router router = routes.get()) {
                run(router, version, dbs, new Random(seed));
            }
        });
    }

    /** A load on {@code dbs} of a standalone server. */
    public static BackgroundLoad onStandalone(RedisServer server, long seed, Integer... dbs) {
        return new BackgroundLoad(server.version(), List.of(dbs), seed, () -> {
            RedisConnection conn = server.connect();
            return new Router() {
                @Override
                public RedisConnection connectionFor(String key) {
                    return conn;
                }

                @Override
                public void close() {
                    conn.close();
                }
            };
        });
    }

    /** A load on a Redis Cluster whose slots stay where they are while it runs. */
    public static BackgroundLoad onCluster(ClusterHarness cluster, long seed) {
        RedisEndpoint seedNode = cluster.endpoint();
        return new BackgroundLoad(cluster.nodes().get(0).version(), List.of(0), seed, () -> {
            Topology topology = Topology.discover(seedNode);
            Map<RedisEndpoint, RedisConnection> open = new HashMap<>();
            return new Router() {
                @Override
                public RedisConnection connectionFor(String key) {
                    return open.computeIfAbsent(topology.nodeFor(key.getBytes(StandardCharsets.UTF_8)), RedisConnection::open);
                }

                @Override
                public void close() {
                    open.values().forEach(RedisConnection::close);
                }
            };
        });
    }

    private void run(Router router, String version, List<Integer> dbs, Random random) throws InterruptedException {
        List<MixedWorkload> workloads = new ArrayList<>();
        for (int t = 0; t < TAGS; t++) {
            String tag = "t" + t;
            workloads.add(MixedWorkload.builder(router.connectionFor("{" + tag + "}"), version).dbs(dbs.toArray(Integer[]::new))
                    .prefixPerDb(true).hashTag(tag).keySpace(20).seed(random.nextLong()).build());
        }
        Map<RedisConnection, Integer> selected = new HashMap<>();
        while (running()) {
            for (MixedWorkload workload : workloads) {
                workload.run(MIXED_OPS);
            }
            // Each workload leaves its connection on the first database.
            selected.replaceAll((conn, db) -> dbs.get(0));
            for (int i = 0; i < SPREAD_OPS; i++) {
                int db = dbs.get(random.nextInt(dbs.size()));
                spread(router, selected, db, "sp" + db + ":", random);
            }
            rounds.incrementAndGet();
            Thread.sleep(PAUSE_MILLIS);
        }
    }

    /** One one-key write on a random key of the spread key space, in database {@code db}. */
    private static void spread(Router router, Map<RedisConnection, Integer> selected, int db, String prefix, Random random) {
        int n = random.nextInt(SPREAD_KEYS);
        long now = System.currentTimeMillis();
        // At least an hour away: nothing expires during a test.
        long later = now + 3_600_000L + random.nextInt(3_600_000);
        Object[] command = switch (random.nextInt(9)) {
            case 0 -> new Object[] {"INCR", prefix + "c:" + n};
            case 1 -> new Object[] {"LPUSH", prefix + "l:" + n % 200, Long.toString(now)};
            case 2 -> new Object[] {"APPEND", prefix + "a:" + n % 200, n + ";"};
            case 3 -> new Object[] {"HINCRBY", prefix + "h:" + n % 100, "f" + n % 7, "1"};
            case 4 -> new Object[] {"ZINCRBY", prefix + "z:" + n % 100, "1", "m" + n % 11};
            case 5 -> new Object[] {"SADD", prefix + "s:" + n % 100, "m" + random.nextInt(50)};
            case 6 -> new Object[] {"SET", prefix + "x:" + n % 300, "v" + now, "PXAT", Long.toString(later)};
            case 7 -> new Object[] {"PEXPIREAT", prefix + "c:" + n, Long.toString(later)};
            default -> new Object[] {"DEL", prefix + "x:" + n % 300};
        };
        RedisConnection conn = router.connectionFor((String) command[1]);
        if (!Integer.valueOf(db).equals(selected.get(conn))) {
            conn.callChecked("SELECT", Integer.toString(db));
            selected.put(conn, db);
        }
        conn.callChecked(command);
    }

    /** Rounds completed so far. */
    public long rounds() {
        return rounds.get();
    }

    /** Waits until {@code more} further rounds have completed. */
    public void awaitMoreRounds(long more, Duration timeout) throws InterruptedException {
        awaitMore(rounds::get, more, timeout, "rounds");
    }
}
