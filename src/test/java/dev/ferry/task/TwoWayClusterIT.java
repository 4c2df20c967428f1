package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.checkpoint.CheckpointStore;
import dev.ferry.checkpoint.ControlKeys;
import dev.ferry.cluster.Topology;
import dev.ferry.embedded.RedisServer;
import dev.ferry.pipeline.DbMap;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;
import dev.ferry.testing.ClusterData;
import dev.ferry.testing.ClusterHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two-way sync between two Redis Clusters of three masters whose slot maps differ (one master's keys land on
 * several masters of the other): the forward cluster task copies X's data and writes into Y, the reverse copies
 * Y's writes back into X, each master's task marking its slot transactions with its checkpoint. The load is
 * non-idempotent and runs on both sides at once, on keys of one side and on shared counters, so a write applied
 * twice or sent back shows.
 */
class TwoWayClusterIT {

    private static final String VERSION = "7.0.15";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int ROUNDS = 400;
    private static final int KEYS = 20;
    private static final int SHARED = 10;
    private static final int KILLS = 4;

    @Test
    void twoClustersSyncBothWaysEachWriteAppliedOnceOnEachSideAndNothingComesBack() throws Exception {
        try (ClusterHarness x = ClusterHarness.start(VERSION, 3, "--repl-diskless-sync-delay", "0");
             ClusterHarness y = ClusterHarness.startSkewed(VERSION, 3, 2000, "--repl-diskless-sync-delay", "0")) {
            seed(x);
            ClusterSyncTask early = new ClusterSyncTask(reverse(x, y), null);
            assertThat(runToFailure(early).getMessage()).as("the reverse before the forward")
                    .contains("two-way: the forward task").contains("has no checkpoint").contains("start it first");

            try (Running fwd = Running.start(forward(x, y)); Running rev = Running.start(reverse(x, y))) {
                assertThat(fwd.task.shards()).allSatisfy(s -> assertThat(s.id()).startsWith(SyncTask.taskId(forward(x, y)) + "."));
                Load onX = new Load(x, "x", ROUNDS);
                Load onY = new Load(y, "y", ROUNDS);
                onX.finish();
                onY.finish();
                awaitIncrements(x::call, y::call, onX, onY, rev);
                awaitBothCaughtUp(x, y, fwd.task, rev.task);

                // Each direction forwarded exactly its side's writes: nothing came back to be forwarded again.
                assertThat(fwd.task.commandsForwarded()).as("forward: writes forwarded").isEqualTo(onX.writes);
                assertThat(rev.task.commandsForwarded()).as("reverse: writes forwarded").isEqualTo(onY.writes);
                long fwdLooped = sum(fwd.task, s -> s.counters().transactionsLooped.sum());
                long revLooped = sum(rev.task, s -> s.counters().transactionsLooped.sum());
                assertThat(fwdLooped).as("forward: the reverse's slot transactions dropped").isGreaterThanOrEqualTo(ROUNDS);
                assertThat(revLooped).as("reverse: the forward's slot transactions dropped").isGreaterThanOrEqualTo(ROUNDS);
                // Quiet: while both sides only beat their heartbeats, nothing more is forwarded or dropped.
                awaitBothCaughtUp(x, y, fwd.task, rev.task);
                assertThat(fwd.task.commandsForwarded() + rev.task.commandsForwarded()).isEqualTo(onX.writes + onY.writes);
                assertThat(sum(fwd.task, s -> s.counters().transactionsLooped.sum())).isEqualTo(fwdLooped);
                assertThat(sum(rev.task, s -> s.counters().transactionsLooped.sum())).isEqualTo(revLooped);
                assertCounters(x::call, y::call, onX.rounds, onY.rounds);
                ClusterData.assertSameData(x, y);
            }
        }
    }

    @Test
    void whileTheForwardCopiesASnapshotAgainTheReverseCarriesNoneOfItBack() throws Exception {
        try (ClusterHarness x = ClusterHarness.start(VERSION, 3, "--repl-diskless-sync-delay", "0");
             ClusterHarness y = ClusterHarness.startSkewed(VERSION, 3, 2000, "--repl-diskless-sync-delay", "0")) {
            seed(x);
            Running.start(forward(x, y)).close();
            try (Running rev = Running.start(reverse(x, y))) {
                // Without its checkpoints the forward copies X again, over what Y holds: every key, on every master of Y.
                for (Base base : forwardCheckpoints(x, y)) {
                    base.home.callChecked("DEL", base.store.key());
                }
                try (Running again = Running.start(SyncOptions.builder(x.endpoint(), y.endpoint()).twoWay(true)
                        .existing(ExistingKeys.OVERWRITE).progressInterval(Duration.ZERO).build())) {
                    assertThat(again.task.snapshotKeys()).isGreaterThanOrEqualTo(800);
                    awaitCaughtUp(y, rev.task);
                    assertThat(rev.task.commandsForwarded()).as("the snapshot's writes went back to X").isZero();

                    // Streaming again, each side's writes cross once more.
                    x.call("INCR", "after:x");
                    y.call("INCR", "after:y");
                    awaitBothCaughtUp(x, y, again.task, rev.task);
                    assertThat(rev.task.commandsForwarded()).isEqualTo(1);
                    assertThat(again.task.commandsForwarded()).isEqualTo(1);
                }
            }
            for (ClusterHarness side : List.of(x, y)) {
                assertThat(side.call("GET", "after:x").asText()).isEqualTo("1");
                assertThat(side.call("GET", "after:y").asText()).isEqualTo("1");
            }
            ClusterData.assertSameData(x, y);
        }
    }

    @Test
    void theForwardKilledAtRandomMomentsOfTheLoadResumesEachTimeAndEveryWriteIsAppliedOnceOnEachSide() throws Exception {
        try (ClusterHarness x = ClusterHarness.start(VERSION, 3, "--repl-diskless-sync-delay", "0",
                "--repl-backlog-size", "64mb");
             ClusterHarness y = ClusterHarness.startSkewed(VERSION, 3, 2000, "--repl-diskless-sync-delay", "0")) {
            seed(x);
            String[] args = {"sync", "--quiet", "--two-way", "--source", x.uri(), "--target", y.uri()};
            List<Base> checkpoints = forwardCheckpoints(x, y);
            Random random = new Random(20_261_130);
            Load onX;
            Load onY;
            try (FerryProcess first = FerryProcess.start(args)) {
                for (Base base : checkpoints) {
                    first.awaitCheckpoint(base.store, base.home, 0);
                }
                try (Running rev = Running.start(reverse(x, y))) {
                    long fullSyncs = fullSyncs(x);
                    onX = new Load(x, "x", Integer.MAX_VALUE);
                    onY = new Load(y, "y", Integer.MAX_VALUE);
                    Thread.sleep(300 + random.nextInt(1000));
                    first.kill();
                    for (int i = 0; i < KILLS; i++) {
                        try (FerryProcess ferry = FerryProcess.start(args)) {
                            ferry.awaitLog("continues the stream", TIMEOUT);
                            Thread.sleep(random.nextInt(1500));
                            assertThat(ferry.isAlive()).as("ferry died by itself:\n%s", ferry.log()).isTrue();
                            ferry.kill();
                        }
                    }
                    onX.stop();
                    onY.stop();
                    try (FerryProcess last = FerryProcess.start(args)) {
                        // The forward applied all of X: each master's task checkpoints that master's offset.
                        for (Base base : checkpoints) {
                            last.awaitCheckpoint(base.store, base.home, offset(base.master));
                        }
                        awaitIncrements(x::call, y::call, onX, onY, rev);
                        awaitCaughtUp(y, rev.task);
                        assertThat(rev.task.commandsForwarded()).as("reverse: writes forwarded").isEqualTo(onY.writes);
                        assertThat(last.terminate()).as("exit code after SIGTERM; log:\n%s", last.log()).isZero();
                    }
                    assertThat(fullSyncs(x)).as("no full resync of X after the first").isEqualTo(fullSyncs);
                }
            }
            assertThat(onX.rounds).as("X's load ran").isGreaterThan(100);
            assertCounters(x::call, y::call, onX.rounds, onY.rounds);
            ClusterData.assertSameData(x, y);
        }
    }

    @ParameterizedTest(name = "forward from the standalone server: {0}")
    @ValueSource(booleans = {true, false})
    void aStandaloneServerAndAClusterSyncBothWaysEachWriteAppliedOnceOnEachSide(boolean fromStandalone) throws Exception {
        try (RedisServer server = RedisServer.builder().version(VERSION).arg("--repl-diskless-sync-delay", "0").start();
             RedisConnection standalone = server.connect();
             ClusterHarness cluster = ClusterHarness.start(VERSION, 3, "--repl-diskless-sync-delay", "0")) {
            RedisEndpoint s = server.endpoint();
            RedisEndpoint c = cluster.endpoint();
            Side origin = fromStandalone ? standalone::callChecked : cluster::call;
            origin.call("SET", "copied", "by the snapshot");
            SyncOptions forward = SyncOptions.builder(fromStandalone ? s : c, fromStandalone ? c : s).twoWay(true)
                    .progressInterval(Duration.ZERO).build();
            SyncOptions reverse = SyncOptions.builder(fromStandalone ? c : s, fromStandalone ? s : c).twoWay(true)
                    .mode(SyncMode.INCREMENTAL).retryFor(Duration.ZERO).progressInterval(Duration.ZERO).build();
            SyncHarness single = fromStandalone ? SyncHarness.start(forward).awaitStreaming(TIMEOUT) : null;
            try (Running clustered = Running.start(fromStandalone ? reverse : forward)) {
                single = single != null ? single : SyncHarness.start(reverse).awaitStreaming(TIMEOUT);
                Load onServer = new Load(key -> s, "x", ROUNDS);
                Load onCluster = new Load(cluster, "y", ROUNDS);
                onServer.finish();
                onCluster.finish();
                awaitIncrements(standalone::callChecked, cluster::call, onServer, onCluster, clustered);
                for (int pass = 0; pass < 2; pass++) {
                    single.awaitCaughtUp(standalone, TIMEOUT);
                    awaitCaughtUp(cluster, clustered.task);
                }
                assertThat(single.task.counters().commandsForwarded.sum()).as("writes forwarded from the standalone server")
                        .isEqualTo(onServer.writes);
                assertThat(clustered.task.commandsForwarded()).as("writes forwarded from the cluster").isEqualTo(onCluster.writes);
                assertCounters(standalone::callChecked, cluster::call, onServer.rounds, onCluster.rounds);
                ClusterData.assertSameData(standalone, cluster);
            } finally {
                if (single != null) {
                    single.stop();
                }
            }
        }
    }

    @Test
    void oneDatabaseOfAStandaloneServerPairsWithAClusterAndSeveralAreRefused() throws Exception {
        try (RedisServer server = RedisServer.builder().version(VERSION).arg("--repl-diskless-sync-delay", "0").start();
             RedisConnection standalone = server.connect();
             ClusterHarness cluster = ClusterHarness.start(VERSION, 3, "--repl-diskless-sync-delay", "0")) {
            standalone.callChecked("SET", "in-db0", "x");
            standalone.callChecked("SELECT", "1");
            standalone.callChecked("SET", "in-db1", "x");
            SyncOptions.Builder both = SyncOptions.builder(server.endpoint(), cluster.endpoint()).twoWay(true)
                    .retryFor(Duration.ZERO).progressInterval(Duration.ZERO);
            try (SyncHarness refused = SyncHarness.start(both.build())) {
                assertThat(refused.awaitFailure(TIMEOUT).getMessage()).contains("--two-way copies one database into it")
                        .contains("--dbs N").contains("--dbs 0 --db-map 0:N");
            }
            SyncOptions forward = SyncOptions.builder(server.endpoint(), cluster.endpoint()).twoWay(true).dbs(Set.of(1))
                    .dbMap(DbMap.of(Map.of(1, 0))).progressInterval(Duration.ZERO).build();
            SyncOptions reverse = SyncOptions.builder(cluster.endpoint(), server.endpoint()).twoWay(true).dbs(Set.of(0))
                    .dbMap(DbMap.of(Map.of(0, 1))).mode(SyncMode.INCREMENTAL).retryFor(Duration.ZERO)
                    .progressInterval(Duration.ZERO).build();
            try (SyncHarness fwd = SyncHarness.start(forward).awaitStreaming(TIMEOUT); Running rev = Running.start(reverse)) {
                for (int i = 0; i < 50; i++) {
                    standalone.callChecked("INCR", "from-server");
                    cluster.call("INCR", "from-cluster");
                }
                for (int pass = 0; pass < 2; pass++) {
                    fwd.awaitCaughtUp(standalone, TIMEOUT);
                    awaitCaughtUp(cluster, rev.task);
                }
                assertThat(fwd.task.counters().commandsForwarded.sum()).isEqualTo(50);
                assertThat(rev.task.commandsForwarded()).isEqualTo(50);
                fwd.stop();
            }
            assertThat(standalone.callChecked("GET", "from-cluster").asText()).isEqualTo("50");
            assertThat(cluster.call("GET", "from-server").asText()).isEqualTo("50");
            assertThat(cluster.call("EXISTS", "in-db0").asLong()).as("database 0 is not copied").isZero();
            // The connection is still on database 1, the one paired with the cluster.
            ClusterData.assertSameData(standalone, cluster);
        }
    }

    /** Keys of every type on X, some with an expiry: the forward's snapshot. */
    private static void seed(ClusterHarness x) {
        long expiry = System.currentTimeMillis() + 3_600_000;
        for (int i = 0; i < 200; i++) {
            x.call("SET", "s:" + i, "v" + i);
            x.call("PEXPIREAT", "s:" + i, Long.toString(expiry + i));
            x.call("RPUSH", "l:" + i, "a", "b", Integer.toString(i));
            x.call("HSET", "h:" + i, "f", Integer.toString(i), "g", "x");
            x.call("SADD", "set:" + i, "a", Integer.toString(i));
            x.call("ZADD", "z:" + i, Integer.toString(i), "m", "1.5", "n");
            if (i % 20 == 0) {
                x.call("XADD", "st:" + i, "*", "f", Integer.toString(i));
                x.call("PFADD", "hll:" + i, "a", "b", "c");
            }
        }
    }

    /**
     * Writes of one side, round by round on a thread of its own: its own counter, list, hash, sorted set and
     * append, a transaction on keys of one slot, and the shared counters both sides increment. Each command
     * changes the data, so each is propagated and counted.
     */
    private static final class Load {
        final Thread thread;
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicReference<Throwable> error = new AtomicReference<>();
        volatile int rounds;
        volatile long writes;

        Load(ClusterHarness cluster, String side, int maxRounds) {
            this(nodes(cluster), side, maxRounds);
        }

        /** @param nodeOf the node that holds a key */
        Load(Function<String, RedisEndpoint> nodeOf, String side, int maxRounds) {
            thread = new Thread(() -> {
                Map<RedisEndpoint, RedisConnection> conns = new HashMap<>();
                try {
                    for (int round = 0; round < maxRounds && running.get(); round++) {
                        int k = round % KEYS;
                        call(nodeOf, conns, "INCR", side + ":n:" + k);
                        call(nodeOf, conns, "INCR", "shared:" + round % SHARED);
                        call(nodeOf, conns, "LPUSH", side + ":list:" + k, Integer.toString(round));
                        call(nodeOf, conns, "HINCRBY", side + ":h:" + k, "f", "1");
                        call(nodeOf, conns, "ZINCRBY", side + ":z", "1", "m" + k);
                        call(nodeOf, conns, "APPEND", side + ":log:" + k, Integer.toString(round % 10));
                        RedisConnection tx = conns.computeIfAbsent(nodeOf.apply("{" + side + "}tx"), RedisConnection::open);
                        tx.callChecked("MULTI");
                        tx.callChecked("INCRBY", "{" + side + "}tx", "2");
                        tx.callChecked("SADD", "{" + side + "}set", Integer.toString(round));
                        tx.callChecked("EXEC");
                        writes += 8;
                        rounds = round + 1;
                    }
                } catch (Throwable t) {
                    error.set(t);
                } finally {
                    conns.values().forEach(RedisConnection::close);
                }
            }, "load-" + side);
            thread.start();
        }

        /** Stops the load after its current round, then {@link #finish()}. */
        void stop() throws InterruptedException {
            running.set(false);
            finish();
        }

        /** Waits for the load's last round and checks that every write was accepted. */
        void finish() throws InterruptedException {
            thread.join(TIMEOUT.toMillis());
            assertThat(thread.isAlive()).isFalse();
            assertThat(error.get()).as("load failure").isNull();
        }

        private static void call(Function<String, RedisEndpoint> nodeOf, Map<RedisEndpoint, RedisConnection> conns,
                                 String... command) {
            conns.computeIfAbsent(nodeOf.apply(command[1]), RedisConnection::open).callChecked((Object[]) command);
        }

        private static Function<String, RedisEndpoint> nodes(ClusterHarness cluster) {
            Topology topology = Topology.discover(cluster.endpoint());
            return key -> topology.nodeFor(key.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A cluster sync running on a thread of its own, streaming once {@link #start} returns; closing stops it. */
    private static final class Running implements AutoCloseable {
        final ClusterSyncTask task;
        final Thread thread;

        private Running(ClusterSyncTask task) {
            this.task = task;
            this.thread = new Thread(() -> {
                try {
                    task.run();
                } catch (FerryException e) {
                    // Kept in each master's task, which the test checks.
                }
            }, "cluster-sync-under-test");
        }

        static Running start(SyncOptions options) throws InterruptedException {
            Running r = new Running(new ClusterSyncTask(options, null));
            r.thread.start();
            awaitStreaming(r.task);
            return r;
        }

        @Override
        public void close() throws InterruptedException {
            task.stop();
            thread.join(30_000);
            failIfFailed(task);
        }
    }

    /** One side of the pair, a cluster or a standalone server: a command goes to the node of its key, its reply checked. */
    @FunctionalInterface
    private interface Side {
        RespValue call(Object... command);
    }

    /** Where the forward's task for X's master {@code master} keeps its base checkpoint in Y. */
    private record Base(RedisEndpoint master, RedisConnection home, CheckpointStore store) {
    }

    /** The base checkpoint of each master's task of the forward, in the order of X's masters. */
    private static List<Base> forwardCheckpoints(ClusterHarness x, ClusterHarness y) {
        SyncOptions forward = forward(x, y);
        Topology masters = Topology.discover(x.endpoint());
        List<Base> bases = new ArrayList<>();
        for (RedisEndpoint master : masters.masters()) {
            SyncOptions shard = forward.forShard(master, masters.slotsOf(master), SyncTask.taskId(forward),
                    SyncTask.peerTaskId(forward));
            ControlKeys keys = ControlKeys.cluster(SyncTask.taskId(shard));
            bases.add(new Base(master, y.connectionFor(keys.checkpointBytes()), new CheckpointStore(keys)));
        }
        return bases;
    }

    /** Waits until both clusters hold every increment of both sides (or more: then the exact check says which). */
    private static void awaitIncrements(Side x, Side y, Load onX, Load onY, Running rev) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!allIncrementsIn(x, onX.rounds, onY.rounds) || !allIncrementsIn(y, onX.rounds, onY.rounds)) {
            failIfFailed(rev.task);
            assertThat(System.nanoTime()).as("both sides' writes arrive").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static boolean allIncrementsIn(Side c, int roundsX, int roundsY) {
        for (int k = 0; k < SHARED; k++) {
            if (counter(c, "shared:" + k) < perKey(roundsX, k, SHARED) + perKey(roundsY, k, SHARED)) {
                return false;
            }
        }
        return counter(c, "{x}tx") >= 2L * roundsX && counter(c, "{y}tx") >= 2L * roundsY;
    }

    /** Every counter, list, hash and set exact on both sides: each write applied once on each. */
    private static void assertCounters(Side x, Side y, int roundsX, int roundsY) {
        for (Side c : List.of(x, y)) {
            for (String side : List.of("x", "y")) {
                int rounds = side.equals("x") ? roundsX : roundsY;
                for (int k = 0; k < KEYS; k++) {
                    long n = perKey(rounds, k, KEYS);
                    assertThat(c.call("GET", side + ":n:" + k).asText()).as(side + ":n:" + k).isEqualTo(Long.toString(n));
                    assertThat(c.call("LLEN", side + ":list:" + k).asLong()).as(side + ":list:" + k).isEqualTo(n);
                    assertThat(c.call("HGET", side + ":h:" + k, "f").asText()).as(side + ":h:" + k).isEqualTo(Long.toString(n));
                    assertThat(c.call("STRLEN", side + ":log:" + k).asLong()).as(side + ":log:" + k).isEqualTo(n);
                    assertThat(c.call("ZSCORE", side + ":z", "m" + k).asText()).as(side + ":z m" + k).isEqualTo(Long.toString(n));
                }
                assertThat(c.call("GET", "{" + side + "}tx").asLong()).isEqualTo(2L * rounds);
                assertThat(c.call("SCARD", "{" + side + "}set").asLong()).isEqualTo(rounds);
            }
            for (int k = 0; k < SHARED; k++) {
                assertThat(counter(c, "shared:" + k)).as("shared:" + k)
                        .isEqualTo(perKey(roundsX, k, SHARED) + perKey(roundsY, k, SHARED));
            }
        }
    }

    /** How many of rounds 0..rounds-1 write key {@code k} of {@code keys} (round r writes key r % keys). */
    private static long perKey(int rounds, int k, int keys) {
        return rounds / keys + (k < rounds % keys ? 1 : 0);
    }

    private static long counter(Side c, String key) {
        String value = c.call("GET", key).asText();
        return value == null ? 0 : Long.parseLong(value);
    }

    /**
     * Waits until each direction has applied what its source's masters hold, twice over: the first pass brings
     * the other direction's marked transactions into each source, the second sees them dropped.
     */
    private static void awaitBothCaughtUp(ClusterHarness x, ClusterHarness y, ClusterSyncTask fwd, ClusterSyncTask rev)
            throws InterruptedException {
        for (int pass = 0; pass < 2; pass++) {
            awaitCaughtUp(x, fwd);
            awaitCaughtUp(y, rev);
        }
    }

    /** Waits until every master's task has applied what its master has written so far. */
    private static void awaitCaughtUp(ClusterHarness source, ClusterSyncTask task) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<SyncTask> shards = task.shards();
        List<RedisEndpoint> masters = task.masters();
        for (int i = 0; i < shards.size(); i++) {
            long offset = offset(masters.get(i));
            while (shards.get(i).appliedOffset() < offset) {
                failIfFailed(task);
                assertThat(System.nanoTime()).as("%s applied up to %d of %d", masters.get(i), shards.get(i).appliedOffset(),
                        offset).isLessThan(deadline);
                Thread.sleep(5);
            }
        }
    }

    private static long offset(RedisEndpoint master) {
        try (RedisConnection conn = RedisConnection.open(master)) {
            return ServerInfo.fetch(conn).getLong("master_repl_offset", -1);
        }
    }

    /** Full syncs X's masters have served. */
    private static long fullSyncs(ClusterHarness x) {
        long n = 0;
        for (RedisEndpoint master : Topology.discover(x.endpoint()).masters()) {
            try (RedisConnection conn = RedisConnection.open(master)) {
                n += ServerInfo.fetch(conn).getLong("sync_full", -1);
            }
        }
        return n;
    }

    private static void awaitStreaming(ClusterSyncTask task) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (task.shards().isEmpty() || !task.shards().stream().allMatch(s -> s.state() == TaskState.STREAMING)) {
            failIfFailed(task);
            assertThat(System.nanoTime()).as("every master's task streams").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void failIfFailed(ClusterSyncTask task) {
        for (SyncTask s : task.shards()) {
            if (s.failure() != null) {
                throw new AssertionError("sync failed: " + s.failure().getMessage(), s.failure());
            }
        }
    }

    private static long sum(ClusterSyncTask task, ToLongFunction<SyncTask> counter) {
        return task.shards().stream().mapToLong(counter).sum();
    }

    private static FerryException runToFailure(ClusterSyncTask task) {
        try {
            task.run();
        } catch (FerryException e) {
            return e;
        }
        throw new AssertionError("the task ran without failing");
    }

    /** X's data and writes into Y. */
    private static SyncOptions forward(ClusterHarness x, ClusterHarness y) {
        return SyncOptions.builder(x.endpoint(), y.endpoint()).twoWay(true).progressInterval(Duration.ZERO).build();
    }

    /** Y's writes back into X, once the forward streams. */
    private static SyncOptions reverse(ClusterHarness x, ClusterHarness y) {
        return SyncOptions.builder(y.endpoint(), x.endpoint()).twoWay(true).mode(SyncMode.INCREMENTAL)
                .retryFor(Duration.ZERO).progressInterval(Duration.ZERO).build();
    }
}
