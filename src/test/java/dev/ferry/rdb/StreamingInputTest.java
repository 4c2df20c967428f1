package dev.ferry.rdb;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parser gives the same result however the stream splits its bytes, and reads exactly the RDB:
 * what follows it on the stream (the replication protocol, after a diskless transfer) stays unread.
 */
class StreamingInputTest {

    static Stream<String> fixtures() {
        return Fixtures.NAMES.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void oneByteAtATimeGivesTheSameResultAsWholeReads(String name) throws IOException {
        byte[] rdb = Fixtures.rdb(name);
        for (CollectingHandler.Mode mode : new CollectingHandler.Mode[] {CollectingHandler.Mode.DECODE,
                CollectingHandler.Mode.RAW_SMALL_THEN_DECODE}) {
            CollectingHandler whole = GoldenFixtureTest.parse(rdb, mode);
            CollectingHandler split = new CollectingHandler(mode);
            RdbParser parser = new RdbParser(new Dribble(new ByteArrayInputStream(rdb), null));
            parser.parse(split);
            assertThat(split.keys).as(mode.toString()).isEqualTo(whole.keys);
            assertThat(split.functions).isEqualTo(whole.functions);
            assertThat(split.auxNames).isEqualTo(whole.auxNames);
            assertThat(parser.bytesRead()).isEqualTo(rdb.length);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void randomReadSizesGiveTheSameResultAsWholeReads(String name) throws IOException {
        byte[] rdb = Fixtures.rdb(name);
        CollectingHandler whole = GoldenFixtureTest.parse(rdb, CollectingHandler.Mode.RAW_SMALL_THEN_DECODE);
        for (long seed = 1; seed <= 3; seed++) {
            CollectingHandler split = new CollectingHandler(CollectingHandler.Mode.RAW_SMALL_THEN_DECODE);
            new RdbParser(new Dribble(new ByteArrayInputStream(rdb), new Random(seed))).parse(split);
            assertThat(split.keys).as("seed " + seed).isEqualTo(whole.keys);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void bytesAfterTheRdbAreLeftOnTheStream(String name) throws IOException {
        byte[] rdb = Fixtures.rdb(name);
        byte[] trailing = "+CONTINUE\r\n*1\r\n$4\r\nPING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] both = java.util.Arrays.copyOf(rdb, rdb.length + trailing.length);
        System.arraycopy(trailing, 0, both, rdb.length, trailing.length);
        for (CollectingHandler.Mode mode : CollectingHandler.Mode.values()) {
            InputStream in = new Dribble(new ByteArrayInputStream(both), new Random(7));
            RdbParser parser = new RdbParser(in);
            parser.parse(new CollectingHandler(mode));
            assertThat(parser.bytesRead()).as(mode.toString()).isEqualTo(rdb.length);
            assertThat(in.readAllBytes()).as(mode.toString()).isEqualTo(trailing);
        }
    }

    /** Hands out one byte per read, or (with a random source) between 1 and 16 bytes. */
    static final class Dribble extends FilterInputStream {
        private final Random random;

        Dribble(InputStream in, Random random) {
            super(in);
            this.random = random;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n = random == null ? 1 : Math.min(len, 1 + random.nextInt(16));
            return super.read(b, off, n);
        }
    }
}
