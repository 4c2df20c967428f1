package dev.ferry.pipeline;

import dev.ferry.FerryException;
import org.junit.jupiter.api.Test;

import static dev.ferry.pipeline.ReplayerTest.argv;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicaFormsTest {

    private final ReplicaForms forms = new ReplicaForms(1024);

    private String adapted(String... parts) {
        return RecordingSink.render(forms.adapt(argv(parts), 7));
    }

    @Test
    void anExactTrimLosesTheLimitOnlyReplicasAccept() {
        assertThat(adapted("XADD", "ys", "MAXLEN", "=", "4", "LIMIT", "1", "1-4", "f", "v"))
                .isEqualTo("XADD ys MAXLEN = 4 1-4 f v");
        assertThat(adapted("xtrim", "ys", "minid", "=", "5-0", "limit", "30"))
                .isEqualTo("xtrim ys minid = 5-0");
        assertThat(adapted("XADD", "ys", "NOMKSTREAM", "LIMIT", "0", "MINID", "=", "5-0", "KEEPREF", "6-0", "f", "v"))
                .isEqualTo("XADD ys NOMKSTREAM MINID = 5-0 KEEPREF 6-0 f v");
        assertThat(adapted("XTRIM", "ys", "MAXLEN", "70", "LIMIT", "30")).isEqualTo("XTRIM ys MAXLEN 70");
        assertThat(adapted("XADD", "ys", "IDMP", "p", "LIMIT", "MAXLEN", "=", "4", "LIMIT", "1", "1-4", "f", "v"))
                .as("an idempotent producer named LIMIT (Redis 8.6)").isEqualTo("XADD ys IDMP p LIMIT MAXLEN = 4 1-4 f v");
    }

    @Test
    void streamCommandsAClientMaySendAreLeftAlone() {
        byte[][] approximate = argv("XTRIM", "ys", "MAXLEN", "~", "10", "LIMIT", "30");
        assertThat(forms.adapt(approximate, 7)).isSameAs(approximate);
        byte[][] noLimit = argv("XADD", "ys", "MAXLEN", "=", "4", "1-4", "f", "v");
        assertThat(forms.adapt(noLimit, 7)).isSameAs(noLimit);
        // After the ID, LIMIT is a field name, not an option.
        byte[][] fieldNamedLimit = argv("XADD", "ys", "MAXLEN", "=", "4", "1-4", "LIMIT", "1");
        assertThat(forms.adapt(fieldNamedLimit, 7)).isSameAs(fieldNamedLimit);
    }

    @Test
    void anArgumentLongerThanTheTargetsBulkLimitStopsWithTheSettingToChange() {
        byte[][] big = new byte[][] {"SET".getBytes(), "k".getBytes(), new byte[1025]};
        assertThatThrownBy(() -> forms.adapt(big, 7)).isInstanceOf(FerryException.class)
                .hasMessageContaining("offset 7").hasMessageContaining("1025 bytes")
                .hasMessageContaining("CONFIG SET proto-max-bulk-len");
        byte[][] atLimit = new byte[][] {"SET".getBytes(), "k".getBytes(), new byte[1024]};
        assertThat(forms.adapt(atLimit, 7)).isSameAs(atLimit);
    }

    @Test
    void bitOffsetsPastTheTargetsLimitStop() {
        assertThat(adapted("SETBIT", "b", "8191", "1")).isEqualTo("SETBIT b 8191 1");
        assertThatThrownBy(() -> adapted("SETBIT", "b", "8192", "1")).hasMessageContaining("bit offset 8192");
        assertThat(adapted("BITFIELD", "b", "OVERFLOW", "SAT", "SET", "u8", "#1023", "1")).contains("#1023");
        assertThatThrownBy(() -> adapted("BITFIELD", "b", "GET", "u8", "0", "INCRBY", "u8", "#1024", "1"))
                .hasMessageContaining("bit offset 8192");
        assertThatThrownBy(() -> adapted("bitfield", "b", "set", "i64", "8192", "1")).hasMessageContaining("bit offset");
    }

    @Test
    void setRangePastTheTargetsLimitStopsButNothingElseDoes() {
        assertThat(adapted("SETRANGE", "s", "1020", "abcd")).isEqualTo("SETRANGE s 1020 abcd");
        assertThatThrownBy(() -> adapted("SETRANGE", "s", "1021", "abcd")).hasMessageContaining("1025 bytes");
        // Writing nothing never grows the string, whatever the offset.
        assertThat(adapted("SETRANGE", "s", "5000", "")).isEqualTo("SETRANGE s 5000 ");
    }
}
