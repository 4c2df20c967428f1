package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.DataAssertions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A source restarted without its data starts a new replication history: the task stops and keeps the
 * target (a standby must not lose what its source lost), unless told to follow the source.
 */
class SourceResetIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void aSourceRestartedEmptyStopsTheTaskAndTheTargetKeepsItsData() throws Exception {
        RedisServer source = start(0);
        int port = source.port();
        try (RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection tgt = target.connect()) {
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint())
                    .progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                try (RedisConnection src = source.connect()) {
                    for (int i = 0; i < 1000; i++) {
                        src.send("SET", "key:" + i, "v" + i);
                    }
                    src.flush();
                    for (int i = 0; i < 1000; i++) {
                        src.read();
                    }
                    sync.awaitCaughtUp(src, TIMEOUT);
                }
                source.stop();
                source = start(port);
                try (RedisConnection src = source.connect()) {
                    src.callChecked("SET", "fresh", "1");
                }
                FerryException failure = sync.awaitEnd(TIMEOUT);
                assertThat(failure).isNotNull();
                assertThat(failure.getMessage()).contains("new replication history").contains("--on-source-reset resync");
                assertThat(failure.isRetriable()).isFalse();
            }
            Object[] exists = new Object[1001];
            exists[0] = "EXISTS";
            for (int i = 0; i < 1000; i++) {
                exists[i + 1] = "key:" + i;
            }
            assertThat(tgt.callChecked(exists).asText()).as("keys the target kept").isEqualTo("1000");
            assertThat(tgt.callChecked("GET", "key:999").asText()).isEqualTo("v999");
            assertThat(tgt.callChecked("EXISTS", "fresh").asText()).isEqualTo("0");

            // Told to follow the source, the same task copies the source as it is now.
            SyncOptions follow = SyncOptions.builder(source.endpoint(), target.endpoint())
                    .progressInterval(Duration.ZERO).onSourceReset(SourceReset.RESYNC).build();
            try (SyncHarness sync = SyncHarness.start(follow); RedisConnection src = source.connect()) {
                sync.awaitStreaming(TIMEOUT);
                sync.awaitCaughtUp(src, TIMEOUT);
                sync.stop();
                DataAssertions.assertSameData(src, tgt, Set.of(0));
            }
        } finally {
            source.stop();
        }
    }

    private static RedisServer start(int port) {
        // Persistence is off: a restart comes back empty.
        RedisServer.Builder b = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0");
        return (port > 0 ? b.port(port) : b).start();
    }
}
