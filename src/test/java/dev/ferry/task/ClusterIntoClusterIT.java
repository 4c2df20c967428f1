package dev.ferry.task;

import dev.ferry.Throttle;
import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.pipeline.KeyFilter;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.ServerInfo;
import dev.ferry.testing.BackgroundLoad;
import dev.ferry.testing.ClusterData;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.ClusterSeed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redis Cluster into a Redis Cluster of another number of masters (3 into 4, 4 into 3), one task per source
 * master each writing through its own cluster writer, with every key's type, value and absolute expiry compared at
 * the end: the sample data set of every type with writes running while the snapshots are copied and after, and a
 * key filter in {@code --mode full} and {@code --mode incremental}. One pair of 7.0 clusters serves every test but
 * the one on 6.2.
 */
class ClusterIntoClusterIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String VERSION = "7.0.15";
    private static final KeyFilter FILTER = KeyFilter.of(List.of("mw*", "sp0:[lhz]:*", "hash:*", "stream:*"),
            List.of("*{t2}*", "*:stream:*"));

    private static ClusterHarness three;
    private static ClusterHarness four;
    /** Holds the sample data set, copied into a source cluster by each test. */
    private static RedisServer sample;

    @BeforeAll
    static void startClusters() {
        three = ClusterHarness.start(VERSION, 3, "--repl-diskless-sync-delay", "0");
        four = ClusterHarness.start(VERSION, 4, "--repl-diskless-sync-delay", "0");
        sample = RedisServer.builder().version(VERSION).start();
        try (RedisConnection conn = sample.connect()) {
            SampleData.load(conn, VERSION, SampleData.Options.builder().dbs(0).build());
        }
    }

    @AfterAll
    static void stopClusters() {
        for (AutoCloseable c : new AutoCloseable[] {three, four, sample}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @BeforeEach
    void emptyClusters() {
        three.flushAll();
        four.flushAll();
    }

    /** Then one source master empties itself: only its slots' keys go on the target, the others stay. */
    @Test
    void threeMastersIntoFourWithWritesDuringAndAfterTheSnapshotsEndEqual() throws Exception {
        try (Running running = streamWithWritesDuringAndAfterTheSnapshots(three, four)) {
            try (RedisConnection master = three.nodes().get(0).connect()) {
                master.callChecked("FLUSHALL");
            }
            try (BackgroundLoad load = BackgroundLoad.onCluster(three, 31)) {
                load.awaitMoreRounds(20, TIMEOUT);
                load.stop();
            }
            running.awaitCaughtUp();
            ClusterData.assertSameData(three, four, key -> true);
            running.stop();
        }
    }

    /** Then the sync is stopped, the source written to, and a new run continues every master's stream where it was. */
    @Test
    void fourMastersIntoThreeWithWritesDuringAndAfterTheSnapshotsEndEqual() throws Exception {
        SyncOptions options;
        try (Running running = streamWithWritesDuringAndAfterTheSnapshots(four, three)) {
            options = running.options;
            running.stop();
        }
        try (BackgroundLoad load = BackgroundLoad.onCluster(four, 41)) {
            load.awaitMoreRounds(20, TIMEOUT);
            load.stop();
        }
        try (Running resumed = new Running(options)) {
            resumed.awaitStreaming();
            resumed.awaitCaughtUp();
            assertThat(resumed.task.shards()).allSatisfy(s -> {
                assertThat(s.partialResyncs()).as("partial resyncs of " + s.id()).isEqualTo(1);
                assertThat(s.fullResyncs()).as("full resyncs of " + s.id()).isZero();
            });
            ClusterData.assertSameData(four, three, key -> true);
            resumed.stop();
        }
    }

    /** The older version the issue asks for: its COMMAND table and its replication stream are 6.2's. */
    @Test
    void threeMastersIntoFourOnRedis62EndEqual() throws Exception {
        String older = "6.2.7";
        try (ClusterHarness source = ClusterHarness.start(older, 3, "--repl-diskless-sync-delay", "0");
             ClusterHarness target = ClusterHarness.start(older, 4);
             RedisServer olderSample = RedisServer.builder().version(older).start();
             RedisConnection conn = olderSample.connect()) {
            SampleData.load(conn, older, SampleData.Options.builder().dbs(0).build());
            try (Running running = streamWithWritesDuringAndAfterTheSnapshots(source, target, ClusterSeed.copy(conn, source))) {
                running.stop();
            }
        }
    }

    @Test
    void aKeyFilterInModeFullCopiesOnlyTheMatchingKeys() throws Exception {
        seed(three);
        try (BackgroundLoad load = BackgroundLoad.onCluster(three, 22)) {
            load.awaitMoreRounds(20, TIMEOUT);
        }
        ClusterSyncTask task = new ClusterSyncTask(SyncOptions.builder(three.endpoint(), four.endpoint())
                .mode(SyncMode.FULL).keys(FILTER).progressInterval(Duration.ZERO).build(), null);
        task.run();

        assertThat(task.shards()).hasSize(3).allSatisfy(s -> assertThat(s.state()).isEqualTo(TaskState.FINISHED));
        ClusterData.assertSameData(three, four, FILTER::matches);
        assertFilterCopiedSome(three, four);
    }

    /** The keys the source held at the start stay out; the later writes that match go in. */
    @Test
    void aKeyFilterInModeIncrementalCopiesOnlyTheLaterMatchingWrites() throws Exception {
        seed(four);
        for (int i = 0; i < 100; i++) {
            four.call("SET", "mw:before:" + i, "held before the start");
        }
        try (Running running = new Running(SyncOptions.builder(four.endpoint(), three.endpoint())
                .mode(SyncMode.INCREMENTAL).keys(FILTER).progressInterval(Duration.ZERO).build())) {
            running.awaitStreaming();
            try (BackgroundLoad load = BackgroundLoad.onCluster(four, 23)) {
                load.awaitMoreRounds(40, TIMEOUT);
                load.stop();
            }
            running.awaitCaughtUp();
            assertThat(running.task.snapshotKeys()).isZero();
            ClusterData.assertSameData(four, three, key -> FILTER.matches(key) && !startsWith(key, "mw:before:")
                    && !startsWith(key, "hash:") && !startsWith(key, "stream:"));
            assertFilterCopiedSome(four, three);
            running.stop();
        }
    }

    /**
     * Copies {@code source} into {@code target} with writes running while the snapshots are taken and copied and
     * after, checks that the target holds the same data, and returns the sync, still running.
     */
    private static Running streamWithWritesDuringAndAfterTheSnapshots(ClusterHarness source, ClusterHarness target)
            throws Exception {
        return streamWithWritesDuringAndAfterTheSnapshots(source, target, seed(source));
    }

    /** As above, into a source already given {@code seeded} keys. */
    private static Running streamWithWritesDuringAndAfterTheSnapshots(ClusterHarness source, ClusterHarness target,
                                                                      int seeded) throws Exception {
        try (BackgroundLoad load = BackgroundLoad.onCluster(source, source.nodes().size())) {
            load.awaitMoreRounds(1, TIMEOUT);
            long atStart = load.rounds();
            // The snapshots held to 500 keys/s in all, so the load's rounds certainly overlap them.
            Running running = new Running(SyncOptions.builder(source.endpoint(), target.endpoint())
                    .progressInterval(Duration.ZERO).throttle(new Throttle(500, 0), Throttle.none()).build());
            try {
                running.awaitStreaming();
                assertThat(load.rounds()).as("rounds of writes while the snapshots were taken and copied").isGreaterThan(atStart);
                load.awaitMoreRounds(40, TIMEOUT);
                load.stop();
                running.awaitCaughtUp();

                assertThat(running.task.shards()).hasSize(source.nodes().size());
                assertThat(running.task.snapshotKeys()).isGreaterThanOrEqualTo(seeded);
                assertThat(running.task.commandsForwarded()).as("writes streamed after the snapshots").isPositive();
                ClusterData.assertSameData(source, target, key -> true);
                return running;
            } catch (Exception | AssertionError e) {
                running.close();
                throw e;
            }
        }
    }

    /** Copies the sample data set into {@code cluster}; returns how many keys. */
    private static int seed(ClusterHarness cluster) {
        try (RedisConnection conn = sample.connect()) {
            return ClusterSeed.copy(conn, cluster);
        }
    }

    private static void assertFilterCopiedSome(ClusterHarness source, ClusterHarness target) {
        assertThat(ClusterData.count(target, "mw0:{t0}:*")).as("keys the filter lets through").isPositive();
        assertThat(ClusterData.count(source, "mw0:{t2}:*")).as("keys the filter keeps out").isPositive();
    }

    private static boolean startsWith(byte[] key, String prefix) {
        return new String(key, StandardCharsets.ISO_8859_1).startsWith(prefix);
    }

    /** A cluster sync on a thread of its own, stopped (and checked for failures) on close. */
    private static final class Running implements AutoCloseable {

        final SyncOptions options;
        final ClusterSyncTask task;
        private final Thread thread;

        Running(SyncOptions options) {
            this.options = options;
            this.task = new ClusterSyncTask(options, null);
            this.thread = new Thread(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    // Each shard keeps its failure for the test to see.
                }
            }, "cluster-sync-under-test");
            thread.start();
        }

        void awaitStreaming() throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (task.shards().isEmpty() || !task.shards().stream().allMatch(s -> s.state() == TaskState.STREAMING)) {
                failIfFailed();
                assertThat(System.nanoTime()).as("every master's task streaming").isLessThan(deadline);
                Thread.sleep(20);
            }
        }

        /** Waits until each master's task has applied everything its master has written so far. */
        void awaitCaughtUp() throws InterruptedException {
            List<SyncTask> shards = task.shards();
            for (int i = 0; i < shards.size(); i++) {
                long offset;
                try (RedisConnection master = RedisConnection.open(task.masters().get(i))) {
                    offset = ServerInfo.fetch(master).getLong("master_repl_offset", -1);
                }
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (shards.get(i).appliedOffset() < offset) {
                    failIfFailed();
                    assertThat(System.nanoTime()).as("master %s applied up to %d, is at %d", task.masters().get(i),
                            shards.get(i).appliedOffset(), offset).isLessThan(deadline);
                    Thread.sleep(5);
                }
            }
        }

        void stop() throws InterruptedException {
            task.stop();
            thread.join(30_000);
            failIfFailed();
        }

        private void failIfFailed() {
            for (SyncTask shard : task.shards()) {
                if (shard.failure() != null) {
                    throw new AssertionError("task " + shard.id() + " failed: " + shard.failure().getMessage(), shard.failure());
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            task.stop();
            thread.join(30_000);
        }
    }
}
