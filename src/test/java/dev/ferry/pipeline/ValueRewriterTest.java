package dev.ferry.pipeline;

import dev.ferry.rdb.RdbType;
import dev.ferry.resp.ServerInfo;
import dev.ferry.sink.TargetProfile;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValueRewriterTest {

    private final RecordingSink sink = new RecordingSink();

    private ValueRewriter rewriter(String version, long protoMaxBulkLen) {
        return new ValueRewriter(b("k"), new TargetProfile(ServerInfo.Version.parse(version, false), protoMaxBulkLen), sink);
    }

    @Test
    void scoresAreWrittenSoRedisReadsBackTheSameDouble() {
        assertThat(ValueRewriter.formatScore(Double.POSITIVE_INFINITY)).isEqualTo("inf");
        assertThat(ValueRewriter.formatScore(Double.NEGATIVE_INFINITY)).isEqualTo("-inf");
        assertThat(ValueRewriter.formatScore(42)).isEqualTo("42");
        assertThat(ValueRewriter.formatScore(-0.0)).isEqualTo("-0");
        for (double d : new double[] {0.1, 1e300, 1e-300, 3.14159, -2.5, 123456789012345678.0}) {
            assertThat(Double.parseDouble(ValueRewriter.formatScore(d))).isEqualTo(d);
        }
    }

    @Test
    void largeCollectionsAreSentInBoundedBatchesAfterADelete() throws Exception {
        ValueRewriter w = rewriter("7.0.15", 1 << 20);
        w.begin(RdbType.LIST_QUICKLIST_2, 1200);
        for (int i = 0; i < 1200; i++) {
            w.listItem(b("item" + i));
        }
        w.end();
        assertThat(sink.writes.get(0)).isEqualTo("DEL k");
        assertThat(sink.writes).hasSize(1 + 3);
        assertThat(sink.writes.subList(1, 4)).allMatch(s -> s.startsWith("RPUSH k item"));
        assertThat(sink.writes.get(3)).endsWith("item1199");
    }

    @Test
    void oldTargetsGetHmsetAndBigStringsAreAppendedInChunks() throws Exception {
        ValueRewriter w = rewriter("2.8.19", 512L << 20);
        w.begin(RdbType.HASH, 1);
        w.hashEntry(b("f"), b("v"), -1);
        w.end();
        assertThat(sink.writes).containsExactly("DEL k", "HMSET k f v");
        sink.writes.clear();
        w = rewriter("2.8.19", 512L << 20);
        w.begin(RdbType.STRING, 6);
        w.string(b("abc"), 0, 6);
        w.string(b("def"), 3, 6);
        w.end();
        assertThat(sink.writes).containsExactly("DEL k", "SET k abc", "APPEND k def");
    }

    @Test
    void aStreamForATargetWithoutStreamsIsAClearError() {
        ValueRewriter w = rewriter("2.8.19", 512L << 20);
        assertThatThrownBy(() -> w.streamEntry(new dev.ferry.rdb.StreamId(1, 0), new byte[][] {b("f"), b("v")}))
                .hasMessageContaining("stream").hasMessageContaining("5.0");
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
