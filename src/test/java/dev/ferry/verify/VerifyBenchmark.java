package dev.ferry.verify;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.task.SyncMode;
import dev.ferry.task.SyncOptions;
import dev.ferry.task.SyncTask;

import java.time.Duration;
import java.util.Locale;

/**
 * How long {@code ferry verify} takes next to the full sync of the same data, measured in one run on the
 * same two local redis-server 7.0.15 processes. Not a test: run it by hand and read the numbers.
 *
 * <pre>{@code
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Dferry.redis.bin.dir=$PWD/target/redis-bin -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) \
 *     dev.ferry.verify.VerifyBenchmark 1000000 3
 * }</pre>
 *
 * <p>Prints each run, then the medians. The data: 70% short strings, and 10% small hashes, 10% small lists, 5% sets, 5% sorted sets of 3 to
 * 5 elements each; a tenth of the keys carry an expiry.
 */
public final class VerifyBenchmark {

    private VerifyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start()) {
            try (RedisConnection conn = source.connect()) {
                load(conn, keys);
            }
            // Interleaved repetitions, medians: the machine may be busy with something else for a while.
            int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
            double[][] times = new double[3][reps];
            for (int rep = 0; rep < reps; rep++) {
                try (RedisConnection conn = target.connect()) {
                    conn.callChecked("FLUSHALL");
                }
                long t0 = System.nanoTime();
                new SyncTask(SyncOptions.builder(source.endpoint(), target.endpoint()).mode(SyncMode.FULL)
                        .progressInterval(Duration.ZERO).build(), null).run();
                times[0][rep] = seconds(t0);
                for (VerifyMode mode : VerifyMode.values()) {
                    long t = System.nanoTime();
                    VerifyReport r = Verifier.run(VerifyOptions.builder(source.endpoint(), target.endpoint()).mode(mode).build());
                    if (!r.consistent()) {
                        throw new AssertionError("verify found differences after a full sync: " + r.differences().get(0));
                    }
                    times[1 + mode.ordinal()][rep] = seconds(t);
                }
                System.out.printf(Locale.ROOT, "run %d: sync %.2f s, outline %.2f s, full %.2f s%n",
                        rep + 1, times[0][rep], times[1][rep], times[2][rep]);
            }
            double sync = median(times[0]);
            report("full sync", keys, sync, sync);
            report("verify outline", keys, median(times[1]), sync);
            report("verify full", keys, median(times[2]), sync);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void load(RedisConnection conn, int keys) {
        int pending = 0;
        for (int i = 0; i < keys; i++) {
            String key = "k:" + i;
            int kind = i % 20;
            if (kind < 14) {
                conn.send("SET", key, "value-" + i);
            } else if (kind < 16) {
                conn.send("HSET", key, "a", i, "b", "x" + i, "c", "y");
            } else if (kind < 18) {
                conn.send("RPUSH", key, "a", "b" + i, "c");
            } else if (kind == 18) {
                conn.send("SADD", key, "a", "b", "c" + i, "d");
            } else {
                conn.send("ZADD", key, 1, "a", 2, "b", i, "c");
            }
            pending++;
            if (i % 10 == 0) {
                conn.send("PEXPIRE", key, 86_400_000L);
                pending++;
            }
            if (pending >= 10_000) {
                drain(conn, pending);
                pending = 0;
            }
        }
        drain(conn, pending);
    }

    private static void drain(RedisConnection conn, int n) {
        conn.flush();
        for (int i = 0; i < n; i++) {
            if (conn.read().isError()) {
                throw new IllegalStateException("load failed");
            }
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void report(String what, int keys, double seconds, double sync) {
        System.out.printf(Locale.ROOT, "%-16s %,10d keys %7.2f s %,10.0f keys/s  %.2fx the full sync%n",
                what, keys, seconds, keys / seconds, seconds / sync);
    }
}
