package dev.ferry.rdb;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Streams v4 (type 26, Redis 8.6, RDB 13+: idempotent-producer state after the groups) and v5 (type 27, Redis 8.8,
 * RDB 14+: each group's NACKed pending entries after its consumers), from bytes built per {@code rdbSaveObject},
 * {@code rdbSaveStreamIdmpEntries} and {@code rdbLoadObject}: no server of the harness writes them.
 */
class NewerStreamFormatsTest {

    private static final long T = 1_700_000_000_000L;

    @Test
    void aStreamV4OfRdb13IsDecodedWithItsEntriesGroupsAndIdempotentProducers() throws IOException {
        byte[] value = RdbBuilder.value().bytes(nodes()).bytes(metadata())
                .length(1)
                .string("g").length(T + 5).length(0).length(3)
                .length(2)
                .bytes(raw(T, 0)).le(T + 100, 8).length(1)
                .bytes(raw(T, 1)).le(T + 200, 8).length(2)
                .length(2)
                .string("alice").le(T + 300, 8).le(T + 301, 8).length(1).bytes(raw(T, 0))
                .string("bob").le(T + 400, 8).le(T + 401, 8).length(1).bytes(raw(T, 1))
                .length(120).length(50).length(2)
                .string("p1").length(2).string("i1").length(T).length(0).string("i2").length(T + 5).length(0)
                .string("p2").length(1).string("k").length(T + 5).length(0)
                .length(3).length(1)
                .body();
        Decoded d = decodeInFile(13, RdbType.STREAM_LISTPACKS_4, value);
        assertThat(d.entries).containsExactly(T + "-0 f=a", (T + 5) + "-0 x=1 y=2");
        assertThat(render(d.info)).isEqualTo("length 2, last " + (T + 5) + "-0, first " + T + "-0, max-deleted " + T
                + "-1, added 3\n"
                + "group g last " + (T + 5) + "-0 read 3 pending [" + T + "-0 alice " + (T + 100) + " 1, " + T + "-1 bob "
                + (T + 200) + " 2] consumers [alice " + (T + 300) + "/" + (T + 301) + ", bob " + (T + 400) + "/"
                + (T + 401) + "] nacked []\n"
                + "idmp 120 s max 50 added 3 duplicates 1 [p1: i1=" + T + "-0 i2=" + (T + 5) + "-0, p2: k=" + (T + 5)
                + "-0]");
        assertThat(render(StreamInfo.read(RdbType.STREAM_LISTPACKS_4, value))).isEqualTo(render(d.info));
        // The writer the integration tests use makes the same bytes.
        assertThat(StreamValueBytes.encode(StreamValueBytes.nodes(value), d.info, 4)).isEqualTo(value);
    }

    @ParameterizedTest(name = "RDB {0}")
    @ValueSource(ints = {14, 15})
    void aStreamV5KeepsItsNackedEntriesPendingWithoutAConsumer(int version) throws IOException {
        byte[] value = v5Value(raw(T + 5, 0), raw(T, 1));
        Decoded d = decodeInFile(version, RdbType.STREAM_LISTPACKS_5, value);
        assertThat(d.entries).hasSize(2);
        assertThat(render(d.info)).isEqualTo("length 2, last " + (T + 5) + "-0, first " + T + "-0, max-deleted " + T
                + "-1, added 3\n"
                + "group g last " + (T + 5) + "-0 read 3 pending [" + T + "-0 alice " + (T + 100) + " 1, " + T
                + "-1 <none> " + (T + 200) + " 2, " + (T + 5) + "-0 <none> " + (T + 500) + " 3] consumers [alice "
                + (T + 300) + "/" + (T + 301) + ", bob " + (T + 400) + "/" + (T + 401) + "] nacked [" + (T + 5)
                + "-0, " + T + "-1]\n"
                + "idmp 100 s max 100 added 0 duplicates 0 []");
        assertThat(StreamValueBytes.encode(StreamValueBytes.nodes(value), d.info, 5))
                .as("NACK list in pending order").isEqualTo(v5Value(raw(T, 1), raw(T + 5, 0)));
    }

    @Test
    void streamsV4AndV5ArePassedOverWhenNotDecodedAndComeAsDumpPayloads() throws IOException {
        byte[] v5 = v5Value(raw(T, 1), raw(T + 5, 0));
        byte[] rdb = RdbBuilder.redis(14).selectDb(0).type(RdbType.STREAM_LISTPACKS_5).string("s").bytes(v5)
                .type(RdbType.STRING).string("after").string("v").build();
        CollectingHandler h = new CollectingHandler(CollectingHandler.Mode.SKIP);
        new RdbParser(new ByteArrayInputStream(rdb)).parse(h);
        assertThat(h.keys).hasSize(2);
        DumpPayload.Parsed parsed = DumpPayload.decode(DumpPayload.encode(RdbType.STREAM_LISTPACKS_5, v5, 14));
        assertThat(parsed.type()).isEqualTo(RdbType.STREAM_LISTPACKS_5);
        assertThat(DumpPayload.decode(DumpPayload.encode(RdbType.STREAM_LISTPACKS_4, v5, 13)).type())
                .isEqualTo(RdbType.STREAM_LISTPACKS_4);
        assertThat(RdbType.STREAM_LISTPACKS_4.readableBy(12, false)).isFalse();
        assertThat(RdbType.STREAM_LISTPACKS_4.readableBy(13, false)).isTrue();
        assertThat(RdbType.STREAM_LISTPACKS_5.readableBy(13, false)).isFalse();
        assertThat(RdbType.STREAM_LISTPACKS_5.readableBy(81, true)).as("Valkey: foreign type").isFalse();
    }

    @Test
    void aNackedEntryAConsumerOwnsOrOutsideThePendingListIsRefused() {
        byte[] owned = v5Value(raw(T, 0));
        assertThatThrownBy(() -> decodeInFile(14, RdbType.STREAM_LISTPACKS_5, owned))
                .isInstanceOf(RdbFormatException.class).hasMessageContaining("NACKed entry " + T + "-0 is owned");
        byte[] unknown = v5Value(raw(T, 7));
        assertThatThrownBy(() -> decodeInFile(14, RdbType.STREAM_LISTPACKS_5, unknown))
                .hasMessageContaining("NACKed entry " + T + "-7 is not in its group's pending list");
    }

    @Test
    void aStreamV5ByteInAnRdb13FileIsNoType() {
        byte[] rdb = RdbBuilder.redis(13).selectDb(0).type(RdbType.STREAM_LISTPACKS_5).string("s").build();
        assertThatThrownBy(() -> new RdbParser(new ByteArrayInputStream(rdb)).parse(e -> { }))
                .hasMessageContaining("unknown value type or opcode 27 in RDB REDIS version 13");
    }

    /** A v5 value: three pending entries, alice owns T-0, the NACK list holds {@code nacked} (raw IDs). */
    private static byte[] v5Value(byte[]... nacked) {
        RdbBuilder b = RdbBuilder.value().bytes(nodes()).bytes(metadata())
                .length(1)
                .string("g").length(T + 5).length(0).length(3)
                .length(3)
                .bytes(raw(T, 0)).le(T + 100, 8).length(1)
                .bytes(raw(T, 1)).le(T + 200, 8).length(2)
                .bytes(raw(T + 5, 0)).le(T + 500, 8).length(3)
                .length(2)
                .string("alice").le(T + 300, 8).le(T + 301, 8).length(1).bytes(raw(T, 0))
                .string("bob").le(T + 400, 8).le(T + 401, 8).length(0)
                .length(nacked.length);
        for (byte[] id : nacked) {
            b.bytes(id);
        }
        return b.length(100).length(100).length(0).length(0).length(0).body();
    }

    /** One node keyed T-0: f=a at T-0, f=b at T-1 (deleted), x=1 y=2 at (T+5)-0. */
    private static byte[] nodes() {
        byte[] lp = RdbBuilder.listpack(2L, 1L, 1L, b("f"), 0L,
                2L, 0L, 0L, b("a"), 4L,
                3L, 0L, 1L, b("b"), 4L,
                0L, 5L, 0L, 2L, b("x"), b("1"), b("y"), b("2"), 8L);
        return RdbBuilder.value().length(1).string(raw(T, 0)).string(lp).body();
    }

    /** Length 2, last ID (T+5)-0, first T-0, max deleted T-1, 3 added. */
    private static byte[] metadata() {
        return RdbBuilder.value().length(2).length(T + 5).length(0).length(T).length(0).length(T).length(1)
                .length(3).body();
    }

    private record Decoded(List<String> entries, StreamInfo info) {
    }

    private static Decoded decodeInFile(int version, RdbType type, byte[] value) throws IOException {
        byte[] rdb = RdbBuilder.redis(version).selectDb(0).type(type).string("events").bytes(value).build();
        List<String> entries = new ArrayList<>();
        StreamInfo[] info = new StreamInfo[1];
        new RdbParser(new ByteArrayInputStream(rdb)).parse(entry -> entry.decode(new ValueVisitor() {
            @Override
            public void streamEntry(StreamId id, byte[][] fieldsAndValues) {
                StringBuilder sb = new StringBuilder(id.toString());
                for (int i = 0; i < fieldsAndValues.length; i += 2) {
                    sb.append(' ').append(s(fieldsAndValues[i])).append('=').append(s(fieldsAndValues[i + 1]));
                }
                entries.add(sb.toString());
            }

            @Override
            public void streamEnd(StreamInfo i) {
                info[0] = i;
            }
        }));
        return new Decoded(entries, info[0]);
    }

    private static String render(StreamInfo info) {
        StringBuilder sb = new StringBuilder("length " + info.length() + ", last " + info.lastId() + ", first "
                + info.firstId() + ", max-deleted " + info.maxDeletedId() + ", added " + info.entriesAdded());
        for (StreamInfo.Group g : info.groups()) {
            sb.append("\ngroup ").append(s(g.name())).append(" last ").append(g.lastDeliveredId()).append(" read ")
                    .append(g.entriesRead()).append(" pending ")
                    .append(g.pending().stream().map(p -> p.id() + " " + (p.owned() ? s(p.consumer()) : "<none>") + " "
                            + p.deliveryTimeMs() + " " + p.deliveryCount()).toList())
                    .append(" consumers ")
                    .append(g.consumers().stream().map(c -> s(c.name()) + " " + c.seenTimeMs() + "/" + c.activeTimeMs())
                            .toList())
                    .append(" nacked ").append(g.nacked());
        }
        StreamIdmp idmp = info.idmp();
        sb.append("\nidmp ").append(idmp.durationSeconds()).append(" s max ").append(idmp.maxEntries())
                .append(" added ").append(idmp.iidsAdded()).append(" duplicates ").append(idmp.iidsDuplicates())
                .append(' ').append(idmp.producers().stream().map(p -> s(p.pid()) + ":" + p.entries().stream()
                        .map(e -> " " + s(e.iid()) + "=" + e.id()).reduce("", String::concat)).toList());
        return sb.toString();
    }

    private static byte[] raw(long ms, long seq) {
        return ByteBuffer.allocate(16).putLong(ms).putLong(seq).array();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
