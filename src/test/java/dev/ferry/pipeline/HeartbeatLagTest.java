package dev.ferry.pipeline;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatLagTest {

    private final HeartbeatLag lag = new HeartbeatLag();

    @Test
    void lagIsUnknownBeforeTheFirstHeartbeat() {
        assertThat(lag.millis(1_000)).isEqualTo(-1);
    }

    @Test
    void lagGrowsWithTheAgeOfTheOldestUnacknowledgedHeartbeat() {
        lag.written(1_000);
        lag.applied(1_000, 1_004);
        assertThat(lag.millis(1_500)).isEqualTo(4);
        lag.written(2_000);
        lag.written(3_000);
        lag.written(4_000);
        assertThat(lag.millis(4_100)).isEqualTo(2_100);
        assertThat(lag.millis(9_000)).isEqualTo(7_000);
    }

    @Test
    void anAcknowledgedHeartbeatAcknowledgesEveryEarlierOne() {
        lag.written(1_000);
        lag.written(2_000);
        lag.written(3_000);
        lag.applied(2_000, 3_500);
        assertThat(lag.millis(3_600)).isEqualTo(1_500);
        lag.applied(3_000, 3_700);
        assertThat(lag.millis(5_000)).isEqualTo(700);
    }

    @Test
    void lagIsUnknownWhileHeartbeatsCannotBeWrittenAndNoneIsOutstanding() {
        lag.written(1_000);
        lag.applied(1_000, 1_010);
        lag.writeFailed();
        assertThat(lag.millis(9_000)).isEqualTo(-1);
        lag.written(10_000);
        assertThat(lag.millis(10_050)).isEqualTo(50);
    }

    @Test
    void writesThatFailAfterOthersWereWrittenStillShowTheWaitOfThoseOthers() {
        lag.written(1_000);
        lag.writeFailed();
        assertThat(lag.millis(6_000)).isEqualTo(5_000);
    }
}
