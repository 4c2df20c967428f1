package dev.ferry.testing;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExpositionTest {

    @Test
    void aWellFormedScrapeIsReadWithTypesHelpLabelsAndValues() {
        Map<String, Exposition.Family> f = Exposition.parse("""
                # HELP a_total Things, \\\\ and\\nmore.
                # TYPE a_total counter
                a_total{x="1",y="q\\"\\\\\\n"} 3.0
                a_total{x="2"} 1e3 1700000000000
                # TYPE s summary
                s{quantile="0.5"} NaN
                s_sum 2.5
                s_count 4
                loose +Inf
                """);
        assertThat(f.get("a_total").type()).isEqualTo("counter");
        assertThat(f.get("a_total").help()).isEqualTo("Things, \\ and\nmore.");
        assertThat(f.get("a_total").samples()).hasSize(2);
        assertThat(f.get("a_total").samples().get(0).labels()).containsEntry("y", "q\"\\\n");
        assertThat(f.get("a_total").samples().get(1).value()).isEqualTo(1000.0);
        assertThat(f.get("s").samples()).hasSize(3);
        assertThat(f.get("loose").type()).isEqualTo("untyped");
    }

    @Test
    void malformedScrapesAreRefusedWithTheLine() {
        String[] bad = {
            "a 1",                                            // no final line feed
            "a{x=\"1\" 1\n",                                  // unterminated labels
            "a{x=1} 1\n",                                     // unquoted value
            "a{x=\"\\t\"} 1\n",                               // bad escape
            "a{x=\"1\",x=\"2\"} 1\n",                         // label twice
            "a one\n",                                        // bad value
            "a 1\na 2\n",                                     // series twice
            "# TYPE a gauge\n# TYPE a gauge\na 1\n",          // TYPE twice
            "a 1\n# TYPE a gauge\n",                          // TYPE after samples
            "# TYPE a gauge\na 1\nb 1\na{x=\"y\"} 1\n",       // family split
            "# TYPE c_total counter\nc_total -1\n",           // negative counter
            "# TYPE c_total counter\nc 1\n# TYPE c gauge\n",  // TYPE after its (untyped) samples
            "# TYPE a weird\n",                               // unknown type
            "# TYPE h histogram\nh_bucket 1\n",               // bucket without le
        };
        for (String text : bad) {
            assertThatThrownBy(() -> Exposition.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
