package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.pipeline.DbMap;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.KeyPrefixes;
import dev.ferry.testing.MixedWorkload;
import dev.ferry.verify.Verifier;
import dev.ferry.verify.VerifyMode;
import dev.ferry.verify.VerifyOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --db-map}: source databases land in other target databases, several in one (as into a cluster's
 * database 0) or one moved to another number, through the snapshot, the stream and a resume; verify proves
 * the copy with the same map; a FLUSHDB of one of several merged databases stops the sync.
 */
class DbMapIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String VERSION = "7.0.15";

    @Test
    void threeDatabasesMergeIntoOneWithEveryKeyAndEveryLaterWrite() throws Exception {
        DbMap merge = DbMap.of(Map.of(0, 0, 1, 0, 2, 0));
        try (RedisServer source = RedisServer.builder().version(VERSION).arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version(VERSION).start();
             RedisConnection src = source.connect();
             RedisConnection load = source.connect();
             RedisConnection tgt = target.connect()) {
            SampleData.Summary sample = SampleData.load(src, VERSION, SampleData.Options.builder().dbs(0, 1, 2).build());
            // Key names must not repeat across merged databases: databases 1 and 2 get a prefix of their own.
            KeyPrefixes.prefixKeys(src, 1, "d1:");
            KeyPrefixes.prefixKeys(src, 2, "d2:");
            MixedWorkload workload = MixedWorkload.builder(load, VERSION).dbs(0, 1, 2).prefixPerDb(true).seed(5).build();
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).dbMap(merge)
                    .progressInterval(Duration.ZERO).build();
            long before;
            try (SyncHarness sync = SyncHarness.start(options)) {
                // Writes while the snapshot is taken and copied, and after.
                CompletableFuture<?> during = CompletableFuture.runAsync(() -> workload.run(3000));
                sync.awaitStreaming(TIMEOUT);
                during.get();
                assertThat(sync.task.counters().snapshotKeys.sum()).isGreaterThanOrEqualTo(sample.totalKeys());
                workload.run(3000);
                sync.awaitCaughtUp(src, TIMEOUT);

                DataAssertions.assertSameData(src, tgt, Map.of(0, 0, 1, 0, 2, 0));
                assertThat(keysPerDb(tgt)).containsOnlyKeys(0);
                assertThat(verify(source, target, merge)).isEmpty();
                assertThat(verify(source, target, DbMap.identity())).isNotEmpty();

                // A FLUSHDB of database 1 would also empty what 0 and 2 put there: nothing of it is applied.
                before = userKeys(tgt);
                src.callChecked("SELECT", "2");
                src.callChecked("SET", "d2:before-flush", "applied");
                src.callChecked("SELECT", "1");
                src.callChecked("FLUSHDB");
                src.callChecked("SELECT", "2");
                src.callChecked("SET", "d2:after-flush", "not applied");
                FerryException failure = sync.awaitFailure(TIMEOUT);
                assertThat(failure.getMessage()).contains("FLUSHDB in database 1").contains("--db-map 1:0,2:0")
                        .contains("into target database 0");
                assertThat(tgt.callChecked("EXISTS", "d2:after-flush").asLong()).isZero();
            }
            // A restart applies what came before and stops at the same write: it is never passed over silently.
            try (SyncHarness again = SyncHarness.start(options)) {
                assertThat(again.awaitFailure(TIMEOUT).getMessage()).contains("FLUSHDB in database 1");
            }
            assertThat(tgt.callChecked("GET", "d2:before-flush").asText()).isEqualTo("applied");
            assertThat(tgt.callChecked("EXISTS", "d2:after-flush").asLong()).isZero();
            assertThat(userKeys(tgt)).as("no key of databases 0 and 2 is gone").isEqualTo(before + 1);
        }
    }

    @Test
    void aDatabaseMovedToAnotherNumberStaysThereAcrossAResume() throws Exception {
        DbMap move = DbMap.of(Map.of(3, 5));
        try (RedisServer source = RedisServer.builder().version(VERSION).arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version(VERSION).start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            SampleData.load(src, VERSION, SampleData.Options.builder().dbs(3, 4).build());
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).dbs(Set.of(3)).dbMap(move)
                    .progressInterval(Duration.ZERO).build();
            assertThat(new SyncTask(options, null).id()).as("the map is part of the task id")
                    .isNotEqualTo(new SyncTask(SyncOptions.builder(source.endpoint(), target.endpoint()).dbs(Set.of(3))
                            .build(), null).id());
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                MixedWorkload.builder(src, VERSION).dbs(3).seed(7).build().run(2000);
                src.callChecked("SELECT", "3");
                src.callChecked("SET", "moved-out", "x");
                src.callChecked("MOVE", "moved-out", "4");
                src.callChecked("SET", "copied-out", "y");
                src.callChecked("COPY", "copied-out", "copied-out", "DB", "4");
                sync.awaitCaughtUp(src, TIMEOUT);
                sync.stop();
            }
            // Written while no task runs: the stream resumes without a SELECT, in the checkpoint's source database.
            src.callChecked("SELECT", "3");
            src.callChecked("SET", "after-resume", "z");
            try (SyncHarness resumed = SyncHarness.start(options)) {
                resumed.awaitStreaming(TIMEOUT);
                resumed.awaitCaughtUp(src, TIMEOUT);
                assertThat(resumed.task.fullResyncs()).isZero();
                resumed.stop();
            }
            DataAssertions.assertSameData(src, tgt, Map.of(3, 5));
            tgt.callChecked("SELECT", "5");
            assertThat(tgt.callChecked("GET", "after-resume").asText()).isEqualTo("z");
            assertThat(tgt.callChecked("EXISTS", "moved-out").asLong()).isZero();
            assertThat(keysPerDb(tgt)).containsOnlyKeys(0, 5);
            assertThat(verify(source, target, move, Set.of(3))).isEmpty();
        }
    }

    @Test
    void theEmptyTargetCheckLooksWhereTheDatabasesLand() throws Exception {
        try (RedisServer source = RedisServer.builder().version(VERSION).arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version(VERSION).start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            src.callChecked("SELECT", "3");
            src.callChecked("SET", "copied", "1");
            tgt.callChecked("SELECT", "3");
            tgt.callChecked("SET", "not-this-tasks", "stays");
            tgt.callChecked("SELECT", "5");
            tgt.callChecked("SET", "in-the-way", "x");
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).dbs(Set.of(3))
                    .dbMap(DbMap.of(Map.of(3, 5))).progressInterval(Duration.ZERO).build();
            try (SyncHarness refused = SyncHarness.start(options)) {
                assertThat(refused.awaitFailure(TIMEOUT).getMessage()).contains("already holds keys (db5: 1 keys)");
            }
            tgt.callChecked("DEL", "in-the-way");
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                sync.stop();
            }
            assertThat(tgt.callChecked("GET", "copied").asText()).isEqualTo("1");
            tgt.callChecked("SELECT", "3");
            assertThat(tgt.callChecked("GET", "not-this-tasks").asText()).isEqualTo("stays");
        }
    }

    private static List<?> verify(RedisServer source, RedisServer target, DbMap map) {
        return verify(source, target, map, null);
    }

    private static List<?> verify(RedisServer source, RedisServer target, DbMap map, Set<Integer> dbs) {
        return Verifier.run(VerifyOptions.builder(source.endpoint(), target.endpoint()).dbs(dbs).dbMap(map)
                .mode(VerifyMode.FULL).rounds(1).build()).differences();
    }

    /** Keys per database of {@code conn}'s server, Ferry's own (in database 0) included. */
    private static Map<Integer, Long> keysPerDb(RedisConnection conn) {
        return dev.ferry.resp.ServerInfo.fetch(conn).keysPerDb();
    }

    /** Keys of the selected database, Ferry's own aside. */
    private static long userKeys(RedisConnection conn) {
        return ((RespValue.Array) conn.callChecked("KEYS", "*")).items().stream()
                .filter(k -> !k.asText().startsWith("__ferry:")).count();
    }
}
