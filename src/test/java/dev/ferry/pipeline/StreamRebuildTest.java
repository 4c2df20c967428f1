package dev.ferry.pipeline;

import dev.ferry.rdb.StreamId;
import dev.ferry.rdb.StreamIdmp;
import dev.ferry.rdb.StreamInfo;
import dev.ferry.resp.ServerInfo;
import dev.ferry.sink.TargetProfile;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The commands that rebuild a stream for an older target, checked without a server (StreamRebuildIT runs them). */
class StreamRebuildTest {

    private final RecordingSink sink = new RecordingSink();
    private final List<String> warnings = new ArrayList<>();

    private StreamRebuild rebuild(String version, StreamInfo known) {
        TargetProfile target = new TargetProfile(ServerInfo.Version.parse(version, false), 512L << 20);
        return new StreamRebuild(b("s"), target, sink, known, warnings::add);
    }

    /**
     * Entries 3-1, 5-1, 7-1 live; pending 1-1 (trimmed), 4-1 (deleted), 5-1 (live), 9-1 (deleted, the last ID);
     * group g read up to 9-1, alice owns all but 9-1, bob owns 9-1 and carol nothing.
     */
    private static StreamInfo sample() {
        List<StreamInfo.PendingEntry> pending = List.of(
                new StreamInfo.PendingEntry(id("1-1"), b("alice"), 1000, 1),
                new StreamInfo.PendingEntry(id("4-1"), b("alice"), 1000, 1),
                new StreamInfo.PendingEntry(id("5-1"), b("alice"), 1000, 1),
                new StreamInfo.PendingEntry(id("9-1"), b("bob"), 2000, 3));
        List<StreamInfo.Consumer> consumers = List.of(new StreamInfo.Consumer(b("alice"), 1500, 1500),
                new StreamInfo.Consumer(b("bob"), 2500, 2500), new StreamInfo.Consumer(b("carol"), 100, -1));
        return new StreamInfo(3, id("9-1"), id("3-1"), id("9-1"), 9,
                List.of(new StreamInfo.Group(b("g"), id("9-1"), 9, pending, consumers)));
    }

    private static void entries(StreamRebuild r) {
        for (String id : new String[] {"3-1", "5-1", "7-1"}) {
            r.entry(id(id), new byte[][] {b("f"), b("v")});
        }
    }

    @Test
    void pendingEntriesOfDeletedMessagesAreClaimedOnPlaceholdersAtTheirIdsThenRemoved() {
        StreamRebuild r = rebuild("7.0.15", sample());
        entries(r);
        r.end(sample());
        assertThat(sink.writes).containsExactly(
                "XADD s 1-1 ferry-placeholder 1",
                "XADD s 3-1 f v",
                "XADD s 4-1 ferry-placeholder 1",
                "XADD s 5-1 f v",
                "XADD s 7-1 f v",
                "XADD s 9-1 ferry-placeholder 1",
                "XGROUP CREATE s g 9-1 ENTRIESREAD 9",
                "XGROUP CREATECONSUMER s g alice",
                "XGROUP CREATECONSUMER s g bob",
                "XGROUP CREATECONSUMER s g carol",
                "XCLAIM s g alice 0 1-1 4-1 5-1 TIME 1000 RETRYCOUNT 1 FORCE JUSTID",
                "XCLAIM s g bob 0 9-1 TIME 2000 RETRYCOUNT 3 FORCE JUSTID",
                "XDEL s 4-1 9-1",
                "XTRIM s MAXLEN 3",
                "XSETID s 9-1 ENTRIESADDED 9 MAXDELETEDID 9-1");
        assertThat(warnings).isEmpty();
    }

    @Test
    void aTargetBefore62GetsItsIdleConsumersByAClaimAndAnAckAndNoCounters() {
        StreamRebuild r = rebuild("6.0.5", sample());
        entries(r);
        r.end(sample());
        assertThat(sink.writes.subList(6, sink.writes.size())).containsExactly(
                "XGROUP CREATE s g 9-1",
                "XCLAIM s g carol 0 1-1 FORCE JUSTID",
                "XACK s g 1-1",
                "XCLAIM s g alice 0 1-1 4-1 5-1 TIME 1000 RETRYCOUNT 1 FORCE JUSTID",
                "XCLAIM s g bob 0 9-1 TIME 2000 RETRYCOUNT 3 FORCE JUSTID",
                "XDEL s 4-1 9-1",
                "XTRIM s MAXLEN 3",
                "XSETID s 9-1");
    }

    @Test
    void aStreamedValueRecreatesWhatFollowsItsLastEntryAndNamesWhatItCouldNotInOneWarning() {
        StreamRebuild r = rebuild("6.2.7", null);
        entries(r);
        r.end(sample());
        assertThat(sink.writes).containsExactly(
                "XADD s 3-1 f v",
                "XADD s 5-1 f v",
                "XADD s 7-1 f v",
                "XADD s 9-1 ferry-placeholder 1",
                "XGROUP CREATE s g 9-1",
                "XGROUP CREATECONSUMER s g alice",
                "XGROUP CREATECONSUMER s g bob",
                "XGROUP CREATECONSUMER s g carol",
                // 1-1 is surely gone; 4-1 and 5-1 may exist, so they are tried.
                "XCLAIM s g alice 0 4-1 5-1 TIME 1000 RETRYCOUNT 1 FORCE JUSTID",
                "XCLAIM s g bob 0 9-1 TIME 2000 RETRYCOUNT 3 FORCE JUSTID",
                "XDEL s 9-1",
                "XSETID s 9-1");
        assertThat(warnings).singleElement().asString()
                .contains("stream \"s\" ", "6.2.7", "1 pending entry whose message was trimmed or deleted before the"
                        + " stream's first entry 3-1 is not on the target (group \"g\": 1-1)",
                        // 5-1 is live, but that could be known only by keeping every entry's ID.
                        "2 pending entries between its first and last entries are there only if their message was not"
                        + " deleted (group \"g\": 4-1, 5-1)", "--raw-limit");
    }

    @Test
    void anEmptyStreamIsBuiltAroundAPlaceholderAtItsLastIdThenTrimmed() {
        StreamInfo empty = new StreamInfo(0, id("5-0"), id("0-0"), id("0-0"), 4, List.of(new StreamInfo.Group(b("g"),
                id("5-0"), 4, List.of(), List.of())));
        StreamRebuild r = rebuild("7.0.15", empty);
        r.end(empty);
        assertThat(sink.writes).containsExactly(
                "XADD s 5-0 ferry-placeholder 1",
                "XGROUP CREATE s g 5-0 ENTRIESREAD 4",
                "XTRIM s MAXLEN 0",
                "XSETID s 5-0 ENTRIESADDED 4");
        assertThat(warnings).isEmpty();
    }

    @Test
    void whatNoCommandCanReproduceIsNamedEvenWhenTheMetadataWasKnown() {
        // A 7.0 source that loaded this stream from a 6.2 RDB: a message deleted in the middle, max-deleted 0-0;
        // and a pending ID past the last ID, which only a crafted RESTORE payload can hold.
        List<StreamInfo.PendingEntry> pending = List.of(new StreamInfo.PendingEntry(id("2-1"), b("a"), 10, 1),
                new StreamInfo.PendingEntry(id("8-1"), b("a"), 10, 1));
        StreamInfo info = new StreamInfo(2, id("3-1"), id("1-1"), id("0-0"), 2, List.of(new StreamInfo.Group(b("g"),
                id("3-1"), 2, pending, List.of(new StreamInfo.Consumer(b("a"), 1, 1)))));
        StreamRebuild r = rebuild("7.0.15", info);
        r.entry(id("1-1"), new byte[][] {b("f"), b("v")});
        r.entry(id("3-1"), new byte[][] {b("f"), b("v")});
        r.end(info);
        assertThat(sink.writes).contains("XADD s 2-1 ferry-placeholder 1", "XDEL s 2-1", "XSETID s 3-1 ENTRIESADDED 2")
                .contains("XCLAIM s g a 0 2-1 TIME 10 RETRYCOUNT 1 FORCE JUSTID").noneMatch(w -> w.contains("8-1"));
        assertThat(warnings).singleElement().asString().contains(
                "1 pending entry past the stream's last ID 3-1 cannot be recreated by any command (group \"g\": 8-1)",
                "its max-deleted-entry-id reads 2-1 on the target, 0-0 on the source").doesNotContain("--raw-limit");
    }

    @Test
    void claimsAreSplitWhereConsumerDeliveryTimeOrCountChange() {
        List<StreamInfo.PendingEntry> pending = List.of(
                new StreamInfo.PendingEntry(id("1-1"), b("a"), 10, 1),
                new StreamInfo.PendingEntry(id("1-2"), b("a"), 10, 1),
                new StreamInfo.PendingEntry(id("1-3"), b("a"), 11, 1),
                new StreamInfo.PendingEntry(id("1-4"), b("a"), 11, 2),
                new StreamInfo.PendingEntry(id("1-5"), b("b"), 11, 2));
        StreamInfo info = new StreamInfo(5, id("1-5"), id("1-1"), id("0-0"), 5, List.of(new StreamInfo.Group(b("g"),
                id("1-5"), 5, pending, List.of(new StreamInfo.Consumer(b("a"), 1, 1), new StreamInfo.Consumer(b("b"), 1, 1)))));
        StreamRebuild r = rebuild("6.2.7", info);
        for (int i = 1; i <= 5; i++) {
            r.entry(id("1-" + i), new byte[][] {b("f"), b("v")});
        }
        r.end(info);
        assertThat(sink.writes).filteredOn(w -> w.startsWith("XCLAIM")).containsExactly(
                "XCLAIM s g a 0 1-1 1-2 TIME 10 RETRYCOUNT 1 FORCE JUSTID",
                "XCLAIM s g a 0 1-3 TIME 11 RETRYCOUNT 1 FORCE JUSTID",
                "XCLAIM s g a 0 1-4 TIME 11 RETRYCOUNT 2 FORCE JUSTID",
                "XCLAIM s g b 0 1-5 TIME 11 RETRYCOUNT 2 FORCE JUSTID");
        assertThat(sink.writes).noneMatch(w -> w.contains("placeholder") || w.startsWith("XDEL") || w.startsWith("XTRIM"));
    }

    @Test
    void nackedEntriesAndIdempotentProducersOfRedis88AreLeftOutAndNamedInOneWarning() {
        // 2-1 NACKed (no owner) and its message deleted: neither claimed nor given a placeholder.
        List<StreamInfo.PendingEntry> pending = List.of(new StreamInfo.PendingEntry(id("1-1"), b("a"), 10, 1),
                new StreamInfo.PendingEntry(id("2-1"), null, 20, 2));
        StreamIdmp idmp = new StreamIdmp(100, 50, List.of(new StreamIdmp.Producer(b("p"),
                List.of(new StreamIdmp.Entry(b("i"), id("1-1"))))), 7, 2);
        StreamInfo info = new StreamInfo(1, id("2-1"), id("1-1"), id("2-1"), 2, List.of(new StreamInfo.Group(b("g"),
                id("2-1"), 2, pending, List.of(new StreamInfo.Consumer(b("a"), 1, 1)), List.of(id("2-1")))), idmp);
        StreamRebuild r = rebuild("7.0.15", info);
        r.entry(id("1-1"), new byte[][] {b("f"), b("v")});
        r.end(info);
        assertThat(sink.writes).containsExactly(
                "XADD s 1-1 f v",
                "XGROUP CREATE s g 2-1 ENTRIESREAD 2",
                "XGROUP CREATECONSUMER s g a",
                "XCLAIM s g a 0 1-1 TIME 10 RETRYCOUNT 1 FORCE JUSTID",
                "XSETID s 2-1 ENTRIESADDED 2 MAXDELETEDID 2-1");
        assertThat(warnings).singleElement().asString().contains(
                "idempotent-producer state (IDMP: 1 producer(s), 1 tracked IID(s), iids-added 7, iids-duplicates 2,"
                        + " duration 100 s, maxsize 50) is not on the target",
                "1 NACKed pending entry (owned by no consumer, waiting for another delivery) is not pending on the"
                        + " target, which has no pending entries without a consumer (group \"g\": 2-1)");
    }

    @Test
    void aStreamV4WhoseProducersNeverUsedIdempotenceIsCopiedWithoutWarning() {
        StreamInfo info = new StreamInfo(1, id("1-1"), id("1-1"), id("0-0"), 1, List.of(),
                new StreamIdmp(100, 100, List.of(), 0, 0));
        StreamRebuild r = rebuild("7.0.15", info);
        r.entry(id("1-1"), new byte[][] {b("f"), b("v")});
        r.end(info);
        assertThat(warnings).isEmpty();
    }

    private static StreamId id(String text) {
        return StreamId.parse(text);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
