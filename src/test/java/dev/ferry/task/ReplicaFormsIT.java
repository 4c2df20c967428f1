package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.DataAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Commands a source sends in forms only its replicas accept (ReplicaForms): approximate stream trims, which
 * reach the stream as {@code = <exact result> LIMIT n}, are applied exactly as the source trimmed; a bit offset
 * the target's {@code proto-max-bulk-len} cannot hold stops the sync with the setting to change.
 */
class ReplicaFormsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** Source versions with LIMIT on XADD and XTRIM (6.2+), among those the run asks for. */
    static Stream<String> versions() {
        return SyncIT.sourceVersions().filter(v -> !v.startsWith("2.") && !v.startsWith("6.0"));
    }

    @ParameterizedTest(name = "source and target {0}")
    @MethodSource("versions")
    void approximateTrimsWithALimitArriveAsTheSourceTrimmed(String version) throws Exception {
        // Small nodes on the source, so that ~ removes whole nodes and LIMIT stops it part way; the target keeps
        // its default node size, so only an exact trim can give the same entries there.
        try (RedisServer source = RedisServer.builder().version(version).arg("--stream-node-max-entries", "10")
                .arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version(version).start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect();
             SyncHarness sync = SyncHarness.start(SyncOptions.builder(source.endpoint(), target.endpoint())
                     .progressInterval(Duration.ZERO).build())) {
            sync.awaitStreaming(TIMEOUT);

            // The sequence of issue 9, point 8: the source sends XADD ys MAXLEN = 4 LIMIT 1 1-4 f v.
            src.callChecked("XADD", "ys", "1-1", "f", "v");
            src.callChecked("XADD", "ys", "1-2", "f", "v");
            src.callChecked("XADD", "ys", "1-3", "f", "v");
            src.callChecked("XADD", "ys", "MAXLEN", "~", "0", "LIMIT", "1", "1-4", "f", "v");
            src.callChecked("SET", "after1", "1");
            src.callChecked("INCR", "counter");

            for (int i = 1; i <= 100; i++) {
                src.callChecked("XADD", "bylen", i + "-0", "n", Integer.toString(i));
                src.callChecked("XADD", "byid", i + "-0", "n", Integer.toString(i));
            }
            // Three nodes of ten fit the limit of 30: 70 entries stay where an exact trim would keep 25.
            src.callChecked("XTRIM", "bylen", "MAXLEN", "~", "25", "LIMIT", "30");
            // Two nodes fit the limit of 20: 80 entries stay where an exact trim would keep 46.
            src.callChecked("XTRIM", "byid", "MINID", "~", "55", "LIMIT", "20");
            // Whole nodes below 60 go (21-0 to 50-0); 51-0 stays first, as no exact trim would leave it.
            src.callChecked("XADD", "byid", "MINID", "~", "60", "LIMIT", "1000", "101-0", "n", "101");
            src.callChecked("SET", "after2", "2");
            assertThat(src.callChecked("XLEN", "bylen").asLong()).isEqualTo(70);
            assertThat(src.callChecked("XLEN", "byid").asLong()).isEqualTo(51);

            sync.awaitCaughtUp(src, TIMEOUT);
            sync.stop();
            assertThat(tgt.callChecked("XLEN", "ys").asLong()).isEqualTo(4);
            assertThat(tgt.callChecked("XLEN", "bylen").asLong()).isEqualTo(70);
            assertThat(tgt.callChecked("XLEN", "byid").asLong()).isEqualTo(51);
            assertThat(tgt.callChecked("GET", "after2").asText()).isEqualTo("2");
            DataAssertions.assertSameData(src, tgt);
        }
    }

    @Test
    void aBitOffsetPastTheTargetsBulkLimitStopsTheSyncNamingTheSetting() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version("7.0.15").arg("--proto-max-bulk-len", "1mb").start();
             RedisConnection src = source.connect();
             SyncHarness sync = SyncHarness.start(SyncOptions.builder(source.endpoint(), target.endpoint())
                     .progressInterval(Duration.ZERO).retryFor(Duration.ofSeconds(5)).build())) {
            sync.awaitStreaming(TIMEOUT);
            src.callChecked("SETBIT", "bits", Long.toString(8L << 20), "1");
            FerryException failure = sync.awaitFailure(TIMEOUT);
            assertThat(failure.getMessage()).contains("SETBIT").contains("proto-max-bulk-len");
        }
    }
}
