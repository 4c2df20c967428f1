package dev.ferry;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ThrottleTest {

    @Test
    void bytesAreSpreadOverTimeAtTheRateAndUnusedTimeIsNotSavedUp() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        Throttle throttle = new Throttle(0, 1_000_000, now::get);

        assertThat(throttle.reserveBytes(500_000)).as("the first half second goes at once").isZero();
        assertThat(throttle.reserveBytes(500_000)).as("the next waits for it").isEqualTo(500_000_000L);
        assertThat(throttle.reserveBytes(1_000_000)).isEqualTo(1_000_000_000L);

        now.addAndGet(10_000_000_000L);
        assertThat(throttle.reserveBytes(1_000_000)).as("ten idle seconds do not allow a burst").isZero();
        assertThat(throttle.reserveBytes(1)).isEqualTo(1_000_000_000L);
    }

    @Test
    void operationsAndBytesAreLimitedApartAndNoLimitNeverWaits() {
        AtomicLong now = new AtomicLong(0);
        Throttle ops = new Throttle(100, 0, now::get);
        assertThat(ops.reserveOps(50)).isZero();
        assertThat(ops.reserveOps(1)).isEqualTo(500_000_000L);
        assertThat(ops.isLimited()).isTrue();

        Throttle none = Throttle.none();
        none.acquireOps(1_000_000);
        none.acquireBytes(1L << 40);
        assertThat(none.isLimited()).isFalse();
        assertThat(none.heldBackWithin(1000)).isFalse();
        assertThat(none.heldBackMillis()).isZero();
    }

    @Test
    void aThrottleThatWaitedSaysSoForAWhile() {
        Throttle throttle = new Throttle(1000, 0);
        assertThat(throttle.heldBackWithin(60_000)).isFalse();

        throttle.acquireOps(1000);
        throttle.acquireOps(10);

        assertThat(throttle.heldBackWithin(60_000)).isTrue();
        assertThat(throttle.heldBackMillis()).isGreaterThanOrEqualTo(5);
        assertThat(throttle).hasToString("1000 ops/s");
    }
}
