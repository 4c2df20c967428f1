package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.testing.DataAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code RESTORE}s in the stream (a client's own, or another Ferry task's in a cascade) carry the source's
 * RDB version; an older target gets them relabelled, or rewritten as commands when it does not know the
 * value's encoding (7.0 listpacks into 6.2) or RESTORE's options (REPLACE, ABSTTL into 2.8).
 */
class StreamRestoreIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @ParameterizedTest(name = "7.0.15 -> {0}")
    @ValueSource(strings = {"6.2.7", "2.8.19"})
    void restoresOfANewerSourceLandOnAnOlderTarget(String targetVersion) throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version(targetVersion).start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                src.callChecked("HSET", "h", "a", "1", "b", "2");
                src.callChecked("RPUSH", "l", "x", "y", "z");
                for (int i = 0; i < 300; i++) {
                    src.callChecked("SADD", "s", "member-" + i);
                }
                src.callChecked("SET", "str", "plain");
                // Listpack hash with a relative TTL, quicklist with an absolute one, hashtable set with REPLACE.
                src.callChecked("RESTORE", "h2", "600000", dump(src, "h"));
                src.callChecked("RESTORE", "l2", Long.toString(System.currentTimeMillis() + 600_000), dump(src, "l"), "ABSTTL");
                src.callChecked("SET", "s2", "to be replaced");
                src.callChecked("RESTORE", "s2", "0", dump(src, "s"), "REPLACE");
                src.callChecked("RESTORE", "str2", "0", dump(src, "str"));
                sync.awaitCaughtUp(src, TIMEOUT);
                sync.stop();
            }
            DataAssertions.assertSameData(src, tgt, Set.of(0));
            assertThat(tgt.callChecked("PTTL", "h2").asLong()).isBetween(1L, 600_000L);
            assertThat(tgt.callChecked("PTTL", "l2").asLong()).isBetween(1L, 600_000L);
            assertThat(tgt.callChecked("PTTL", "s2").asLong()).isEqualTo(-1);
            assertThat(tgt.callChecked("SCARD", "s2").asLong()).isEqualTo(300);
        }
    }

    private static byte[] dump(RedisConnection conn, String key) {
        return ((RespValue.Bulk) conn.callChecked("DUMP", key)).bytes();
    }
}
