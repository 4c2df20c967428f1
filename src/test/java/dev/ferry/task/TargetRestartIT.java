package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.MixedWorkload;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The target restarts (a crash without persistence, or a failover to an empty node): Ferry keeps
 * retrying while it is down, finds no checkpoint when it is back, copies the snapshot again and ends equal.
 */
class TargetRestartIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void aTargetThatComesBackEmptyIsRefilledWithoutHelp() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
             RedisConnection src = source.connect()) {
            SampleData.load(src, source.version(), SampleData.Options.builder().dbs(0, 4).build());
            RedisServer target = RedisServer.builder().version("7.0.15").start();
            int port = target.port();
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                MixedWorkload workload = MixedWorkload.builder(src, source.version()).dbs(0, 4).seed(21).build();
                workload.run(500);
                target.stop();
                workload.run(500);
                Thread.sleep(1500);
                assertThat(sync.task.state()).isEqualTo(TaskState.RETRYING);
                assertThat(sync.task.retryReason()).contains(String.valueOf(port));
                target = RedisServer.builder().version("7.0.15").port(port).start();
                workload.run(500);
                sync.awaitStreaming(TIMEOUT);
                sync.awaitCaughtUp(src, TIMEOUT);
                sync.stop();
                assertThat(sync.task.fullResyncs()).isEqualTo(2);
                try (RedisConnection tgt = target.connect()) {
                    DataAssertions.assertSameData(src, tgt, Set.of(0, 4));
                }
            } finally {
                target.stop();
            }
        }
    }

    @Test
    void keysCopiedCountTheLatestSnapshotOnly() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
             RedisConnection src = source.connect()) {
            SampleData.load(src, source.version(), SampleData.Options.builder().dbs(0).build());
            RedisServer target = RedisServer.builder().version("7.0.15").start();
            int port = target.port();
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                long first = sync.task.counters().snapshotKeys.sum();
                assertThat(first).isPositive();
                target.stop();
                target = RedisServer.builder().version("7.0.15").port(port).start();
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (sync.task.fullResyncs() < 2 || sync.task.state() != TaskState.STREAMING) {
                    assertThat(System.nanoTime()).as("second full resync").isLessThan(deadline);
                    Thread.sleep(20);
                }
                sync.stop();
                assertThat(sync.task.counters().snapshotKeys.sum()).as("keys copied by the second snapshot").isEqualTo(first);
            } finally {
                target.stop();
            }
        }
    }
}
