package dev.ferry.rdb;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static dev.ferry.rdb.RdbBuilder.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Encodings and opcodes no fixture server writes, built by hand. */
class SyntheticEncodingTest {

    private static final byte[] TEN_A_LZF = {0x00, 'a', (byte) 0xe0, 0x00, 0x00};

    @Test
    void linkedListOfTypeOneKeepsOrderAndDecodesEveryStringEncoding() throws IOException {
        byte[] rdb = RdbBuilder.redis(6).selectDb(0)
                .type(RdbType.LIST).string("l").length(4)
                .string("plain").intString(-5, 1).intString(40000, 4).lzfString(TEN_A_LZF, 10)
                .build();
        Map<String, Object> key = single(rdb);
        assertThat(key.get("value")).isEqualTo(List.of(b64("plain"), b64("-5"), b64("40000"), b64("aaaaaaaaaa")));
    }

    @Test
    void ziplistListDecodesEveryIntegerWidthAndTheFiveBytePrevlen() throws IOException {
        byte[] big = ascii("x".repeat(300));
        Object[] entries = {0L, 12L, 13L, -128L, 127L, -32768L, 32767L, -8388608L, 8388607L, -2147483648L,
            2147483647L, Long.MIN_VALUE, Long.MAX_VALUE, big, ascii("after-big"), ascii("y".repeat(70)), new byte[0]};
        byte[] rdb = RdbBuilder.redis(6).selectDb(0)
                .type(RdbType.LIST_ZIPLIST).string("zl").string(RdbBuilder.ziplist(entries))
                .build();
        List<String> expected = new ArrayList<>();
        for (Object e : entries) {
            expected.add(e instanceof byte[] b ? ValueCollector.b64(b) : b64(e.toString()));
        }
        assertThat(single(rdb).get("value")).isEqualTo(expected);
    }

    @Test
    void zipmapHashSkipsFreeBytesAndReadsFiveByteLengths() throws IOException {
        byte[] longValue = ascii("v".repeat(300));
        byte[] rdb = RdbBuilder.redis(2).selectDb(0)
                .type(RdbType.HASH_ZIPMAP).string("zm")
                .string(RdbBuilder.zipmap(3, ascii("f1"), ascii("v1"), ascii("f2"), longValue))
                .build();
        Map<String, Object> key = single(rdb);
        assertThat(key.get("value")).isEqualTo(Map.of(b64("f1"), b64("v1"), b64("f2"), ValueCollector.b64(longValue)));
    }

    @Test
    void filesBeforeVersionFiveEndAtTheEofOpcodeWithoutATrailer() throws IOException {
        byte[] rdb = RdbBuilder.redis(4).selectDb(0).type(RdbType.STRING).string("k").string("v").build();
        assertThat(rdb[rdb.length - 1]).isEqualTo((byte) 0xff);
        RdbParser parser = new RdbParser(new ByteArrayInputStream(rdb));
        CollectingHandler h = new CollectingHandler(CollectingHandler.Mode.DECODE);
        parser.parse(h);
        assertThat(parser.bytesRead()).isEqualTo(rdb.length);
        assertThat(h.endChecksum).isZero();
    }

    @Test
    void expireTimeInSecondsBecomesMilliseconds() throws IOException {
        byte[] rdb = RdbBuilder.redis(6).selectDb(0)
                .op(RdbOpcode.EXPIRETIME).le(2_000_000_000L, 4)
                .type(RdbType.STRING).string("k").string("v")
                .type(RdbType.STRING).string("no-ttl").string("v")
                .build();
        CollectingHandler h = parse(rdb);
        assertThat(h.keys.get(0).get("expire_ms")).isEqualTo(2_000_000_000_000L);
        assertThat(h.keys.get(1).get("expire_ms")).isNull();
    }

    @Test
    void idleAndFreqOpcodesAttachToTheNextKeyOnly() throws IOException {
        byte[] rdb = RdbBuilder.redis(9).selectDb(0)
                .op(RdbOpcode.IDLE).length(1234).type(RdbType.STRING).string("a").string("1")
                .op(RdbOpcode.FREQ).u8(7).type(RdbType.STRING).string("b").string("2")
                .type(RdbType.STRING).string("c").string("3")
                .build();
        List<long[]> seen = new ArrayList<>();
        new RdbParser(new ByteArrayInputStream(rdb)).parse(e -> seen.add(new long[] {e.idleSeconds(), e.lfuFreq()}));
        assertThat(seen).containsExactly(new long[] {1234, -1}, new long[] {-1, 7}, new long[] {-1, -1});
    }

    @Test
    void moduleValueIsSkippedByItsOpcodesAndNamedButNotDecoded() throws IOException {
        long id = RdbBuilder.moduleId("ferrytype", 3);
        RdbBuilder b = RdbBuilder.redis(9).selectDb(0)
                .type(RdbType.MODULE_2).string("m").length(id)
                .length(1).length(42).length(2).length(7).length(3).le(0, 4).length(4).le(0, 8)
                .length(5).string("payload").length(0);
        int valueStart = RdbBuilder.redis(9).selectDb(0).type(RdbType.MODULE_2).string("m").body().length;
        byte[] expectedRaw = java.util.Arrays.copyOfRange(b.body(), valueStart, b.body().length);
        byte[] rdb = b.type(RdbType.STRING).string("after").string("v").build();

        List<String> names = new ArrayList<>();
        List<byte[]> raws = new ArrayList<>();
        List<Throwable> decodeErrors = new ArrayList<>();
        new RdbParser(new ByteArrayInputStream(rdb)).parse(e -> {
            names.add(e.moduleName());
            if (e.type() == RdbType.MODULE_2) {
                try {
                    e.decode(new ValueCollector(e.type()));
                } catch (RdbFormatException ex) {
                    decodeErrors.add(ex);
                }
                raws.add(e.rawValue(1024));
            }
        });
        assertThat(names).containsExactly("ferrytype", null);
        assertThat(raws.get(0)).isEqualTo(expectedRaw);
        assertThat(decodeErrors).singleElement().satisfies(ex -> assertThat(ex).hasMessageContaining("ferrytype"));
    }

    @Test
    void moduleValueOverflowingATinyRawLimitIsStillSkippedWhole() throws IOException {
        long id = RdbBuilder.moduleId("ferrytype", 1);
        byte[] rdb = RdbBuilder.redis(9).selectDb(0)
                .type(RdbType.MODULE_2).string("m").length(id).length(5).string("x".repeat(100)).length(0)
                .type(RdbType.STRING).string("after").string("v")
                .build();
        List<Object> raws = new ArrayList<>();
        new RdbParser(new ByteArrayInputStream(rdb)).parse(e -> raws.add(e.rawValue(e.type() == RdbType.MODULE_2 ? 1 : 16) == null ? "overflow" : "fit"));
        assertThat(raws).containsExactly("overflow", "fit");
    }

    @Test
    void moduleAuxDataIsWalkedAndReportedByModuleName() throws IOException {
        byte[] rdb = RdbBuilder.redis(9)
                .op(RdbOpcode.MODULE_AUX).length(RdbBuilder.moduleId("auxmodule", 0)).length(2).length(1)
                .length(5).string("aux").length(0)
                .selectDb(0).type(RdbType.STRING).string("k").string("v")
                .build();
        List<String> modules = new ArrayList<>();
        CollectingHandler keys = new CollectingHandler(CollectingHandler.Mode.DECODE);
        new RdbParser(new ByteArrayInputStream(rdb)).parse(new RdbHandler() {
            @Override
            public void moduleAux(String moduleName) {
                modules.add(moduleName);
            }

            @Override
            public void entry(RdbEntry entry) throws IOException {
                keys.entry(entry);
            }
        });
        assertThat(modules).containsExactly("auxmodule");
        assertThat(keys.keys).hasSize(1);
    }

    @Test
    void preReleaseFunctionsAndModuleValuesAreRejectedClearly() {
        byte[] functions = RdbBuilder.redis(10).u8(246).string("x").build();
        assertThatThrownBy(() -> parse(functions)).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("opcode 246").hasMessageContaining("offset 9");
        byte[] module = RdbBuilder.redis(8).selectDb(0).type(RdbType.MODULE_PRE_GA).string("m").build();
        assertThatThrownBy(() -> parse(module)).isInstanceOf(RdbFormatException.class).hasMessageContaining("type 6");
    }

    @Test
    void versionsNewerThanFifteenAreRejectedNamingTheVersion() {
        byte[] rdb = RdbBuilder.redis(16).build();
        assertThatThrownBy(() -> parse(rdb)).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("RDB version 16");
        assertThatThrownBy(() -> parse(ascii("RUBBISH00xxxxxxxx"))).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("not an RDB");
    }

    @Test
    void unknownTypeByteNamesItsOffset() {
        byte[] rdb = RdbBuilder.redis(9).selectDb(0).type(RdbType.STRING).string("k").string("v").u8(30).build();
        int offset = 9 + 2 + 1 + 2 + 2;
        assertThatThrownBy(() -> parse(rdb)).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("offset " + offset).hasMessageContaining("unknown value type or opcode 30")
                .satisfies(e -> assertThat(((RdbFormatException) e).offset()).isEqualTo(offset));
    }

    @Test
    void corruptEncodingInsideAValueNamesTheKey() {
        byte[] rdb = RdbBuilder.redis(10).selectDb(0)
                .type(RdbType.LIST_QUICKLIST_2).string("the-key").length(1).length(9).string("x")
                .build();
        assertThatThrownBy(() -> parse(rdb)).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("container 9").hasMessageContaining("key 'the-key'");
    }

    @Test
    void textScoresIncludingNanAndInfinitiesUseTheirSpecialLengths() throws IOException {
        byte[] rdb = RdbBuilder.redis(6).selectDb(0)
                .type(RdbType.ZSET).string("z").length(4)
                .string("a").u8(253).string("b").u8(254).string("c").u8(255).string("d").string("3.5")
                .build();
        List<Double> scores = new ArrayList<>();
        new RdbParser(new ByteArrayInputStream(rdb)).parse(e -> e.decode(new ValueVisitor() {
            @Override
            public void zsetEntry(byte[] member, double score) {
                scores.add(score);
            }
        }));
        assertThat(scores).containsExactly(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 3.5);
    }

    @Test
    void intsetsOfEveryWidthKeepSignedValues() throws IOException {
        byte[] rdb = RdbBuilder.redis(9).selectDb(0)
                .type(RdbType.SET_INTSET).string("s2").string(RdbBuilder.intset(2, -32768, 5, 32767))
                .type(RdbType.SET_INTSET).string("s4").string(RdbBuilder.intset(4, -2147483648L, 2147483647L))
                .type(RdbType.SET_INTSET).string("s8").string(RdbBuilder.intset(8, Long.MIN_VALUE, Long.MAX_VALUE))
                .build();
        CollectingHandler h = parse(rdb);
        assertThat(h.keys.get(0).get("value")).isEqualTo(sorted(b64("-32768"), b64("5"), b64("32767")));
        assertThat(h.keys.get(1).get("value")).isEqualTo(sorted(b64("-2147483648"), b64("2147483647")));
        assertThat(h.keys.get(2).get("value")).isEqualTo(sorted(b64(Long.toString(Long.MIN_VALUE)),
                b64(Long.toString(Long.MAX_VALUE))));
    }

    @Test
    void listpackDecodesEveryIntegerAndStringWidth() throws IOException {
        Object[] entries = {0L, 127L, 128L, -1L, -4096L, 4095L, -32768L, 32767L, -8388608L, 8388607L,
            Integer.MIN_VALUE + 0L, Integer.MAX_VALUE + 0L, Long.MIN_VALUE, Long.MAX_VALUE,
            ascii("s".repeat(63)), ascii("m".repeat(64)), ascii("l".repeat(5000)), new byte[0]};
        byte[] rdb = RdbBuilder.redis(11).selectDb(0)
                .type(RdbType.LIST_QUICKLIST_2).string("q").length(1).length(2).string(RdbBuilder.listpack(entries))
                .build();
        List<String> expected = new ArrayList<>();
        for (Object e : entries) {
            expected.add(e instanceof byte[] b ? ValueCollector.b64(b) : b64(e.toString()));
        }
        assertThat(single(rdb).get("value")).isEqualTo(expected);
    }

    @Test
    void quicklistNodesMayBePlainOrLzfCompressedListpacks() throws IOException {
        byte[] lp = RdbBuilder.listpack(ascii("a"), 1L);
        byte[] compressed = new byte[lp.length + 1];
        compressed[0] = (byte) (lp.length - 1);
        System.arraycopy(lp, 0, compressed, 1, lp.length);
        byte[] rdb = RdbBuilder.redis(11).selectDb(0)
                .type(RdbType.LIST_QUICKLIST_2).string("q").length(3)
                .length(1).string("plain-element")
                .length(2).lzfString(compressed, lp.length)
                .length(1).intString(77, 1)
                .build();
        assertThat(single(rdb).get("value")).isEqualTo(List.of(b64("plain-element"), b64("a"), b64("1"), b64("77")));
    }

    @Test
    void hashFieldTtlsOfRedis74AndItsReleaseCandidatesAreAbsolute() throws IOException {
        long min = 4_102_444_801_000L;
        byte[] rdb = RdbBuilder.redis(12).selectDb(0)
                .type(RdbType.HASH_METADATA).string("h24").le(min, 8).length(2)
                .length(0).string("f0").string("v0")
                .length(5).string("f1").string("v1")
                .type(RdbType.HASH_METADATA_PRE_GA).string("h22").length(2)
                .length(0).string("f0").string("v0")
                .length(min).string("f1").string("v1")
                .type(RdbType.HASH_LISTPACK_EX).string("h25").le(min, 8)
                .string(RdbBuilder.listpack(ascii("f0"), ascii("v0"), 0L, ascii("f1"), ascii("v1"), min))
                .type(RdbType.HASH_LISTPACK_EX_PRE_GA).string("h23")
                .string(RdbBuilder.listpack(ascii("f1"), ascii("v1"), min))
                .build();
        CollectingHandler h = parse(rdb);
        assertThat(h.keys.get(0).get("field_expire_ms")).isEqualTo(Map.of(b64("f1"), min + 4));
        assertThat(h.keys.get(1).get("field_expire_ms")).isEqualTo(Map.of(b64("f1"), min));
        assertThat(h.keys.get(2).get("field_expire_ms")).isEqualTo(Map.of(b64("f1"), min));
        assertThat(h.keys.get(3).get("field_expire_ms")).isEqualTo(Map.of(b64("f1"), min));
        assertThat(h.keys.get(0).get("value")).isEqualTo(Map.of(b64("f0"), b64("v0"), b64("f1"), b64("v1")));
    }

    @Test
    void valkeyNineMagicReadsHashTwoAndSkipsSlotImports() throws IOException {
        byte[] rdb = RdbBuilder.valkey(80)
                .aux("valkey-ver", "9.0.0")
                .u8(243).string("0123456789012345678901234567890123456789").length(1).length(0).length(100)
                .selectDb(0)
                .type(RdbType.VALKEY_HASH_2).string("h").length(2)
                .string("f0").string("v0").le(-1, 8)
                .string("f1").string("v1").le(4_102_444_800_123L, 8)
                .build();
        CollectingHandler h = parse(rdb);
        assertThat(h.magic).isEqualTo("VALKEY");
        assertThat(h.version).isEqualTo(80);
        assertThat(h.keys.get(0).get("rdb_type")).isEqualTo(22L);
        assertThat(h.keys.get(0).get("field_expire_ms")).isEqualTo(Map.of(b64("f1"), 4_102_444_800_123L));
        assertThatThrownBy(() -> parse(RdbBuilder.redis(11).u8(243).build())).isInstanceOf(RdbFormatException.class);
    }

    @Test
    void bigPlainStringsArriveInChunksOfTheConfiguredSize() throws IOException {
        byte[] value = ascii("0123456789".repeat(250));
        byte[] rdb = RdbBuilder.redis(9).selectDb(0).type(RdbType.STRING).string("s").string(value).build();
        List<long[]> chunks = new ArrayList<>();
        RdbParserOptions options = RdbParserOptions.builder().stringChunkSize(1000).build();
        new RdbParser(new ByteArrayInputStream(rdb), options).parse(e -> e.decode(new ValueVisitor() {
            @Override
            public void string(byte[] chunk, long offset, long totalLength) {
                chunks.add(new long[] {chunk.length, offset, totalLength});
            }
        }));
        assertThat(chunks).containsExactly(new long[] {1000, 0, 2500}, new long[] {1000, 1000, 2500},
                new long[] {500, 2000, 2500});
    }

    @Test
    void zeroChecksumDisablesVerificationAndAWrongOneFails() throws IOException {
        RdbBuilder b = RdbBuilder.redis(9).selectDb(0).type(RdbType.STRING).string("k").string("v");
        byte[] unchecked = b.buildWithoutChecksum();
        CollectingHandler h = parse(unchecked);
        assertThat(h.endChecksum).isZero();
        byte[] wrong = unchecked.clone();
        wrong[wrong.length - 1] = 1;
        assertThatThrownBy(() -> parse(wrong)).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void anEntryIsConsumedAtMostOnceAndOnlyInsideTheCallback() throws IOException {
        byte[] rdb = RdbBuilder.redis(9).selectDb(0).type(RdbType.STRING).string("k").string("v").build();
        List<RdbEntry> kept = new ArrayList<>();
        new RdbParser(new ByteArrayInputStream(rdb)).parse(e -> {
            e.decode(new ValueCollector(e.type()));
            assertThatThrownBy(() -> e.decode(new ValueCollector(e.type()))).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> e.rawValue(10)).isInstanceOf(IllegalStateException.class);
            kept.add(e);
        });
        assertThatThrownBy(() -> kept.get(0).rawValue(10)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> kept.get(0).rawValue(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aParserReadsOneRdbOnly() throws IOException {
        byte[] rdb = RdbBuilder.redis(9).build();
        RdbParser parser = new RdbParser(new ByteArrayInputStream(rdb));
        parser.parse(e -> { });
        assertThatThrownBy(() -> parser.parse(e -> { })).isInstanceOf(IllegalStateException.class);
    }

    private static List<String> sorted(String... values) {
        List<String> out = new ArrayList<>(List.of(values));
        out.sort(null);
        return out;
    }

    static String b64(String s) {
        return ValueCollector.b64(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static Map<String, Object> single(byte[] rdb) throws IOException {
        CollectingHandler h = parse(rdb);
        assertThat(h.keys).hasSize(1);
        // The same value must also come out of the raw-capture paths.
        for (CollectingHandler.Mode mode : List.of(CollectingHandler.Mode.RAW_SMALL_THEN_DECODE,
                CollectingHandler.Mode.RAW_UNLIMITED_THEN_DECODE)) {
            CollectingHandler other = new CollectingHandler(mode);
            new RdbParser(new ByteArrayInputStream(rdb)).parse(other);
            assertThat(other.keys).isEqualTo(h.keys);
        }
        return h.keys.get(0);
    }

    private static CollectingHandler parse(byte[] rdb) throws IOException {
        CollectingHandler h = new CollectingHandler(CollectingHandler.Mode.DECODE);
        new RdbParser(new ByteArrayInputStream(rdb)).parse(h);
        return h;
    }
}
