package dev.ferry.verify;

import dev.ferry.resp.KeyText;
import dev.ferry.resp.RespValue;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ValuesTest {

    private static RespValue array(String... items) {
        List<RespValue> values = new ArrayList<>();
        for (String item : items) {
            values.add(new RespValue.Bulk(item.getBytes(StandardCharsets.UTF_8)));
        }
        return new RespValue.Array(values);
    }

    private static List<String> texts(List<byte[]> items) {
        return items.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void hashesAndSetsCompareEqualWhateverOrderTheServerReturns() {
        assertThat(texts(Values.items("hash", array("b", "2", "a", "1")))).containsExactly("a", "1", "b", "2");
        assertThat(texts(Values.items("set", array("y", "x")))).containsExactly("x", "y");
    }

    @Test
    void scoresCompareAsNumbersNotAsText() {
        assertThat(Values.items("zset", array("m", "1.50")).get(1)).isEqualTo(Values.items("zset", array("m", "1.5")).get(1));
        assertThat(new String(Values.score("inf".getBytes()), StandardCharsets.US_ASCII)).isEqualTo("Infinity");
        assertThat(new String(Values.score("-inf".getBytes()), StandardCharsets.US_ASCII)).isEqualTo("-Infinity");
    }

    @Test
    void theFirstDifferenceIsFoundAndDescribedWithEscapedItems() {
        List<byte[]> a = List.of("x".getBytes(), "y".getBytes());
        List<byte[]> b = List.of("x".getBytes(), new byte[] {(byte) 0xff});
        assertThat(Values.firstDifference(a, a)).isEqualTo(-1);
        assertThat(Values.firstDifference(a, b)).isEqualTo(1);
        assertThat(Values.firstDifference(a, a.subList(0, 1))).isEqualTo(1);
        assertThat(Values.describe("list", a, b, 1)).isEqualTo("list differs at index 1: source \"y\", target \"\\xff\"");
    }

    @Test
    void theStreamIdAfterAnotherIsItsSuccessor() {
        assertThat(BigValueComparer.nextId("5-3")).isEqualTo("5-4");
        assertThat(BigValueComparer.nextId("5-18446744073709551615")).isEqualTo("6-0");
    }

    @Test
    void keyTextEscapesEveryNonPrintableByteUnambiguously() {
        assertThat(KeyText.escape(new byte[] {'a', '"', '\\', 0, (byte) 0xff})).isEqualTo("a\\\"\\\\\\x00\\xff");
        assertThat(KeyText.shortQuoted("abcdef".getBytes(), 3)).isEqualTo("\"abc\"... (6 bytes)");
    }
}
