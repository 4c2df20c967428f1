package dev.ferry.verify;

import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ReportTest {

    private static VerifyReport report(List<Difference> differences) {
        return new VerifyReport(VerifyMode.FULL, "redis://:***@a:1 (standalone 7.0.15)", "redis://b:2 (cluster of 3 masters, 7.0.15)",
                Set.of(0, 2), 10, 11, List.of(3, 2), differences, 1500);
    }

    @Test
    void theJsonReportEscapesBinaryKeysSoThatEveryByteSurvives() throws Exception {
        Difference d = new Difference(new KeyRef(2, new byte[] {'k', (byte) 0xff, '"'}), Difference.Kind.VALUE,
                "string differs: source \"a\", target \"b\"");
        StringWriter w = new StringWriter();
        JsonReportWriter.write(report(List.of(d)), w);
        assertThat(w.toString())
                .contains("\"consistent\": false")
                .contains("\"databases\": [0,2]")
                .contains("\"rounds\": [3,2]")
                .contains("\"counts\": {\"value\": 1}")
                .contains("{\"db\": 2, \"key\": \"k\\\\xff\\\\\\\"\", \"kind\": \"value\", \"detail\": \"string differs: source \\\"a\\\", target \\\"b\\\"\"}");
    }

    @Test
    void jsonStringsEscapeControlCharacters() {
        assertThat(JsonReportWriter.string("a\nb\u0001")).isEqualTo("\"a\\nb\\u0001\"");
    }

    @Test
    void theSummaryListsTheFirstKeysAndCountsTheRest() {
        List<Difference> many = List.of(
                new Difference(new KeyRef(0, "a".getBytes()), Difference.Kind.MISSING, "missing on target (source has a string)"),
                new Difference(new KeyRef(0, "b".getBytes()), Difference.Kind.EXTRA, "only on target (a list)"),
                new Difference(new KeyRef(0, "c".getBytes()), Difference.Kind.EXTRA, "only on target (a list)"));
        String text = SummaryRenderer.render(report(many), 2);
        assertThat(text).contains("result: 3 differing keys (1 missing, 2 extra)")
                .contains("missing db 0 \"a\": missing on target")
                .contains("... and 1 more (all in the JSON report)")
                .contains("round 1: 3, round 2: 2")
                .doesNotContain("\"c\"");
        assertThat(SummaryRenderer.render(report(List.of()), 2)).contains("result: consistent");
    }

    @Test
    void expiryTimesWithinTheToleranceAreTheSame() {
        KeyComparer exact = new KeyComparer(null, null, VerifyMode.OUTLINE, true, 1000);
        assertThat(exact.compareExpiry(-1, -1, 0)).isNull();
        assertThat(exact.compareExpiry(5000, 5900, 0)).isNull();
        assertThat(exact.compareExpiry(5000, 7000, 0)).contains("2000 ms apart");
        assertThat(exact.compareExpiry(5000, -1, 0)).contains("target none");
        KeyComparer relative = new KeyComparer(null, null, VerifyMode.OUTLINE, false, 0);
        assertThat(relative.compareExpiry(100, 100, 1_000_000)).isNull();
        assertThat(relative.compareExpiry(100, 101, 1_000_000)).contains("source 1970-01-01T00:16:40.100Z (1000100)");
    }
}
