package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.ClusterData;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.FailoverLoad;
import dev.ferry.testing.RedisCli;
import dev.ferry.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static dev.ferry.task.ClusterSourceFailoverIT.awaitCaughtUp;
import static dev.ferry.task.ClusterSourceFailoverIT.awaitStreaming;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cluster source resharded while Ferry copies it into a standalone server, with INCR, LPUSH, APPEND and XADD
 * hitting the keys of the very slots that move ({@code MIGRATE}, {@code ASK} followed by the load): every key ends as
 * on the source, though the old owner's {@code DEL}s and the new owner's {@code RESTORE}s come from two streams.
 */
class ClusterSourceReshardIT {

    private static final String VERSION = "7.0.15";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @RegisterExtension
    static final Servers servers = new Servers();

    /** What a test does to the source while the sync runs and the load writes to the moving slots. */
    @FunctionalInterface
    private interface Moves {
        void run(ClusterSyncTask task, FailoverLoad load) throws Exception;
    }

    /**
     * Copies {@code source} into {@code target} while a load writes to the keys of {@code slots}, runs {@code moves}
     * once every task streams, then checks that every key is exact, that no task copied anything again, and that no
     * task failed. Returns the finished sync for more checks.
     */
    private static ClusterSyncTask underLoad(ClusterHarness source, RedisServer target, List<Integer> slots, long seed,
            Moves moves) throws Exception {
        FailoverLoad load = new FailoverLoad(source, seed, slots);
        ClusterSyncTask task = new ClusterSyncTask(SyncOptions.builder(source.endpoint(), target.endpoint())
                .progressInterval(Duration.ZERO).build(), null);
        Thread thread = ClusterSourceFailoverIT.start(task);
        try (RedisConnection tgt = target.connect()) {
            load.awaitMoreWrites(2000, TIMEOUT);
            awaitStreaming(task);
            moves.run(task, load);
            load.awaitMoreWrites(2000, TIMEOUT);
            load.stop();
            awaitCaughtUp(task);

            assertThat(ClusterData.count(source, "fo:*")).as("keys of the moved slots").isGreaterThan(300);
            ClusterData.assertSameData(tgt, source);
            assertThat(task.shards()).allSatisfy(s -> assertThat(s.fullResyncs()).as("full resyncs of %s", s.id()).isEqualTo(1));
        } finally {
            load.close();
            task.stop();
            thread.join(30_000);
        }
        assertThat(task.shards()).allSatisfy(s -> assertThat(s.failure()).isNull());
        return task;
    }

    @Test
    void fiveHundredSlotsMigratedBetweenSourceMastersUnderWritesToTheirKeysEndExact() throws Exception {
        RedisServer target = servers.start(VERSION);
        try (ClusterHarness source = ClusterHarness.start(VERSION, 3); RedisConnection tgt = target.connect()) {
            List<Integer> slots = IntStream.range(0, 500).boxed().toList();
            underLoad(source, target, slots, 21, (sync, load) -> {
                source.migrateSlots(slots, source.masters().get(1));
                load.awaitMoreWrites(2000, TIMEOUT);
                // And half of them back, to the first master.
                source.migrateSlots(slots.subList(0, 250), source.masters().get(0));
                // The status line of the masters whose slots changed says so (the slot map is read once a second).
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (sync.shards().stream().noneMatch(s -> String.valueOf(s.lastEvent()).startsWith("slots now 0-249,500-5460"))) {
                    assertThat(System.nanoTime()).as("a status naming the slots back: %s",
                            sync.shards().stream().map(SyncTask::lastEvent).toList()).isLessThan(deadline);
                    Thread.sleep(50);
                }
            });

            // A new run after the resharding: each master's slots are not those its task started with, yet each
            // continues its task of the first run from its checkpoint.
            try (FailoverLoad meanwhile = new FailoverLoad(source, 24, slots)) {
                meanwhile.awaitMoreWrites(1000, TIMEOUT);
                meanwhile.stop();
            }
            ClusterSyncTask again = new ClusterSyncTask(SyncOptions.builder(source.endpoint(), target.endpoint())
                    .progressInterval(Duration.ZERO).build(), null);
            Thread second = ClusterSourceFailoverIT.start(again);
            try {
                awaitStreaming(again);
                awaitCaughtUp(again);
                ClusterData.assertSameData(tgt, source);
                assertThat(again.shards()).allSatisfy(s -> {
                    assertThat(s.fullResyncs()).as("full resyncs of %s", s.id()).isZero();
                    assertThat(s.partialResyncs()).as("partial resyncs of %s", s.id()).isEqualTo(1);
                });
            } finally {
                again.stop();
                second.join(30_000);
            }
        }
    }

    /** The operator's own tool: {@code redis-cli --cluster reshard} moves 500 slots while the load writes to them. */
    @Test
    void fiveHundredSlotsReshardedByRedisCliUnderWritesToTheirKeysEndExact() throws Exception {
        RedisServer target = servers.start(VERSION);
        // With a replica per master, as production clusters run.
        try (ClusterHarness source = ClusterHarness.startWithReplicas(VERSION, 3, 1, 5000)) {
            RedisServer from = source.ownerOf(0);
            RedisServer to = source.masters().stream().filter(m -> m != from).findFirst().orElseThrow();
            List<Integer> slots = source.slotsOf(from).subList(0, 500);
            underLoad(source, target, slots, 25, (sync, load) -> {
                RedisCli.run(120, "--cluster", "reshard", from.endpoint().address(), "--cluster-from", nodeId(from),
                        "--cluster-to", nodeId(to), "--cluster-slots", "500", "--cluster-yes");
                assertThat(source.slotsOf(to)).as("the slots moved").containsAll(slots);
            });
        }
    }

    private static String nodeId(RedisServer node) {
        try (RedisConnection conn = node.connect()) {
            return conn.callChecked("CLUSTER", "MYID").asText();
        }
    }

    @Test
    void aMasterAddedAndGivenSlotsThenAnotherEmptiedAndRemovedEndExact() throws Exception {
        RedisServer target = servers.start(VERSION);
        try (ClusterHarness source = ClusterHarness.start(VERSION, 3)) {
            List<Integer> slots = IntStream.range(5000, 5600).boxed().toList();
            underLoad(source, target, slots, 22, (sync, load) -> {
                RedisServer added = source.addNode(VERSION);
                awaitTasks(sync, 4);
                source.migrateSlots(IntStream.range(5300, 5600).boxed().toList(), added);
                load.awaitMoreWrites(2000, TIMEOUT);
                // The second master gives every slot away and leaves.
                RedisServer leaving = source.masters().get(1);
                source.migrateSlots(source.slotsOf(leaving), source.masters().get(0));
                source.removeNode(leaving);
            });
        }
    }

    /**
     * Valkey 9's atomic slot migration: the importing master's stream carries the slots' keys and the writes made on the
     * exporting master meanwhile; the exporting master's stream has those writes too, then deletes every key it gave
     * away (plain UNLINKs). Copied from the importer's stream alone from its start, the slots end exact.
     */
    @Test
    void anAtomicSlotMigrationOfValkey9UnderWritesEndsExact() throws Exception {
        String valkey = "valkey-9.1.2";
        RedisServer target = servers.start(valkey);
        try (ClusterHarness source = ClusterHarness.start(valkey, 3)) {
            underLoad(source, target, IntStream.range(0, 100).boxed().toList(), 23, (sync, load) -> {
                RedisServer from = source.ownerOf(0);
                RedisServer to = source.masters().stream().filter(m -> m != from).findFirst().orElseThrow();
                try (RedisConnection conn = from.connect()) {
                    conn.callChecked("CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", "0", "99", "NODE", nodeId(to));
                    long deadline = System.nanoTime() + TIMEOUT.toNanos();
                    // Moved, and the exporting master has deleted what it gave away.
                    while (source.ownerOf(0) != to || source.ownerOf(99) != to
                            || conn.callChecked("CLUSTER", "COUNTKEYSINSLOT", "0").asLong() > 0) {
                        assertThat(System.nanoTime()).as("slots 0-99 migrated").isLessThan(deadline);
                        Thread.sleep(50);
                    }
                }
            });
        }
    }

    private static void awaitTasks(ClusterSyncTask task, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (task.shards().size() < count || task.shards().stream().anyMatch(s -> s.state() != TaskState.STREAMING)) {
            ClusterSourceFailoverIT.failIfFailed(task);
            assertThat(System.nanoTime()).as("%d tasks streaming", count).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
