package dev.ferry.pipeline;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.embedded.RedisServer;
import dev.ferry.rdb.DumpPayload;
import dev.ferry.rdb.RdbType;
import dev.ferry.rdb.StreamId;
import dev.ferry.rdb.StreamIdmp;
import dev.ferry.rdb.StreamInfo;
import dev.ferry.rdb.StreamValueBytes;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;
import dev.ferry.sink.TargetProfile;
import dev.ferry.sink.WriteSink;
import dev.ferry.testing.Servers;
import dev.ferry.testing.StreamGroups;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams in the formats of Redis 8.6 (v4, RDB 13) and 8.8 (v5, RDB 14), which no server here writes, made from a
 * real 8.0.6 stream's DUMP payload with the idempotent-producer state or NACKed entries added per {@code rdb.c}, and
 * sent as a {@code RESTORE} into 7.0.15 and 8.0.6, which must take them as commands: the target holds every entry,
 * group, consumer, pending entry and counter of the source (by {@code XINFO STREAM FULL}), and the one warning per
 * key names what it cannot hold.
 */
class NewerStreamRewriteIT {

    private static final StreamIdmp IDMP = new StreamIdmp(300, 20, List.of(new StreamIdmp.Producer(b("p1"),
            List.of(new StreamIdmp.Entry(b("order-1"), new StreamId(1, 1))))), 5, 1);

    /** Computed by each server (7.0's estimate differs from 8.0's for a trimmed stream), set by no command. */
    private static final Set<String> LAG = Set.of("lag");

    @RegisterExtension
    final Servers servers = new Servers();

    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.ferry.pipeline.StreamRebuild");
    private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();

    @BeforeEach
    void captureWarnings() {
        warnings.start();
        logger.addAppender(warnings);
    }

    @AfterEach
    void releaseWarnings() {
        logger.detachAppender(warnings);
    }

    @ParameterizedTest(name = "-> {0}")
    @ValueSource(strings = {"7.0.15", "8.0.6"})
    void streamsV4LandWithEveryGroupAndNameTheIdempotentProducersLeftBehind(String targetVersion) throws IOException {
        RedisServer source = servers.start("8.0.6");
        RedisServer target = servers.start(targetVersion);
        try (RedisConnection src = source.connect(); RedisConnection tgt = target.connect()) {
            StreamGroups.populate(src);
            WriteSink oneByOne = new RecordingSink(argv -> tgt.callChecked((Object[]) argv));
            TargetProfile profile = new TargetProfile(ServerInfo.Version.parse(targetVersion, false), 512L << 20);
            for (String key : StreamGroups.KEYS) {
                DumpPayload.Parsed v3 = dump(src, key);
                StreamInfo info = StreamInfo.read(v3.type(), v3.value());
                StreamInfo withIdmp = new StreamInfo(info.length(), info.lastId(), info.firstId(), info.maxDeletedId(),
                        info.entriesAdded(), info.groups(), IDMP);
                byte[] v4 = StreamValueBytes.encode(StreamValueBytes.nodes(v3.value()), withIdmp, 4);
                restore(key, DumpPayload.encode(RdbType.STREAM_LISTPACKS_4, v4, 13), profile, oneByOne);
            }
            StreamGroups.assertSame(src, tgt, StreamGroups.KEYS, targetVersion, LAG);
        }
        assertThat(warnings.list).hasSize(StreamGroups.KEYS.size()).allSatisfy(e -> assertThat(e.getFormattedMessage())
                .contains("idempotent-producer state (IDMP: 1 producer(s), 1 tracked IID(s), iids-added 5,"
                        + " iids-duplicates 1, duration 300 s, maxsize 20) is not on the target")
                .doesNotContain("NACKed"));
    }

    @ParameterizedTest(name = "-> {0}")
    @ValueSource(strings = {"7.0.15", "8.0.6"})
    void aStreamV5LandsWithoutItsNackedEntriesAndNamesThem(String targetVersion) throws IOException {
        RedisServer source = servers.start("8.0.6");
        RedisServer target = servers.start(targetVersion);
        try (RedisConnection src = source.connect(); RedisConnection tgt = target.connect()) {
            StreamGroups.populate(src);
            DumpPayload.Parsed v3 = dump(src, "groups");
            // carol's live 7-1 in g1 NACKed: pending, owned by no consumer.
            StreamInfo nacked = nack(StreamInfo.read(v3.type(), v3.value()), "g1", StreamId.parse("7-1"));
            byte[] v5 = StreamValueBytes.encode(StreamValueBytes.nodes(v3.value()), nacked, 5);
            TargetProfile profile = new TargetProfile(ServerInfo.Version.parse(targetVersion, false), 512L << 20);
            restore("groups", DumpPayload.encode(RdbType.STREAM_LISTPACKS_5, v5, 14), profile,
                    new RecordingSink(argv -> tgt.callChecked((Object[]) argv)));
            // What the target can hold is the source without that pending entry.
            src.callChecked("XACK", "groups", "g1", "7-1");
            StreamGroups.assertSame(src, tgt, List.of("groups"), targetVersion, LAG);
        }
        assertThat(warnings.list).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .startsWith("stream \"groups\" rewritten for target " + targetVersion)
                .contains("1 NACKed pending entry (owned by no consumer, waiting for another delivery) is not pending"
                        + " on the target, which has no pending entries without a consumer (group \"g1\": 7-1)")
                .doesNotContain("IDMP");
    }

    private static StreamInfo nack(StreamInfo info, String group, StreamId id) {
        List<StreamInfo.Group> groups = new ArrayList<>();
        for (StreamInfo.Group g : info.groups()) {
            if (!Arrays.equals(g.name(), b(group))) {
                groups.add(g);
                continue;
            }
            List<StreamInfo.PendingEntry> pending = new ArrayList<>();
            for (StreamInfo.PendingEntry p : g.pending()) {
                pending.add(p.id().equals(id) ? new StreamInfo.PendingEntry(id, null, p.deliveryTimeMs(),
                        p.deliveryCount()) : p);
            }
            assertThat(pending).as("%s pending in %s", id, group).anyMatch(p -> !p.owned());
            groups.add(new StreamInfo.Group(g.name(), g.lastDeliveredId(), g.entriesRead(), pending, g.consumers(),
                    List.of(id)));
        }
        return new StreamInfo(info.length(), info.lastId(), info.firstId(), info.maxDeletedId(), info.entriesAdded(),
                groups, info.idmp());
    }

    private static DumpPayload.Parsed dump(RedisConnection src, String key) {
        DumpPayload.Parsed parsed = DumpPayload.decode(((RespValue.Bulk) src.callChecked("DUMP", key)).bytes());
        assertThat(parsed.type()).isEqualTo(RdbType.STREAM_LISTPACKS_3);
        return parsed;
    }

    private static void restore(String key, byte[] payload, TargetProfile profile, WriteSink sink) {
        StreamRestore.adapt(new byte[][] {b("RESTORE"), b(key), b("0"), payload}, profile, sink, 1);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
