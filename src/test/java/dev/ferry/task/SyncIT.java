package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.MixedWorkload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One-way sync, standalone to standalone, against real servers: snapshot, then a mixed write load,
 * then the target must hold exactly the source's data, expiry times included.
 */
class SyncIT {

    private static final Set<Integer> DBS = Set.of(0, 1, 5);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    static Stream<String> sourceVersions() {
        return Arrays.stream(System.getProperty("ferry.it.versions", "2.8.19,6.0.5,6.2.7,7.0.15").split(","))
                .map(String::trim).filter(v -> !v.isEmpty());
    }

    @ParameterizedTest(name = "source {0} -> target 7.0.15")
    @MethodSource("sourceVersions")
    void everyTypeAndEveryLaterWriteReachesANewerTarget(String sourceVersion) throws Exception {
        try (RedisServer source = RedisServer.builder().version(sourceVersion).start();
             RedisServer target = RedisServer.builder().version("7.0.15").arg("--proto-max-bulk-len", "1mb").start()) {
            syncAndCompare(source, target, sourceVersion, 2 << 20);
        }
    }

    @Test
    void aNewSourceReachesARedis28TargetThroughTheCommandFallback() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").start();
             RedisServer target = RedisServer.builder().version("2.8.19").start()) {
            // Only the types 2.8 has, but written by 7.0: listpacks, quicklists, intsets that 2.8 cannot RESTORE.
            SyncTask task = syncAndCompare(source, target, "2.8.19", 0);
            assertThat(task.counters().snapshotKeysRewritten.sum()).isPositive();
        }
    }

    @ParameterizedTest(name = "diskless full sync from {0}")
    @MethodSource("disklessVersions")
    void disklessFullSyncWorks(String sourceVersion) throws Exception {
        try (RedisServer source = RedisServer.builder().version(sourceVersion)
                .arg("--repl-diskless-sync", "yes").arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start()) {
            syncAndCompare(source, target, sourceVersion, 0);
        }
    }

    @Test
    void diskBasedFullSyncFromRedis7Works() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync", "no").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start()) {
            syncAndCompare(source, target, "7.0.15", 0);
        }
    }

    @Test
    void functionLibrariesReachTheTargetFromTheSnapshotAndTheStream() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            src.callChecked("FUNCTION", "LOAD", library("before"));
            try (SyncHarness sync = SyncHarness.start(SyncOptions.builder(source.endpoint(), target.endpoint()).build())) {
                sync.awaitStreaming(TIMEOUT);
                src.callChecked("FUNCTION", "LOAD", library("during"));
                src.callChecked("FCALL", "during_set", "1", "fk", "fv");
                sync.awaitCaughtUp(src, TIMEOUT);
                sync.stop();
            }
            assertThat(tgt.callChecked("FUNCTION", "LIST").toString()).contains("before").contains("during");
            assertThat(tgt.callChecked("FCALL", "before_get", "1", "fk").asText()).isEqualTo("fv");
        }
    }

    private static String library(String name) {
        return "#!lua name=" + name + "\n"
                + "redis.register_function('" + name + "_set', function(keys, args) return redis.call('SET', keys[1], args[1]) end)\n"
                + "redis.register_function{function_name='" + name + "_get', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes'}}";
    }

    static Stream<String> disklessVersions() {
        return sourceVersions().filter(v -> !v.startsWith("2."));
    }

    private SyncTask syncAndCompare(RedisServer source, RedisServer target, String dataVersion, long bigKeyBytes) throws Exception {
        SampleData.Summary sample;
        try (RedisConnection src = source.connect()) {
            SampleData.Options.Builder opts = SampleData.Options.builder().dbs(0, 1, 5);
            if (bigKeyBytes > 0) {
                opts.bigKey(bigKeyBytes, 1);
            }
            sample = SampleData.load(src, dataVersion, opts.build());
        }
        SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).progressInterval(Duration.ZERO).build();
        try (SyncHarness sync = SyncHarness.start(options);
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            sync.awaitStreaming(TIMEOUT);
            assertThat(sync.task.counters().snapshotKeys.sum()).isEqualTo(sample.totalKeys());
            MixedWorkload.builder(src, dataVersion).dbs(0, 1, 5).seed(11).build().run(4000);
            sync.awaitCaughtUp(src, TIMEOUT);
            sync.stop();
            DataAssertions.assertSameData(src, tgt, DBS);
            for (SampleData.Expiry e : sample.expiries()) {
                tgt.callChecked("SELECT", Integer.toString(e.db()));
                long pttl = tgt.callChecked("PTTL", e.key()).asLong();
                assertThat(pttl).as("ttl of %s", new String(e.key())).isPositive();
                if (target.parsedVersion().atLeast(7, 0)) {
                    assertThat(tgt.callChecked("PEXPIRETIME", e.key()).asLong()).isEqualTo(e.unixTimeMillis());
                } else {
                    assertThat(System.currentTimeMillis() + pttl).isCloseTo(e.unixTimeMillis(), org.assertj.core.data.Offset.offset(2000L));
                }
            }
            if (bigKeyBytes > 0) {
                assertThat(sync.task.counters().snapshotKeysRewritten.sum()).isGreaterThanOrEqualTo(1);
            }
            return sync.task;
        }
    }
}
