package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.ServerInfo;
import dev.ferry.testing.ClusterData;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.FailoverLoad;
import dev.ferry.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cluster source whose master fails over while Ferry copies it into a standalone server, under INCR, LPUSH,
 * APPEND and XADD: a graceful {@code CLUSTER FAILOVER}, a forced one, and a master killed with SIGKILL and replaced
 * by its replica. The task of that master's slots moves to the replica that took over and continues the stream
 * there from its checkpoint (a partial resync, no full one); every key ends exact. Slots moving between masters: {@link ClusterSourceReshardIT}.
 */
class ClusterSourceFailoverIT {

    private static final String VERSION = "7.0.15";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    static final Servers servers = new Servers();

    private enum Failover { GRACEFUL, FORCED, FORCED_UNDER_WRITES, KILLED }

    @Test
    void aGracefulFailoverOfASourceMasterIsFollowedWithAPartialResync() throws Exception {
        followed(Failover.GRACEFUL);
    }

    /** Writes paused for the failover, as an operator forcing one does: the replica has every write then. */
    @Test
    void aForcedFailoverOfASourceMasterIsFollowedWithAPartialResync() throws Exception {
        followed(Failover.FORCED);
    }

    /**
     * A forced failover under writes: the old master takes writes until it hears of it, and those are lost on the
     * source itself; when Ferry had applied some, that master's task copies its slots again (its own keys only).
     */
    @Test
    void aForcedFailoverUnderWritesEndsExactWhateverTheOldMasterTookMeanwhile() throws Exception {
        followed(Failover.FORCED_UNDER_WRITES);
    }

    @Test
    void aSourceMasterKilledAndReplacedByItsReplicaIsFollowedWithAPartialResync() throws Exception {
        followed(Failover.KILLED);
    }

    private static void followed(Failover kind) throws Exception {
        RedisServer target = servers.start(VERSION);
        try (ClusterHarness source = ClusterHarness.startWithReplicas(VERSION, 3, 1, 2000);
             RedisConnection tgt = target.connect()) {
            FailoverLoad load = new FailoverLoad(source, kind.ordinal());
            load.awaitMoreWrites(1000, TIMEOUT);
            ClusterSyncTask task = new ClusterSyncTask(SyncOptions.builder(source.endpoint(), target.endpoint())
                    .progressInterval(Duration.ZERO).build(), null);
            Thread thread = start(task);
            try {
                awaitStreaming(task);
                load.awaitMoreWrites(2000, TIMEOUT);
                RedisServer master = source.ownerOf(0);
                RedisServer replica = source.replicasOf(master).get(0);
                if (kind == Failover.FORCED) {
                    load.stop();
                    awaitReplicaCaughtUp(master, replica);
                }
                switch (kind) {
                    case GRACEFUL -> source.failover(replica);
                    case FORCED, FORCED_UNDER_WRITES -> source.failover(replica, true);
                    case KILLED -> source.killMaster(master);
                }
                if (kind == Failover.FORCED) {
                    load = new FailoverLoad(source, 99);
                }
                load.awaitMoreWrites(3000, TIMEOUT);
                load.stop();
                awaitCaughtUp(task);

                ClusterData.assertSameData(tgt, source);
                int moved = task.masters().indexOf(replica.endpoint());
                assertThat(moved).as("a task reads from the replica that took over: %s", task.masters()).isNotNegative();
                // The status line of that master's task says what happened.
                assertThat(task.shards().get(moved).lastEvent()).startsWith("failed over from " + master.endpoint().address());
                for (int i = 0; i < task.shards().size(); i++) {
                    SyncTask shard = task.shards().get(i);
                    if (i == moved && kind == Failover.FORCED_UNDER_WRITES) {
                        // Resumed once: from the backlog, or copied again when it had applied writes the failover lost.
                        assertThat(shard.partialResyncs() + shard.fullResyncs()).as("resumptions of %s", shard.id()).isEqualTo(2);
                        continue;
                    }
                    assertThat(shard.fullResyncs()).as("full resyncs of %s", shard.id()).isEqualTo(1);
                    assertThat(shard.partialResyncs()).as("partial resyncs of %s", shard.id()).isEqualTo(i == moved ? 1 : 0);
                }
            } finally {
                load.close();
                task.stop();
                thread.join(30_000);
            }
            assertThat(task.shards()).allSatisfy(s -> assertThat(s.failure()).isNull());
        }
    }

    /** Waits until {@code replica} has every write {@code master} took. */
    private static void awaitReplicaCaughtUp(RedisServer master, RedisServer replica) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try (RedisConnection m = master.connect(); RedisConnection r = replica.connect()) {
            long offset = ServerInfo.fetch(m).getLong("master_repl_offset", -1);
            while (ServerInfo.fetch(r).getLong("master_repl_offset", -1) < offset) {
                assertThat(System.nanoTime()).as("replica caught up").isLessThan(deadline);
                Thread.sleep(10);
            }
        }
    }

    static Thread start(ClusterSyncTask task) {
        Thread thread = new Thread(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // Each master's task keeps its failure for the test to see.
            }
        }, "cluster-sync-under-test");
        thread.start();
        return thread;
    }

    static void awaitStreaming(ClusterSyncTask task) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (task.shards().isEmpty() || !task.shards().stream().allMatch(s -> s.state() == TaskState.STREAMING)) {
            failIfFailed(task);
            assertThat(System.nanoTime()).as("every master's task streaming").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Waits until each task has applied everything the master it reads from now has written. */
    static void awaitCaughtUp(ClusterSyncTask task) throws InterruptedException {
        List<SyncTask> shards = task.shards();
        for (int i = 0; i < shards.size(); i++) {
            if (shards.get(i).state() == TaskState.FINISHED) {
                // Its master left the cluster: nothing more to apply.
                continue;
            }
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (true) {
                failIfFailed(task);
                long offset;
                try (RedisConnection master = RedisConnection.open(task.masters().get(i))) {
                    offset = ServerInfo.fetch(master).getLong("master_repl_offset", -1);
                } catch (RuntimeException e) {
                    offset = Long.MAX_VALUE;
                }
                if (shards.get(i).appliedOffset() >= offset || shards.get(i).state() == TaskState.FINISHED) {
                    // Caught up, or ended because its master left the cluster.
                    break;
                }
                assertThat(System.nanoTime()).as("task %s applied up to %d, its master %s is at %d (%s)", shards.get(i).id(),
                        shards.get(i).appliedOffset(), task.masters().get(i), offset, shards.get(i).state()).isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    static void failIfFailed(ClusterSyncTask task) {
        for (SyncTask shard : task.shards()) {
            if (shard.failure() != null) {
                throw new AssertionError("task " + shard.id() + " failed: " + shard.failure().getMessage(), shard.failure());
            }
        }
    }
}
