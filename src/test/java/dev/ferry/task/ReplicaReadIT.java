package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.ServerInfo;
import dev.ferry.testing.BackgroundLoad;
import dev.ferry.testing.ClusterData;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.FailoverLoad;
import dev.ferry.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --source-read replica}: the replication link attaches to a replica of each source master (a replica serves
 * the same stream, same replication id and offsets), and when that replica dies, to another replica or to the master,
 * continuing from the checkpoint (a partial resync); every key exact.
 */
class ReplicaReadIT {

    private static final String VERSION = "7.0.15";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final Servers servers = new Servers();

    @Test
    void aReplicaServesTheStreamAndAnotherTakesOverWhenItIsKilled() throws Exception {
        RedisServer master = servers.start(VERSION, "--repl-diskless-sync-delay", "0");
        RedisServer first = servers.startReplicaOf(master, "--repl-diskless-sync-delay", "0");
        RedisServer second = servers.startReplicaOf(master, "--repl-diskless-sync-delay", "0");
        readingFromReplicas(master, (task, load) -> {
            RedisServer reading = awaitSubReplica(List.of(first, second));
            assertThat(replicas(master)).as("the master's replicas: its two replicas, not Ferry").isEqualTo(2);
            load.awaitMoreRounds(5, TIMEOUT);

            ProcessHandle.of(reading.pid()).ifPresent(ProcessHandle::destroyForcibly);
            reading.stop();
            RedisServer other = reading == first ? second : first;
            awaitSubReplica(List.of(other));
        });
    }

    /** No replica at first: the master serves the stream until one is online, then the replica does, partial resync. */
    @Test
    void aMasterReadForWantOfAReplicaIsLeftForTheFirstReplicaOnline() throws Exception {
        RedisServer master = servers.start(VERSION, "--repl-diskless-sync-delay", "0");
        RedisServer[] replica = new RedisServer[1];
        SyncTask task = readingFromReplicas(master, (sync, load) -> {
            assertThat(sync.lastEvent()).startsWith("no replica online, reading from the master");
            load.awaitMoreRounds(5, TIMEOUT);
            replica[0] = servers.startReplicaOf(master, "--repl-diskless-sync-delay", "0");
            awaitSubReplica(List.of(replica[0]));
        });
        assertThat(task.lastEvent()).startsWith("reading from replica " + replica[0].endpoint().address());
    }

    /** What a test does to the source's replicas while a --source-read replica sync streams under a write load. */
    @FunctionalInterface
    private interface ReplicaMoves {
        void run(SyncTask task, BackgroundLoad load) throws Exception;
    }

    /**
     * Syncs {@code master} into a new target with {@code --source-read replica} under a write load, runs {@code moves}
     * once it streams, loads some more, then checks that the target is exact, with one full resync and one partial
     * resync (the move), and that the task did not fail. Returns the task for more checks.
     */
    private static SyncTask readingFromReplicas(RedisServer master, ReplicaMoves moves) throws Exception {
        RedisServer target = servers.start(VERSION);
        try (BackgroundLoad load = BackgroundLoad.onStandalone(master, 5, 0);
             RedisConnection src = master.connect(); RedisConnection tgt = target.connect()) {
            SyncTask task = new SyncTask(SyncOptions.builder(master.endpoint(), target.endpoint()).readReplica(true)
                    .progressInterval(Duration.ZERO).build(), null);
            Thread thread = new Thread(task::run, "sync-from-replica");
            thread.start();
            try {
                awaitState(task);
                moves.run(task, load);
                load.awaitMoreRounds(5, TIMEOUT);
                load.stop();
                awaitLastWrite(task, src, tgt);
                DataAssertions.assertSameData(src, tgt);
                assertThat(task.fullResyncs()).as("full resyncs").isEqualTo(1);
                assertThat(task.partialResyncs()).as("partial resyncs").isEqualTo(1);
            } finally {
                task.stop();
                thread.join(30_000);
            }
            assertThat(task.failure()).isNull();
            return task;
        }
    }

    /** A manual switch-over (REPLICAOF NO ONE on the replica, REPLICAOF on the old master): followed, partial resync. */
    @Test
    void aStandaloneMasterDemotedByHandIsFollowedToItsSuccessor() throws Exception {
        RedisServer master = servers.start(VERSION, "--repl-diskless-sync-delay", "0");
        RedisServer replica = servers.startReplicaOf(master, "--repl-diskless-sync-delay", "0");
        RedisServer target = servers.start(VERSION);
        try (RedisConnection tgt = target.connect(); RedisConnection now = replica.connect();
             RedisConnection old = master.connect()) {
            SyncTask task = new SyncTask(SyncOptions.builder(master.endpoint(), target.endpoint())
                    .progressInterval(Duration.ZERO).build(), null);
            Thread thread = new Thread(task::run, "sync-switch-over");
            thread.start();
            try {
                awaitState(task);
                try (BackgroundLoad load = BackgroundLoad.onStandalone(master, 6, 0)) {
                    load.awaitMoreRounds(5, TIMEOUT);
                    load.stop();
                }
                Servers.awaitInSync(master, replica, TIMEOUT);
                now.callChecked("REPLICAOF", "NO", "ONE");
                old.callChecked("REPLICAOF", replica.endpoint().host(), Integer.toString(replica.port()));
                try (BackgroundLoad load = BackgroundLoad.onStandalone(replica, 7, 0)) {
                    load.awaitMoreRounds(5, TIMEOUT);
                    load.stop();
                }
                awaitLastWrite(task, now, tgt);
                DataAssertions.assertSameData(now, tgt);
                assertThat(task.source()).isEqualTo(replica.endpoint());
                assertThat(task.lastEvent()).startsWith("failed over from " + master.endpoint().address());
                assertThat(task.fullResyncs()).as("full resyncs").isEqualTo(1);
                assertThat(task.partialResyncs()).as("partial resyncs").isEqualTo(1);
            } finally {
                task.stop();
                thread.join(30_000);
            }
            assertThat(task.failure()).isNull();
        }
    }

    @Test
    void eachClusterMasterIsReadFromItsReplicaThenFromItselfWhenTheReplicaDies() throws Exception {
        RedisServer target = servers.start(VERSION);
        try (ClusterHarness source = ClusterHarness.startWithReplicas(VERSION, 3, 1, 2000);
             RedisConnection tgt = target.connect()) {
            FailoverLoad load = new FailoverLoad(source, 31);
            ClusterSyncTask task = new ClusterSyncTask(SyncOptions.builder(source.endpoint(), target.endpoint())
                    .readReplica(true).progressInterval(Duration.ZERO).build(), null);
            Thread thread = ClusterSourceFailoverIT.start(task);
            try {
                ClusterSourceFailoverIT.awaitStreaming(task);
                for (RedisServer master : source.masters()) {
                    awaitSubReplica(source.replicasOf(master));
                    assertThat(replicas(master)).as("replicas of %s: its own, not Ferry", master).isEqualTo(1);
                }
                load.awaitMoreWrites(2000, TIMEOUT);
                RedisServer master = source.ownerOf(0);
                RedisServer replica = source.replicasOf(master).get(0);
                source.killAndForget(replica);
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                // Ferry is the master's only replica now.
                while (replicas(master) != 1) {
                    assertThat(System.nanoTime()).as("Ferry reads from %s", master).isLessThan(deadline);
                    Thread.sleep(50);
                }
                load.awaitMoreWrites(2000, TIMEOUT);
                load.stop();
                ClusterSourceFailoverIT.awaitCaughtUp(task);
                ClusterData.assertSameData(tgt, source);
                assertThat(task.shards()).allSatisfy(s -> assertThat(s.fullResyncs()).as("full resyncs").isEqualTo(1));
            } finally {
                load.close();
                task.stop();
                thread.join(30_000);
            }
            assertThat(task.shards()).allSatisfy(s -> assertThat(s.failure()).isNull());
        }
    }

    /** Writes a last key on the source and waits until the target has it: the stream is applied in order. */
    private static void awaitLastWrite(SyncTask task, RedisConnection source, RedisConnection target) throws InterruptedException {
        source.callChecked("SET", "written-last", "1");
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (target.callChecked("EXISTS", "written-last").asLong() == 0) {
            assertThat(task.failure()).isNull();
            assertThat(System.nanoTime()).as("the last write arrives").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static void awaitState(SyncTask task) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (task.state() != TaskState.STREAMING) {
            assertThat(task.failure()).isNull();
            assertThat(System.nanoTime()).as("streaming").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** The one of {@code candidates} that Ferry reads from: it has a replica of its own. */
    private static RedisServer awaitSubReplica(List<RedisServer> candidates) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            for (RedisServer candidate : candidates) {
                if (replicas(candidate) == 1) {
                    return candidate;
                }
            }
            assertThat(System.nanoTime()).as("Ferry attached to one of %s", candidates).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static long replicas(RedisServer server) {
        try (RedisConnection conn = server.connect()) {
            return ServerInfo.fetch(conn).getLong("connected_slaves", -1);
        }
    }
}
