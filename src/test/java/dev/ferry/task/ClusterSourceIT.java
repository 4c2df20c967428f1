package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.cluster.SlotHash;
import dev.ferry.cluster.Topology;
import dev.ferry.verify.Verifier;
import dev.ferry.verify.VerifyMode;
import dev.ferry.verify.VerifyOptions;
import dev.ferry.verify.VerifyReport;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redis Cluster of three masters into one standalone server: one replication link per master, each with
 * its own checkpoint; a stop and restart resumes every master with a partial resync; one master's
 * FLUSHALL empties only that master's keys on the target.
 */
class ClusterSourceIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void aClusterIsCopiedPerMasterResumedAndFlushedPerMaster() throws Exception {
        try (ClusterHarness source = ClusterHarness.start(3, "--repl-diskless-sync-delay", "0");
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection tgt = target.connect()) {
            for (int i = 0; i < 600; i++) {
                source.call("SET", "s:" + i, "v" + i);
                source.call("RPUSH", "l:" + i, "a", "b", "c");
                source.call("HSET", "h:" + i, "f", Integer.toString(i));
                if (i % 10 == 0) {
                    source.call("PEXPIRE", "s:" + i, "3600000");
                }
            }
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint())
                    .progressInterval(Duration.ZERO).build();

            ClusterSyncTask first = new ClusterSyncTask(options, null);
            Thread run1 = start(first);
            awaitStreaming(first);
            assertThat(first.shards()).hasSize(3);
            // A master's task is named by its slots: another node serving them (after a failover) keeps the checkpoint.
            Topology slots = Topology.discover(source.endpoint());
            for (int i = 0; i < 3; i++) {
                RedisEndpoint elsewhere = RedisEndpoint.parse("redis://10.0.0.9:" + (7000 + i));
                assertThat(SyncTask.taskId(options.forShard(elsewhere, slots.slotsOf(first.masters().get(i)))))
                        .isEqualTo(first.shards().get(i).id());
            }
            for (int i = 0; i < 300; i++) {
                source.call("INCR", "n:" + (i % 50));
                source.call("LPUSH", "l:" + i, "x");
                source.call("DEL", "h:" + i);
            }
            awaitConsistent(source, target);
            first.stop();
            run1.join(30_000);
            assertThat(first.shards()).allSatisfy(s -> assertThat(s.failure()).isNull());

            // Written while Ferry is stopped: every master's backlog covers it.
            for (int i = 0; i < 100; i++) {
                source.call("INCR", "n:" + (i % 50));
            }
            ClusterSyncTask second = new ClusterSyncTask(options, null);
            Thread run2 = start(second);
            awaitStreaming(second);
            assertThat(second.shards()).allSatisfy(s -> {
                assertThat(s.partialResyncs()).as("partial resyncs of " + s.id()).isEqualTo(1);
                assertThat(s.fullResyncs()).as("full resyncs of " + s.id()).isZero();
            });
            awaitConsistent(source, target);
            tgt.callChecked("SELECT", "0");
            assertThat(tgt.callChecked("GET", "n:7").asText()).isEqualTo("8");

            // One master empties itself: on the target only its keys go.
            RedisEndpoint flushed = second.masters().get(0);
            Topology topology = Topology.discover(source.endpoint());
            try (RedisConnection node = RedisConnection.open(flushed)) {
                node.callChecked("FLUSHALL");
            }
            awaitConsistent(source, target);
            List<String> left = keys(tgt);
            assertThat(left).isNotEmpty();
            assertThat(left).noneMatch(k -> topology.slotsOf(flushed).get(SlotHash.slot(k.getBytes(StandardCharsets.UTF_8))));
            second.stop();
            run2.join(30_000);
            assertThat(second.shards()).allSatisfy(s -> assertThat(s.failure()).isNull());
        }
    }

    private static Thread start(ClusterSyncTask task) {
        Thread t = new Thread(task::run, "cluster-sync-under-test");
        t.start();
        return t;
    }

    private static void awaitStreaming(ClusterSyncTask task) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (task.shards().isEmpty() || !task.shards().stream().allMatch(s -> s.state() == TaskState.STREAMING)) {
            task.shards().forEach(s -> assertThat(s.failure()).as("shard failure").isNull());
            assertThat(System.nanoTime()).as("every master streaming").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Verify (full mode, rounds) finds no difference between the cluster and the target, user keys only. */
    private static void awaitConsistent(ClusterHarness source, RedisServer target) {
        VerifyReport report = Verifier.run(VerifyOptions.builder(source.endpoint(), target.endpoint())
                .mode(VerifyMode.FULL).rounds(10).roundPause(Duration.ofMillis(200)).build());
        assertThat(report.differences()).isEmpty();
        assertThat(report.sourceKeys()).isPositive();
    }

    private static List<String> keys(RedisConnection conn) {
        return ((RespValue.Array) conn.callChecked("KEYS", "*")).items().stream().map(RespValue::asText)
                .filter(k -> !k.startsWith("__ferry:")).toList();
    }
}
