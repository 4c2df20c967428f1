package dev.ferry.rdb;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class Crc64Test {

    @Test
    void checksumOfTheStandardCheckStringMatchesRedis() {
        // crc64.c's own test: crc64(0, "123456789", 9) == 0xe9c6d914c4b8d9ca.
        assertThat(Crc64.of("123456789".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xe9c6d914c4b8d9caL);
    }

    @Test
    void eightBytesAtATimeEqualsOneByteAtATimeAtEveryLengthAndAlignment() {
        Random random = new Random(42);
        byte[] data = new byte[300];
        random.nextBytes(data);
        for (int off = 0; off < 9; off++) {
            for (int len = 0; len + off <= data.length; len += 7) {
                long bytewise = 0;
                for (int i = off; i < off + len; i++) {
                    bytewise = Crc64.update(bytewise, data[i] & 0xff);
                }
                assertThat(Crc64.update(0, data, off, len)).as("off %d len %d", off, len).isEqualTo(bytewise);
            }
        }
    }

    @Test
    void checksumCanBeContinuedAcrossPieces() {
        byte[] data = "the quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII);
        long whole = Crc64.of(data);
        for (int cut = 0; cut <= data.length; cut++) {
            long first = Crc64.update(0, data, 0, cut);
            assertThat(Crc64.update(first, data, cut, data.length - cut)).isEqualTo(whole);
        }
    }

    @Test
    void everyFixtureTrailerIsTheChecksumOfTheBytesBeforeIt() {
        for (String name : Fixtures.NAMES) {
            byte[] rdb = Fixtures.rdb(name);
            long stored = 0;
            for (int i = 0; i < 8; i++) {
                stored |= (rdb[rdb.length - 8 + i] & 0xffL) << (8 * i);
            }
            assertThat(Crc64.update(0, rdb, 0, rdb.length - 8)).as(name).isEqualTo(stored);
        }
    }
}
