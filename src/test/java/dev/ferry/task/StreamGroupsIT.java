package dev.ferry.task;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.testing.Servers;
import dev.ferry.testing.StreamGroups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams rewritten for an older target (7.0 writes stream listpacks 2, which 6.2 and 6.0 cannot RESTORE), by the
 * snapshot or for a RESTORE in the replication stream, keep their consumer groups exactly whatever was deleted or
 * trimmed ({@link StreamGroups} compares them).
 */
class StreamGroupsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final Servers servers = new Servers();

    @ParameterizedTest(name = "7.0.15 -> {0}")
    @ValueSource(strings = {"6.2.7", "6.0.5"})
    void aSnapshotRebuildsEveryGroupWhateverWasDeletedOrTrimmed(String targetVersion) throws Exception {
        RedisServer source = servers.start("7.0.15");
        RedisServer target = servers.start(targetVersion);
        try (RedisConnection src = source.connect(); RedisConnection tgt = target.connect()) {
            StreamGroups.populate(src);
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).mode(SyncMode.FULL)
                    .progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                assertThat(sync.awaitEnd(TIMEOUT)).isNull();
            }
            StreamGroups.assertSame(src, tgt, StreamGroups.KEYS, targetVersion);
        }
    }

    @ParameterizedTest(name = "7.0.15 -> {0}")
    @ValueSource(strings = {"6.2.7", "6.0.5"})
    void restoresInTheReplicationStreamRebuildEveryGroupToo(String targetVersion) throws Exception {
        RedisServer donor = servers.start("7.0.15");
        RedisServer source = servers.start("7.0.15", "--repl-diskless-sync-delay", "0");
        RedisServer target = servers.start(targetVersion);
        try (RedisConnection from = donor.connect(); RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            StreamGroups.populate(from);
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint())
                    .progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                for (String key : StreamGroups.KEYS) {
                    src.callChecked("RESTORE", key, "0", ((RespValue.Bulk) from.callChecked("DUMP", key)).bytes());
                }
                sync.awaitCaughtUp(src, TIMEOUT);
                sync.stop();
            }
            StreamGroups.assertSame(src, tgt, StreamGroups.KEYS, targetVersion);
        }
    }

    @ParameterizedTest(name = "7.0.15 -> {0}")
    @ValueSource(strings = {"6.2.7", "6.0.5"})
    void aClaimOfADeletedMessageWhileStreamingDropsItFromThePendingListAsOnTheSource(String targetVersion) throws Exception {
        RedisServer source = servers.start("7.0.15", "--repl-diskless-sync-delay", "0");
        RedisServer target = servers.start(targetVersion);
        try (RedisConnection src = source.connect(); RedisConnection tgt = target.connect()) {
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint())
                    .progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                for (int i = 1; i <= 4; i++) {
                    src.callChecked("XADD", "claimed", i + "-1", "f", "v" + i);
                }
                src.callChecked("XGROUP", "CREATE", "claimed", "g", "0");
                src.callChecked("XREADGROUP", "GROUP", "g", "alice", "COUNT", "4", "STREAMS", "claimed", ">");
                src.callChecked("XDEL", "claimed", "2-1", "3-1");
                // 7.0 drops 2-1 and 3-1 from the pending list (their messages are gone) and gives 4-1 to bob.
                src.callChecked("XCLAIM", "claimed", "g", "bob", "0", "2-1", "3-1", "4-1");
                sync.awaitCaughtUp(src, TIMEOUT);
                sync.stop();
            }
            assertThat(pending(tgt)).isEqualTo(pending(src)).contains("1-1 alice").contains("4-1 bob")
                    .doesNotContain("2-1").doesNotContain("3-1");
        }
    }

    /** The group's pending entries, "id consumer" each. */
    private static String pending(RedisConnection conn) {
        StringBuilder sb = new StringBuilder();
        for (RespValue e : ((RespValue.Array) conn.callChecked("XPENDING", "claimed", "g", "-", "+", "10")).items()) {
            java.util.List<RespValue> f = ((RespValue.Array) e).items();
            sb.append(f.get(0).asText()).append(' ').append(f.get(1).asText()).append(';');
        }
        return sb.toString();
    }

    @Test
    void aStreamTooLongForA70TargetsBulkLimitIsRebuiltWithItsCounters() throws Exception {
        RedisServer source = servers.start("7.0.15");
        // Over proto-max-bulk-len, within --raw-limit: held in memory and rewritten, for a target that has
        // entries-added, max-deleted-entry-id, entries-read and lag.
        RedisServer target = servers.start("7.0.15", "--proto-max-bulk-len", "1mb");
        try (RedisConnection src = source.connect(); RedisConnection tgt = target.connect()) {
            Random random = new Random(11);
            for (int i = 1; i <= 1200; i++) {
                // Random bytes: the RDB's LZF would shrink a repeated value below the target's limit.
                byte[] value = new byte[1024];
                random.nextBytes(value);
                src.callChecked("XADD", "big", i + "-1", "f", value);
            }
            src.callChecked("XGROUP", "CREATE", "big", "g1", "0");
            src.callChecked("XGROUP", "CREATE", "big", "g2", "0");
            src.callChecked("XGROUP", "CREATE", "big", "g3", "$");
            src.callChecked("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "10", "STREAMS", "big", ">");
            src.callChecked("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "10", "STREAMS", "big", ">");
            src.callChecked("XCLAIM", "big", "g1", "carol", "0", "3-1", "12-1");
            src.callChecked("XREADGROUP", "GROUP", "g1", "alice", "STREAMS", "big", "0");
            src.callChecked("XREADGROUP", "GROUP", "g2", "dave", "COUNT", "600", "STREAMS", "big", ">");
            src.callChecked("XACK", "big", "g2", "8-1", "9-1", "500-1");
            src.callChecked("XGROUP", "CREATECONSUMER", "big", "g3", "idle");
            src.callChecked("XDEL", "big", "15-1", "300-1", "1200-1");
            src.callChecked("XTRIM", "big", "MINID", "8-1");
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).mode(SyncMode.FULL)
                    .progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                assertThat(sync.awaitEnd(TIMEOUT)).isNull();
                assertThat(sync.task.counters().snapshotKeysRewritten.sum()).isEqualTo(1);
            }
            StreamGroups.assertSame(src, tgt, List.of("big"), "7.0.15");
        }
    }

    @Test
    void aStreamOverTheRawLimitKeepsWhatItCanAndNamesTheRestInOneWarning() throws Exception {
        RedisServer source = servers.start("7.0.15");
        RedisServer target = servers.start("6.2.7");
        Logger logger = (Logger) LoggerFactory.getLogger("dev.ferry.pipeline.StreamRebuild");
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        warnings.start();
        logger.addAppender(warnings);
        try (RedisConnection src = source.connect(); RedisConnection tgt = target.connect()) {
            StreamGroups.populate(src);
            // Pending entries of messages deleted after the last live entry can be recreated at the end.
            for (int i = 1; i <= 3; i++) {
                src.callChecked("XADD", "tail", i + "-1", "f", "v");
            }
            src.callChecked("XGROUP", "CREATE", "tail", "g", "0");
            src.callChecked("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "tail", ">");
            src.callChecked("XDEL", "tail", "2-1", "3-1");
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).mode(SyncMode.FULL)
                    .rawLimit(16).progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                assertThat(sync.awaitEnd(TIMEOUT)).isNull();
            }
            StreamGroups.assertSame(src, tgt, List.of("tail", "emptied", "fresh"), "6.2.7");
            Map<String, String> byKey = new LinkedHashMap<>();
            for (ILoggingEvent e : warnings.list) {
                String message = e.getFormattedMessage();
                byKey.put(message.substring(0, message.indexOf(" rewritten")), message);
            }
            assertThat(byKey).containsOnlyKeys("stream \"deleted\"", "stream \"trimmed\"", "stream \"groups\"",
                    "stream \"lonely\"");
            assertThat(byKey.get("stream \"deleted\"")).contains("(group \"g\": 2-1)", "--raw-limit");
            assertThat(byKey.get("stream \"trimmed\"")).contains("6 pending entries whose message was trimmed",
                    "(group \"g\": 1-1, 2-1, 3-1 and 3 more)");
        } finally {
            logger.detachAppender(warnings);
        }
    }
}
