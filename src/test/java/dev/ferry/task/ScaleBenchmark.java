package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.ClusterValues;
import dev.ferry.testing.ProcessStats;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Issue 14, point 5b: how one {@code ferry sync} process (the launcher's JVM options) grows with the masters of a
 * cluster source, into one standalone target. Prints numbers, asserts nothing; run by hand (docs/BENCHMARKS.md).
 *
 * <ul>
 *   <li>{@code idle MASTERS SECONDS}: every master streams, nothing is written; the process's CPU
 *       (utime + stime) per link per second, its RSS and threads.</li>
 *   <li>{@code load MASTERS,MASTERS,... KEYS SIZE}: per cluster size, once every master streams, one pipelined
 *       loader writes KEYS values of SIZE bytes across the masters; the rate at which they are applied at the
 *       target (from the first write to the last key there), Ferry's CPU per 100k writes, its peak RSS.</li>
 * </ul>
 *
 * <pre>{@code
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Dferry.redis.bin.dir=$PWD/target/redis-bin -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) \
 *     dev.ferry.task.ScaleBenchmark idle 64 60
 * java ... dev.ferry.task.ScaleBenchmark load 1,4,16,64 300000 512
 * }</pre>
 */
public final class ScaleBenchmark {

    private ScaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("idle")) {
            idle(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        } else if (args.length > 0 && args[0].equals("load")) {
            int keys = Integer.parseInt(args[2]);
            int size = Integer.parseInt(args[3]);
            System.out.println("| masters | values | written at the source | applied at the target | Ferry CPU per 100k writes | RSS streaming idle | peak RSS | threads |");
            System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
            for (int masters : Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()) {
                load(masters, keys, size);
            }
        } else {
            System.err.println("usage: ScaleBenchmark idle MASTERS SECONDS | load MASTERS,... KEYS SIZE");
        }
    }

    private static void idle(int masters, int seconds) throws Exception {
        try (Rig rig = new Rig(masters)) {
            ClusterHarness cluster = rig.cluster;
            RedisConnection tgt = rig.tgt;
            FerryProcess ferry = rig.ferry;
            // Let the snapshot's garbage and the JIT settle before measuring.
            Thread.sleep(10_000);
            long cpu0 = ProcessStats.cpuMillis(ferry.pid());
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long cpu = ProcessStats.cpuMillis(ferry.pid()) - cpu0;
            double wall = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "idle: %d masters, %.0f s: Ferry CPU %d ms = %.2f%% of a core,"
                            + " %.3f ms CPU per link per second; RSS %d MiB, threads %d: %s%n",
                    masters, wall, cpu, cpu / wall / 10, cpu / wall / masters, ProcessStats.rssMiB(ferry.pid()),
                    ProcessStats.threads(ferry.pid()), ProcessStats.javaThreadNames(ferry.pid()));
            ferry.terminate();
        }
    }

    private static void load(int masters, int keys, int size) throws Exception {
        try (Rig rig = new Rig(masters)) {
            ClusterHarness cluster = rig.cluster;
            RedisConnection tgt = rig.tgt;
            FerryProcess ferry = rig.ferry;
            long rssIdle = ProcessStats.rssMiB(ferry.pid());
            long cpu0 = ProcessStats.cpuMillis(ferry.pid());
            long t0 = System.nanoTime();
            ClusterValues.write(cluster.endpoint(), 0, keys, size);
            double written = (System.nanoTime() - t0) / 1e9;
            while (keysArrived(tgt) < keys) {
                if (!ferry.isAlive() || System.nanoTime() - t0 > Duration.ofMinutes(5).toNanos()) {
                    throw new IllegalStateException("not every value arrived; log:\n" + ferry.log());
                }
                Thread.sleep(20);
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            long cpu = ProcessStats.cpuMillis(ferry.pid()) - cpu0;
            System.out.printf(Locale.ROOT, "| %d | %,d × %d B | %,.0f/s | %,.0f writes/s | %.2f CPU s | %d MiB | %d MiB | %d |%n",
                    masters, keys, size, keys / written, keys / wall, cpu / 1000.0 * 100_000 / keys, rssIdle,
                    ProcessStats.peakRssMiB(ferry.pid()), ProcessStats.threads(ferry.pid()));
            ferry.terminate();
        }
    }

    /** A cluster of {@code masters} masters, a standalone target, and one ferry sync between them that streams. */
    private static final class Rig implements AutoCloseable {
        final ClusterHarness cluster;
        final RedisServer target;
        final RedisConnection tgt;
        final FerryProcess ferry;

        Rig(int masters) throws Exception {
            cluster = ClusterHarness.start("7.0.15", masters, "--repl-diskless-sync-delay", "0");
            target = RedisServer.builder().version("7.0.15").start();
            tgt = target.connect();
            ferry = FerryProcess.start("sync", "--quiet", "--source", cluster.uri(), "--target", "redis://127.0.0.1:" + target.port());
            awaitStreaming(ferry, tgt, masters);
        }

        @Override
        public void close() {
            ferry.close();
            tgt.close();
            target.close();
            cluster.close();
        }
    }

    private static void awaitStreaming(FerryProcess ferry, RedisConnection tgt, int masters) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (((RespValue.Array) tgt.callChecked("KEYS", "__ferry:cp:*")).items().size() < masters) {
            if (!ferry.isAlive() || System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("not every master streams; log:\n" + ferry.log());
            }
            Thread.sleep(100);
        }
    }

    private static long keysArrived(RedisConnection tgt) {
        return tgt.callChecked("DBSIZE").asLong()
                - ((RespValue.Array) tgt.callChecked("KEYS", "__ferry:*")).items().size();
    }
}
