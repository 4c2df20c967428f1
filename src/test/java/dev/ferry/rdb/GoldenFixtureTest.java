package dev.ferry.rdb;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Every golden fixture, parsed in every consumption mode, matches its manifest key by key. */
class GoldenFixtureTest {

    static Stream<Arguments> fixturesAndModes() {
        List<Arguments> out = new ArrayList<>();
        for (String name : Fixtures.NAMES) {
            for (CollectingHandler.Mode mode : List.of(CollectingHandler.Mode.DECODE,
                    CollectingHandler.Mode.RAW_SMALL_THEN_DECODE, CollectingHandler.Mode.RAW_UNLIMITED_THEN_DECODE)) {
                out.add(Arguments.of(name, mode));
            }
        }
        return out.stream();
    }

    static Stream<String> fixtures() {
        return Fixtures.NAMES.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fixturesAndModes")
    void everyKeyMatchesTheManifest(String name, CollectingHandler.Mode mode) throws IOException {
        byte[] rdb = Fixtures.rdb(name);
        // Small chunks in the plain decode mode, so that big strings arrive in pieces.
        RdbParserOptions options = mode == CollectingHandler.Mode.DECODE
                ? RdbParserOptions.builder().stringChunkSize(1000).build() : RdbParserOptions.defaults();
        CollectingHandler h = new CollectingHandler(mode);
        RdbParser parser = new RdbParser(new BufferedInputStream(new ByteArrayInputStream(rdb)), options);
        parser.parse(h);

        Fixtures.Manifest manifest = Fixtures.manifest(name);
        List<Map<String, Object>> actual = h.sortedKeys();
        List<Object> actualIds = new ArrayList<>();
        List<Object> expectedIds = new ArrayList<>();
        actual.forEach(k -> actualIds.add(k.get("db") + "/" + k.get("key")));
        manifest.keys().forEach(k -> expectedIds.add(k.get("db") + "/" + k.get("key")));
        assertThat(actualIds).as("keys (db/base64) in " + name).containsExactlyElementsOf(expectedIds);
        for (int i = 0; i < actual.size(); i++) {
            assertThat(actual.get(i)).as("key %s in %s", expectedIds.get(i), name).isEqualTo(manifest.keys().get(i));
        }
        assertThat(h.sortedFunctions()).as("function libraries").isEqualTo(manifest.functions());
        assertThat(h.sortedLuaScripts()).as("lua aux fields").isEqualTo(manifest.luaScripts());
        assertThat(parser.bytesRead()).isEqualTo(rdb.length);
        assertThat(h.endChecksum).isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void headerReportsTheMagicAndVersionOfTheFile(String name) throws IOException {
        byte[] rdb = Fixtures.rdb(name);
        CollectingHandler h = new CollectingHandler(CollectingHandler.Mode.SKIP);
        new RdbParser(new ByteArrayInputStream(rdb)).parse(h);
        assertThat(h.magic + String.format("%04d", h.version)).isEqualTo(new String(rdb, 0, 9, "US-ASCII"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void skippingOrTruncatedRawCaptureSeesTheSameKeysAsDecoding(String name) throws IOException {
        byte[] rdb = Fixtures.rdb(name);
        CollectingHandler decoded = parse(rdb, CollectingHandler.Mode.DECODE);
        for (CollectingHandler.Mode mode : List.of(CollectingHandler.Mode.SKIP, CollectingHandler.Mode.RAW_SMALL_ONLY)) {
            CollectingHandler other = parse(rdb, mode);
            assertThat(other.keys).hasSameSizeAs(decoded.keys);
            for (int i = 0; i < decoded.keys.size(); i++) {
                Map<String, Object> expected = new java.util.LinkedHashMap<>(decoded.keys.get(i));
                expected.remove("value");
                expected.remove("field_expire_ms");
                assertThat(other.keys.get(i)).as(mode + " key " + i).isEqualTo(expected);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everyRawValueMakesADumpPayloadThatDecodesToTheSameValue(String name) throws IOException {
        CollectingHandler h = parse(Fixtures.rdb(name), CollectingHandler.Mode.RAW_UNLIMITED_THEN_DECODE);
        assertThat(h.raws).hasSameSizeAs(h.keys);
        for (Object[] raw : h.raws.values()) {
            RdbType type = (RdbType) raw[0];
            byte[] value = (byte[]) raw[1];
            DumpPayload.Parsed parsed = DumpPayload.decode(DumpPayload.encode(type, value, (Integer) raw[2]));
            assertThat(parsed.type()).isEqualTo(type);
            assertThat(parsed.value()).isEqualTo(value);
            assertThat(parsed.rdbVersion()).isEqualTo((Integer) raw[2]);
        }
    }

    @Test
    void clusterFixtureKeysCarryTheSlotOfTheirSlotInfo() throws IOException {
        CollectingHandler h = parse(Fixtures.rdb("redis-7.4-cluster"), CollectingHandler.Mode.SKIP);
        assertThat(h.keys).isNotEmpty().allSatisfy(k -> assertThat(k).containsKey("slot"));
    }

    static CollectingHandler parse(byte[] rdb, CollectingHandler.Mode mode) throws IOException {
        CollectingHandler h = new CollectingHandler(mode);
        new RdbParser(new ByteArrayInputStream(rdb)).parse(h);
        return h;
    }
}
