package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.DataAssertions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A target that reaches maxmemory with noeviction: the sync stops with an error naming the cause and
 * applies nothing partially; once memory is raised, the same task resumes from its checkpoint.
 */
class TargetOomIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void outOfMemoryStopsTheSyncAndItResumesOnceMemoryIsRaised() throws Exception {
        // The backlog must cover what the source writes while the target is full, or the resume is a full resync.
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0")
                .arg("--repl-backlog-size", "64mb").start();
             RedisServer target = RedisServer.builder().version("7.0.15").arg("--maxmemory", "8mb")
                     .arg("--maxmemory-policy", "noeviction").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            for (int i = 0; i < 100; i++) {
                src.callChecked("RPUSH", "list", "v" + i);
            }
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                for (int i = 0; i < 200; i++) {
                    src.callChecked("SET", "big:" + i, "x".repeat(100_000));
                    src.callChecked("INCR", "counter");
                }
                var failure = sync.awaitEnd(TIMEOUT);
                assertThat(failure).isNotNull();
                assertThat(failure.getMessage()).contains("OOM").contains("out of memory").contains("maxmemory");
                assertThat(failure.isRetriable()).isFalse();
            }
            tgt.callChecked("CONFIG", "SET", "maxmemory", "0");
            try (SyncHarness sync = SyncHarness.start(SyncOptions.builder(source.endpoint(), target.endpoint())
                    .progressInterval(Duration.ZERO).build())) {
                sync.awaitStreaming(TIMEOUT);
                sync.awaitCaughtUp(src, TIMEOUT);
                sync.stop();
                assertThat(sync.task.fullResyncs()).as("full resyncs after raising memory").isZero();
                assertThat(sync.task.partialResyncs()).isEqualTo(1);
            }
            DataAssertions.assertSameData(src, tgt, Set.of(0));
            assertThat(tgt.callChecked("GET", "counter").asText()).isEqualTo("200");
        }
    }
}
