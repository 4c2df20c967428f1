package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.ServerInfo;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.MixedWorkload;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A slow target must not get Ferry dropped by the source: the source allows its replicas only 1 MB of
 * output buffer, the target sleeps for seconds at a time, and writes keep coming. Ferry spools what it
 * reads, so the source never sees it fall behind.
 */
class SlowTargetIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @Test
    void aTargetThatStallsForSecondsDoesNotGetTheLinkDropped() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0")
                .arg("--client-output-buffer-limit", "replica", "1mb", "1mb", "0").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            SampleData.load(src, source.version(), SampleData.Options.builder().dbs(0).largeSize(50_000).build());
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint())
                    .targetTimeout(Duration.ofSeconds(30)).progressInterval(Duration.ZERO).build();
            AtomicBoolean slowing = new AtomicBoolean(true);
            AtomicReference<Throwable> sleeperError = new AtomicReference<>();
            Thread sleeper = new Thread(() -> {
                try (RedisConnection t = target.connect()) {
                    t.setReadTimeout(Duration.ofSeconds(30));
                    while (slowing.get()) {
                        t.callChecked("DEBUG", "SLEEP", "2");
                        Thread.sleep(100);
                    }
                } catch (Throwable e) {
                    sleeperError.set(e);
                }
            }, "target-sleeper");
            try (SyncHarness sync = SyncHarness.start(options)) {
                sleeper.start();
                sync.awaitStreaming(TIMEOUT);
                MixedWorkload workload = MixedWorkload.builder(src, source.version()).dbs(0).seed(3).build();
                long until = System.currentTimeMillis() + 8_000;
                while (System.currentTimeMillis() < until) {
                    workload.run(500);
                    // Big values fill a 1 MB output buffer within one target sleep.
                    src.callChecked("SET", "payload:" + (until - System.currentTimeMillis()) % 50, "x".repeat(64 * 1024));
                }
                slowing.set(false);
                sleeper.join();
                assertThat(sleeperError.get()).isNull();
                sync.awaitCaughtUp(src, TIMEOUT);
                sync.stop();
                assertThat(sync.task.fullResyncs()).isEqualTo(1);
                assertThat(sync.task.partialResyncs()).as("reconnections").isZero();
            }
            ServerInfo stats = ServerInfo.fetch(src);
            assertThat(stats.getLong("sync_full", -1)).isEqualTo(1);
            assertThat(stats.getLong("sync_partial_ok", -1)).isZero();
            assertThat(stats.getLong("client_output_buffer_limit_disconnections", 0)).isZero();
            DataAssertions.assertSameData(src, tgt, Set.of(0));
        }
    }
}
