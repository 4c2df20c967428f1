package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.DataAssertions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ferry is stopped for longer than the source's backlog covers: the restarted task gets a full resync,
 * empties the databases it owns first, and ends equal, with no key deleted meanwhile left behind.
 */
class BacklogGapIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void aGapBeyondTheBacklogEndsInAFullResyncWithoutStaleKeys() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0")
                .arg("--repl-backlog-size", "16kb").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            SampleData.load(src, source.version(), SampleData.Options.builder().dbs(0, 1).build());
            src.callChecked("SET", "doomed", "deleted while Ferry is away");
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                sync.awaitCaughtUp(src, TIMEOUT);
                sync.stop();
            }
            assertThat(tgt.callChecked("EXISTS", "doomed").asLong()).isEqualTo(1);
            src.callChecked("DEL", "doomed");
            for (int i = 0; i < 2000; i++) {
                src.send("SET", "filler:" + i, "x".repeat(100));
            }
            src.flush();
            for (int i = 0; i < 2000; i++) {
                src.read();
            }
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                sync.awaitCaughtUp(src, TIMEOUT);
                sync.stop();
                assertThat(sync.task.partialResyncs()).isZero();
                assertThat(sync.task.fullResyncs()).isEqualTo(1);
            }
            tgt.callChecked("SELECT", "0");
            assertThat(tgt.callChecked("EXISTS", "doomed").asLong()).as("stale key left on the target").isZero();
            DataAssertions.assertSameData(src, tgt, Set.of(0, 1));
        }
    }
}
