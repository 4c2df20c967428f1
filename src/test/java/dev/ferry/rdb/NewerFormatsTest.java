package dev.ferry.rdb;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The formats no server of the test harness writes, from bytes built per the servers' sources: Valkey 9.2's RDB 81
 * ({@code rdb.h}: {@code VALKEY081}, type 23 {@code RDB_TYPE_PATH_HASH}, opcode 242 {@code RDB_OPCODE_UPDATE}),
 * Redis 8.6 to 8.10's RDB 13 to 15 ({@code keymeta.c}: opcode 243 {@code RDB_OPCODE_KEY_META}; types after the
 * streams v4 and v5 of {@link NewerStreamFormatsTest}), and DUMP payloads of either family.
 */
class NewerFormatsTest {

    private static final long AT = 4_102_444_800_123L;
    private static final String META_CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

    @Test
    void valkey81ReadsItsHashTwoSlotImportsAndSlotInfo() throws IOException {
        byte[] rdb = RdbBuilder.valkey(81)
                .aux("valkey-ver", "9.2.0")
                .u8(243).string("0123456789012345678901234567890123456789").length(2).length(0).length(10)
                .length(20).length(30)
                .selectDb(0)
                .u8(244).length(7).length(1).length(0)
                .type(RdbType.VALKEY_HASH_2).string("h").length(2)
                .string("f0").intString(5, 1).le(-1, 8)
                .string("f1").string("v1").le(AT, 8)
                .build();
        CollectingHandler h = parse(rdb);
        assertThat(h.magic).isEqualTo("VALKEY");
        assertThat(h.version).isEqualTo(81);
        assertThat(h.keys).hasSize(1);
        assertThat(h.keys.get(0).get("slot")).isEqualTo(7L);
        assertThat(h.keys.get(0).get("value")).isEqualTo(Map.of(b64("f0"), b64("5"), b64("f1"), b64("v1")));
        assertThat(h.keys.get(0).get("field_expire_ms")).isEqualTo(Map.of(b64("f1"), AT));
    }

    @Test
    void aValkeyPathHashStopsTheParseNamingTheKeyAndTheType() {
        byte[] rdb = RdbBuilder.valkey(81).selectDb(3).u8(23).string("paths:1").string("whatever").build();
        assertThatThrownBy(() -> parse(rdb)).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("key 'paths:1' (database 3)").hasMessageContaining("Valkey path hash")
                .hasMessageContaining("type 23 in RDB VALKEY version 81");
    }

    @Test
    void redisTypesFrom22OnAreForeignInAValkeyFile() {
        for (RdbType redisOnly : new RdbType[] {RdbType.HASH_LISTPACK_EX_PRE_GA, RdbType.HASH_METADATA, RdbType.HASH_LISTPACK_EX}) {
            byte[] rdb = RdbBuilder.valkey(80).selectDb(0).type(redisOnly).string("h").build();
            String expected = redisOnly.code() == 23 ? "Valkey path hash" : "value type newer than Ferry reads";
            assertThatThrownBy(() -> parse(rdb)).as(redisOnly.name()).isInstanceOf(RdbFormatException.class)
                    .hasMessageContaining(expected);
        }
    }

    @Test
    void valkeysForklessSaveOpcodeStopsTheParseAndIsNoOpcodeOfRedis() {
        assertThatThrownBy(() -> parse(RdbBuilder.valkey(81).u8(242).build())).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("opcode 242");
        assertThatThrownBy(() -> parse(RdbBuilder.redis(15).u8(242).build())).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("unknown value type or opcode 242");
    }

    @Test
    void ignorableKeyMetadataOfRedis86IsPassedOverAndTheKeyReadWithItsExpiry() throws IOException {
        for (int version = 13; version <= 15; version++) {
            byte[] rdb = RdbBuilder.redis(version).selectDb(0)
                    .op(RdbOpcode.EXPIRETIME_MS).le(AT, 8)
                    .u8(243).length(2)
                    .le(classSpec("BLES", 0, 1), 4).length(2).length(7).length(0)
                    .le(classSpec("ATTR", 3, 1), 4).length(5).string("tag").length(4).le(0, 8).length(0)
                    .type(RdbType.STRING).string("k").string("v")
                    .type(RdbType.STRING).string("plain").string("w")
                    .build();
            CollectingHandler h = parse(rdb);
            assertThat(h.version).isEqualTo(version);
            assertThat(h.keys).hasSize(2);
            assertThat(h.keys.get(0).get("value")).isEqualTo(b64("v"));
            assertThat(h.keys.get(0).get("expire_ms")).isEqualTo(AT);
            assertThat(h.keys.get(1).get("expire_ms")).isNull();
        }
    }

    @Test
    void keyMetadataOnlyItsModuleCanReadStopsTheParseNamingKeyAndClass() {
        byte[] rdb = RdbBuilder.redis(13).selectDb(2)
                .u8(243).length(2)
                .le(classSpec("BLES", 0, 1), 4).length(0)
                .le(classSpec("KMT1", 2, 0), 4).length(1).length(42).length(0)
                .type(RdbType.STRING).string("owned").string("v")
                .build();
        assertThatThrownBy(() -> parse(rdb)).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("key 'owned' (database 2)").hasMessageContaining("[KMT1]")
                .hasMessageNotContaining("BLES");
    }

    @Test
    void opcode243BeforeRdb13IsNoOpcode() {
        assertThatThrownBy(() -> parse(RdbBuilder.redis(12).u8(243).length(0).build()))
                .isInstanceOf(RdbFormatException.class).hasMessageContaining("unknown value type or opcode 243");
    }

    @Test
    void typesAfterStreamsV5StopTheParseNamingTheKeyAndTheType() {
        byte[] newer = RdbBuilder.redis(15).selectDb(0).u8(33).string("limiter").length(0).build();
        assertThatThrownBy(() -> parse(newer)).hasMessageContaining("key 'limiter'")
                .hasMessageContaining("Redis value type newer than Ferry reads (type 33");
        byte[] array = RdbBuilder.redis(14).selectDb(1).u8(28).string("arr").length(0).build();
        assertThatThrownBy(() -> parse(array)).hasMessageContaining("key 'arr' (database 1)")
                .hasMessageContaining("type 28 in RDB REDIS version 14");
        // Before RDB 13 no such type exists: no key is read after an unknown byte.
        assertThatThrownBy(() -> parse(RdbBuilder.redis(12).u8(26).string("x").build()))
                .hasMessageContaining("unknown value type or opcode 26").hasMessageNotContaining("'x'");
    }

    @Test
    void redisVersionsAfter15AreRefusedAtTheHeader() {
        assertThatThrownBy(() -> parse(RdbBuilder.redis(16).build())).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("RDB version 16 is not supported (magic REDIS: 1 to 15)");
        assertThatThrownBy(() -> parse(RdbBuilder.valkey(82).build())).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("RDB version 82 is not supported (magic VALKEY: 80 to 81)");
    }

    @Test
    void aDumpPayloadReadsByte22AsItsFamilyMeansIt() {
        byte[] value = {0};
        assertThat(DumpPayload.decode(DumpPayload.encode(RdbType.VALKEY_HASH_2, value, 80)).type())
                .isEqualTo(RdbType.VALKEY_HASH_2);
        assertThat(DumpPayload.decode(DumpPayload.encode(RdbType.HASH_METADATA_PRE_GA, value, 12)).type())
                .isEqualTo(RdbType.HASH_METADATA_PRE_GA);
        assertThatThrownBy(() -> DumpPayload.decode(DumpPayload.encode(RdbType.HASH_METADATA, value, 80)))
                .isInstanceOf(RdbFormatException.class).hasMessageContaining("version 80 has unknown type byte 24");
    }

    /**
     * A 32-bit key metadata class spec ({@code keyMetaClassEncode}): the 4-character name, 6 bits a character,
     * above a 5-bit version and 3 flags.
     */
    private static long classSpec(String name, int version, int flags) {
        long chars = 0;
        for (char c : name.toCharArray()) {
            chars = chars << 6 | META_CHARSET.indexOf(c);
        }
        return ((chars << 5 | version) << 3 | flags) & 0xffffffffL;
    }

    private static String b64(String s) {
        return ValueCollector.b64(s.getBytes(StandardCharsets.UTF_8));
    }

    private static CollectingHandler parse(byte[] rdb) throws IOException {
        CollectingHandler h = new CollectingHandler(CollectingHandler.Mode.DECODE);
        new RdbParser(new ByteArrayInputStream(rdb)).parse(h);
        return h;
    }
}
