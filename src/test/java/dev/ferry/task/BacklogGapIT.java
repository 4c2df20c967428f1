package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.pipeline.DbMap;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.DataAssertions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ferry is stopped for longer than the source's backlog covers: the restarted task gets a full resync,
 * empties the databases it owns first (where they land, with --db-map), and ends equal, with no key deleted meanwhile left behind.
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
            outrunTheBacklog(src);
            resyncFully(options, src);
            tgt.callChecked("SELECT", "0");
            assertThat(tgt.callChecked("EXISTS", "doomed").asLong()).as("stale key left on the target").isZero();
            DataAssertions.assertSameData(src, tgt, Set.of(0, 1));
        }
    }

    /** With --db-map, the databases emptied before the snapshot is copied again are those the copied ones land in. */
    @Test
    void aGapEmptiesTheDatabasesWhereTheMappedOnesLand() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0")
                .arg("--repl-backlog-size", "16kb").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            SampleData.load(src, source.version(), SampleData.Options.builder().dbs(3).build());
            src.callChecked("SELECT", "3");
            src.callChecked("SET", "doomed", "deleted while Ferry is away");
            tgt.callChecked("SELECT", "3");
            tgt.callChecked("SET", "bystander", "not this task's");
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).dbs(Set.of(3))
                    .dbMap(DbMap.of(Map.of(3, 5))).progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                sync.awaitCaughtUp(src, TIMEOUT);
                sync.stop();
            }
            src.callChecked("DEL", "doomed");
            outrunTheBacklog(src);
            resyncFully(options, src);
            assertThat(tgt.callChecked("GET", "bystander").asText()).isEqualTo("not this task's");
            tgt.callChecked("SELECT", "5");
            assertThat(tgt.callChecked("EXISTS", "doomed").asLong()).as("stale key left on the target").isZero();
            DataAssertions.assertSameData(src, tgt, Map.of(3, 5));
        }
    }

    /** Writes more than the source's backlog holds, in the connection's database. */
    private static void outrunTheBacklog(RedisConnection src) {
        for (int i = 0; i < 2000; i++) {
            src.send("SET", "filler:" + i, "x".repeat(100));
        }
        src.flush();
        for (int i = 0; i < 2000; i++) {
            src.read();
        }
    }

    /** Runs the task again until it has caught up, which it must do through a full resync. */
    private static void resyncFully(SyncOptions options, RedisConnection src) throws InterruptedException {
        try (SyncHarness sync = SyncHarness.start(options)) {
            sync.awaitStreaming(TIMEOUT);
            sync.awaitCaughtUp(src, TIMEOUT);
            sync.stop();
            assertThat(sync.task.partialResyncs()).isZero();
            assertThat(sync.task.fullResyncs()).isEqualTo(1);
        }
    }
}
