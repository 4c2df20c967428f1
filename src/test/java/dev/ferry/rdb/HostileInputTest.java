package dev.ferry.rdb;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Truncated, corrupted and random input: the parser answers with {@link RdbFormatException} or
 * {@link EOFException} and a position, never with another exception, a hang or an out-of-memory error.
 */
class HostileInputTest {

    @Test
    void aSmallRdbCutAtEveryOffsetEndsInEofException() {
        byte[] rdb = compactRdbWithManyTypes();
        for (int cut = 0; cut < rdb.length; cut++) {
            byte[] prefix = Arrays.copyOf(rdb, cut);
            for (Mode mode : Mode.values()) {
                assertThatThrownBy(() -> parse(prefix, mode)).as("cut at %d, %s", cut, mode)
                        .isInstanceOf(EOFException.class).hasMessageContaining("truncated");
            }
        }
    }

    @Test
    void fixturesCutAtManyOffsetsEndInEofException() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (String name : new String[] {"redis-3.2", "redis-7.4"}) {
                byte[] rdb = Fixtures.rdb(name);
                Random random = new Random(name.hashCode());
                for (int i = 0; i < 400; i++) {
                    int cut = i < 100 ? i : random.nextInt(rdb.length);
                    byte[] prefix = Arrays.copyOf(rdb, cut);
                    Mode mode = Mode.values()[i % Mode.values().length];
                    assertThatThrownBy(() -> parse(prefix, mode)).as("%s cut at %d", name, cut)
                            .isInstanceOf(EOFException.class);
                }
            }
        });
    }

    @Test
    void aFlippedBitInsideAStringValueFailsTheChecksum() {
        byte[] rdb = Fixtures.rdb("redis-3.2").clone();
        int at = indexOf(rdb, "str:len16384".getBytes(StandardCharsets.US_ASCII)) + 200;
        rdb[at] ^= 1;
        assertThatThrownBy(() -> parse(rdb, Mode.DECODE)).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("checksum mismatch")
                .satisfies(e -> assertThat(((RdbFormatException) e).offset()).isEqualTo(rdb.length - 8));
    }

    @Test
    void randomMutationsOfFixturesRaiseOnlyFormatOrEofErrors() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            Random random = new Random(20241122);
            byte[][] fixtures = Fixtures.NAMES.stream().map(Fixtures::rdb).toArray(byte[][]::new);
            int failures = 0;
            for (int i = 0; i < 2000; i++) {
                byte[] rdb = mutate(fixtures[random.nextInt(fixtures.length)], random);
                Mode mode = Mode.values()[random.nextInt(Mode.values().length)];
                try {
                    parse(rdb, mode);
                } catch (RdbFormatException | EOFException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                    failures++;
                } catch (Throwable t) {
                    fail("mutation " + i + " (" + mode + ") raised " + t, t);
                }
            }
            // Most mutations are caught by the structure checks or the checksum.
            assertThat(failures).isGreaterThan(1000);
        });
    }

    @Test
    void hugeLengthsFromCorruptDataDoNotAllocateBeforeTheBytesArrive() {
        byte[] hugeString = RdbBuilder.redis(9).selectDb(0).type(RdbType.STRING).string("k")
                .u8(0x80).be(0x7ff00000L, 4).bytes(new byte[100]).body();
        assertThatThrownBy(() -> parse(hugeString, Mode.DECODE)).isInstanceOf(EOFException.class);
        byte[] hugeLzf = RdbBuilder.redis(9).selectDb(0).type(RdbType.STRING).string("k")
                .u8(0xc3).length(4).u8(0x80).be(0x7ff00000L, 4).bytes(new byte[4]).body();
        assertThatThrownBy(() -> parse(hugeLzf, Mode.DECODE)).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("LZF");
        byte[] hugeCount = RdbBuilder.redis(9).selectDb(0).type(RdbType.SET).string("k")
                .u8(0x81).be(Long.MAX_VALUE, 8).string("m").body();
        assertThatThrownBy(() -> parse(hugeCount, Mode.DECODE)).isInstanceOf(EOFException.class);
    }

    private static byte[] mutate(byte[] original, Random random) {
        byte[] rdb = original.clone();
        switch (random.nextInt(4)) {
            case 0 -> {
                // Flip bytes, and disable the checksum so that the damage reaches the end of the parse.
                for (int k = 1 + random.nextInt(4); k > 0; k--) {
                    rdb[9 + random.nextInt(rdb.length - 9)] = (byte) random.nextInt(256);
                }
                Arrays.fill(rdb, rdb.length - 8, rdb.length, (byte) 0);
            }
            case 1 -> {
                // Small values in length positions: set one byte to a length marker.
                int[] markers = {0x80, 0x81, 0xc0, 0xc1, 0xc2, 0xc3, 0xff, 0xfe, 0x3f};
                rdb[9 + random.nextInt(rdb.length - 9)] = (byte) markers[random.nextInt(markers.length)];
                Arrays.fill(rdb, rdb.length - 8, rdb.length, (byte) 0);
            }
            case 2 -> {
                // Remove a slice.
                int from = 9 + random.nextInt(rdb.length - 9);
                int len = Math.min(1 + random.nextInt(64), rdb.length - from);
                byte[] out = new byte[rdb.length - len];
                System.arraycopy(rdb, 0, out, 0, from);
                System.arraycopy(rdb, from + len, out, from, rdb.length - from - len);
                rdb = out;
            }
            default -> rdb[random.nextInt(rdb.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return rdb;
    }

    /** How a hostile-input parse consumes values; the visitor accepts anything. */
    private enum Mode { DECODE, RAW_SMALL_THEN_DECODE, RAW_UNLIMITED_THEN_DECODE, SKIP }

    private static void parse(byte[] rdb, Mode mode) throws IOException {
        new RdbParser(new ByteArrayInputStream(rdb)).parse(e -> {
            if (mode == Mode.RAW_SMALL_THEN_DECODE) {
                e.rawValue(64);
            } else if (mode == Mode.RAW_UNLIMITED_THEN_DECODE) {
                e.rawValue(Integer.MAX_VALUE);
            }
            if (mode != Mode.SKIP && e.type().kind() != RdbType.Kind.MODULE) {
                e.decode(new ValueVisitor() { });
            }
        });
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("not found");
    }

    /** About 2 KB of many value types and opcodes, for cutting at every offset. */
    private static byte[] compactRdbWithManyTypes() {
        byte[] lzf = {0x00, 'a', (byte) 0xe0, 0x00, 0x00};
        return RdbBuilder.redis(11).aux("redis-ver", "7.2.0").aux("redis-bits", "64")
                .op(RdbOpcode.FUNCTION2).string("#!lua name=lib\nredis.register_function('f', function() end)")
                .selectDb(0).op(RdbOpcode.RESIZEDB).length(9).length(1)
                .op(RdbOpcode.EXPIRETIME_MS).le(4_102_444_800_000L, 8)
                .type(RdbType.STRING).string("s").string("x".repeat(300))
                .type(RdbType.STRING).string("i").intString(-70000, 4)
                .type(RdbType.STRING).string("z").lzfString(lzf, 10)
                .type(RdbType.LIST).string("l").length(2).string("a").string("b")
                .type(RdbType.LIST_QUICKLIST_2).string("q").length(2).length(1).string("plain")
                .length(2).string(RdbBuilder.listpack(RdbBuilder.ascii("x"), 5L, -3000L))
                .type(RdbType.SET_INTSET).string("si").string(RdbBuilder.intset(2, 1, 2, 3))
                .type(RdbType.ZSET_2).string("z2").length(1).string("m").le(Double.doubleToLongBits(1.5), 8)
                .type(RdbType.ZSET).string("z1").length(1).string("m").string("2.5")
                .type(RdbType.HASH_METADATA).string("h").le(1000, 8).length(1).length(3).string("f").string("v")
                .type(RdbType.MODULE_2).string("mod").length(RdbBuilder.moduleId("modtype01", 1)).length(2).length(9)
                .length(5).string("data").length(0)
                .op(RdbOpcode.SLOT_INFO).length(5).length(1).length(0)
                .type(RdbType.HASH_ZIPLIST).string("hz").string(RdbBuilder.ziplist(RdbBuilder.ascii("f"), 1L))
                .build();
    }
}
