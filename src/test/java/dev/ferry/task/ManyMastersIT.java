package dev.ferry.task;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.embedded.RedisServer;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.ClusterValues;
import dev.ferry.testing.ProcessStats;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14, point 1: 64 source masters in one {@code ferry sync} process (the launcher's JVM options), the
 * target not taking writes for 15 s while 2 KiB values pour in on every master: the process stays under 512 MB,
 * runs a few threads per master, each named after it, says the lag grows, and every value arrives.
 */
class ManyMastersIT {

    private static final int MASTERS = 64;
    private static final int KEYS = 100_000;
    private static final int VALUE_SIZE = 2048;
    private static final long RSS_LIMIT_MIB = 512;
    /** Threads a task may run: its shard, link, pump and target reply threads. */
    private static final int THREADS_PER_TASK = 4;
    /** Threads of the JVM and the process's shared ones (timers, cleaner, metrics), with room for a few more. */
    private static final int SHARED_THREADS = 40;
    private static final Pattern LARGEST_LAG = Pattern.compile("largest lag (\\d+) ms");

    @Test
    void sixtyFourMastersInOneProcessStayUnder512MegabytesWhileTheTargetPausesAndEveryValueArrives() throws Exception {
        // Lean servers: no persistence (the default of RedisServer), snapshots sent at once.
        try (ClusterHarness cluster = ClusterHarness.start("7.0.15", MASTERS, "--repl-diskless-sync-delay", "0");
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection tgt = target.connect();
             FerryProcess ferry = FerryProcess.start("sync", "--source", cluster.uri(),
                     "--target", "redis://127.0.0.1:" + target.port())) {
            awaitCheckpoints(ferry, tgt, MASTERS);

            List<String> all = ProcessStats.javaThreads(ferry.pid());
            Map<String, Integer> names = ProcessStats.javaThreadNames(ferry.pid());
            int threads = ProcessStats.threads(ferry.pid());
            assertTrue(threads <= MASTERS * THREADS_PER_TASK + SHARED_THREADS, "threads: " + threads + " " + names);
            for (String family : List.of("ferry-shard-", "ferry-target-replies-")) {
                assertEquals(MASTERS, names.getOrDefault(family + "#", 0), family + " threads: " + names);
            }
            for (RedisServer node : cluster.nodes()) {
                for (String family : List.of("ferry-shard-", "ferry-link-", "ferry-pump-")) {
                    assertTrue(all.contains(family + node.endpoint().address()), "no " + family + " thread for master "
                            + node.endpoint().address() + ": " + names);
                }
            }

            tgt.callChecked("CLIENT", "PAUSE", "15000", "WRITE");
            long pausedAt = System.currentTimeMillis();
            ClusterValues.write(cluster.endpoint(), 0, KEYS, VALUE_SIZE);
            awaitLagReported(ferry, 5000, pausedAt + 15_000);

            long deadline = System.currentTimeMillis() + 90_000;
            while (keysArrived(tgt) < KEYS && System.currentTimeMillis() < deadline) {
                assertTrue(ferry.isAlive(), "ferry died:\n" + ferry.log());
                Thread.sleep(200);
            }
            assertEquals(List.of(), ClusterValues.wrong(tgt, KEYS, VALUE_SIZE));
            assertEquals(KEYS, keysArrived(tgt), "keys on the target besides Ferry's own");
            long peak = ProcessStats.peakRssMiB(ferry.pid());
            assertTrue(peak < RSS_LIMIT_MIB, "peak RSS " + peak + " MiB");
            String log = ferry.log();
            assertFalse(log.contains("OutOfMemoryError"), log);
            assertFalse(log.contains("ferry: error"), log);
            assertEquals(0, ferry.terminate());
        }
    }

    /** Waits until every master's task wrote its first checkpoint into the target: every link streams. */
    private static void awaitCheckpoints(FerryProcess ferry, RedisConnection tgt, int masters) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 90_000;
        while (((RespValue.Array) tgt.callChecked("KEYS", "__ferry:cp:*")).items().size() < masters) {
            assertTrue(ferry.isAlive(), "ferry died:\n" + ferry.log());
            assertTrue(System.currentTimeMillis() < deadline, "not every master streams after 90 s:\n" + ferry.log());
            Thread.sleep(100);
        }
    }

    /** Waits for the status line to report a lag of at least {@code atLeastMs} while the target is paused. */
    private static void awaitLagReported(FerryProcess ferry, long atLeastMs, long until) throws InterruptedException {
        while (true) {
            Matcher m = LARGEST_LAG.matcher(ferry.log());
            long largest = -1;
            while (m.find()) {
                largest = Math.max(largest, Long.parseLong(m.group(1)));
            }
            if (largest >= atLeastMs) {
                return;
            }
            assertTrue(System.currentTimeMillis() < until + 5000,
                    "the status never said the lag grew past " + atLeastMs + " ms while the target was paused:\n" + ferry.log());
            Thread.sleep(200);
        }
    }

    /** Keys on the target besides Ferry's own ({@code DBSIZE} and {@code KEYS}: reads, which a write pause lets through). */
    private static long keysArrived(RedisConnection tgt) {
        return tgt.callChecked("DBSIZE").asLong()
                - ((RespValue.Array) tgt.callChecked("KEYS", "__ferry:*")).items().size();
    }
}
