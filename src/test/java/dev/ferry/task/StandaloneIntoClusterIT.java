package dev.ferry.task;

import dev.ferry.cli.Main;
import dev.ferry.Throttle;
import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.pipeline.DbMap;
import dev.ferry.pipeline.KeyFilter;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.testing.BackgroundLoad;
import dev.ferry.testing.ClusterData;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.KeyPrefixes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A standalone server into a Redis Cluster of three masters, with every key's type, value and absolute expiry
 * compared at the end: three databases merged by {@code --db-map} with writes running while the snapshot is
 * copied and after, then a {@code FLUSHALL} (on 7.0 and 6.2), and a key filter in {@code --mode full} and {@code --mode incremental}.
 */
class StandaloneIntoClusterIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String VERSION = "7.0.15";
    private static final KeyFilter FILTER = KeyFilter.of(List.of("mw*", "sp0:[lhz]:*", "hash:*", "stream:*"),
            List.of("*{t2}*", "*:stream:*"));

    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {"7.0.15", "6.2.7"})
    void threeDatabasesWithWritesDuringAndAfterTheSnapshotEndEqualOnTheCluster(String version) throws Exception {
        try (RedisServer source = RedisServer.builder().version(version).arg("--repl-diskless-sync-delay", "0").start();
             ClusterHarness target = ClusterHarness.start(version, 3);
             RedisConnection src = source.connect()) {
            SampleData.Summary sample = SampleData.load(src, version, SampleData.Options.builder().dbs(0, 1, 2).build());
            KeyPrefixes.prefixKeys(src, 1, "d1:");
            KeyPrefixes.prefixKeys(src, 2, "d2:");
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint())
                    .dbMap(DbMap.of(Map.of(0, 0, 1, 0, 2, 0))).progressInterval(Duration.ZERO)
                    // The snapshot held to 500 keys/s, so the load's rounds certainly overlap it however fast the machine.
                    .throttle(new Throttle(500, 0), Throttle.none()).build();
            try (BackgroundLoad load = BackgroundLoad.onStandalone(source, 11, 0, 1, 2)) {
                load.awaitMoreRounds(1, TIMEOUT);
                long atStart = load.rounds();
                try (SyncHarness sync = SyncHarness.start(options)) {
                    sync.awaitStreaming(TIMEOUT);
                    assertThat(load.rounds()).as("rounds of writes while the snapshot was taken and copied").isGreaterThan(atStart);
                    load.awaitMoreRounds(40, TIMEOUT);
                    load.stop();
                    sync.awaitCaughtUp(src, TIMEOUT);

                    assertThat(sync.task.counters().snapshotKeys.sum()).isGreaterThanOrEqualTo(sample.totalKeys());
                    ClusterData.assertSameData(src, Set.of(0, 1, 2), target);

                    // A FLUSHALL empties every master of the cluster (of user keys: the checkpoints stay), in order.
                    src.callChecked("FLUSHALL");
                    try (BackgroundLoad after = BackgroundLoad.onStandalone(source, 14, 0, 1, 2)) {
                        after.awaitMoreRounds(10, TIMEOUT);
                        after.stop();
                    }
                    sync.awaitCaughtUp(src, TIMEOUT);
                    ClusterData.assertSameData(src, Set.of(0, 1, 2), target);
                    sync.stop();
                }
            }
        }
    }

    /** The command line's --keys and --exclude-keys choose what a one-time copy puts in the cluster. */
    @Test
    void aKeyFilterInModeFullCopiesOnlyTheMatchingKeys() throws Exception {
        try (RedisServer source = RedisServer.builder().version(VERSION).arg("--repl-diskless-sync-delay", "0").start();
             ClusterHarness target = ClusterHarness.start(VERSION, 3);
             RedisConnection src = source.connect()) {
            SampleData.load(src, VERSION, SampleData.Options.builder().dbs(0).build());
            try (BackgroundLoad load = BackgroundLoad.onStandalone(source, 12, 0)) {
                load.awaitMoreRounds(20, TIMEOUT);
            }
            StringWriter err = new StringWriter();
            int exit = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "sync", "--quiet",
                    "--mode", "full", "--retry-for", "0", "--keys", "mw*", "--keys", "sp0:[lhz]:*", "--keys", "hash:*",
                    "--keys", "stream:*", "--exclude-keys", "*{t2}*", "--exclude-keys", "*:stream:*",
                    "--source", "redis://127.0.0.1:" + source.port(), "--target", target.uri());

            assertThat(exit).as(err.toString()).isZero();
            assertThat(ClusterData.differences(src, target, FILTER::matches)).isEmpty();
            assertCopiedSome(src, target);
        }
    }

    /** In --mode incremental the keys the source held at the start stay out; the later writes that match go in. */
    @Test
    void aKeyFilterInModeIncrementalCopiesOnlyTheLaterMatchingWrites() throws Exception {
        try (RedisServer source = RedisServer.builder().version(VERSION).arg("--repl-diskless-sync-delay", "0").start();
             ClusterHarness target = ClusterHarness.start(VERSION, 3);
             RedisConnection src = source.connect()) {
            SampleData.load(src, VERSION, SampleData.Options.builder().dbs(0).build());
            for (int i = 0; i < 100; i++) {
                src.callChecked("SET", "mw:before:" + i, "held before the start");
            }
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).mode(SyncMode.INCREMENTAL)
                    .keys(FILTER).progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                try (BackgroundLoad load = BackgroundLoad.onStandalone(source, 13, 0)) {
                    load.awaitMoreRounds(40, TIMEOUT);
                    load.stop();
                }
                sync.awaitCaughtUp(src, TIMEOUT);
                assertThat(sync.task.counters().snapshotKeys.sum()).isZero();
                assertThat(ClusterData.differences(src, target, key -> FILTER.matches(key) && !startsWith(key, "mw:before:")
                        && !startsWith(key, "hash:") && !startsWith(key, "stream:"))).isEmpty();
                assertCopiedSome(src, target);
                sync.stop();
            }
        }
    }

    /** The filter both let keys through and kept some out, so that the comparison proves something. */
    private static void assertCopiedSome(RedisConnection src, ClusterHarness target) {
        assertThat(ClusterData.count(target, "mw0:{t0}:*")).as("keys the filter lets through").isPositive();
        assertThat(((RespValue.Array) src.callChecked("KEYS", "mw0:{t2}:*")).items()).as("keys the filter keeps out").isNotEmpty();
    }

    private static boolean startsWith(byte[] key, String prefix) {
        return new String(key, StandardCharsets.ISO_8859_1).startsWith(prefix);
    }
}
