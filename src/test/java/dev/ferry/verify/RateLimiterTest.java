package dev.ferry.verify;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimiterTest {

    @Test
    void batchesAreSpacedSoTheAverageRateHolds() {
        AtomicLong now = new AtomicLong(0);
        RateLimiter limiter = new RateLimiter(1000, now::get);
        assertThat(limiter.reserve(500)).isZero();
        assertThat(limiter.reserve(500)).isEqualTo(500_000_000L);
        assertThat(limiter.reserve(1000)).isEqualTo(1_000_000_000L);
    }

    @Test
    void idleTimeIsNotSavedUpForABurst() {
        AtomicLong now = new AtomicLong(0);
        RateLimiter limiter = new RateLimiter(100, now::get);
        limiter.reserve(100);
        now.set(60_000_000_000L);
        assertThat(limiter.reserve(100)).isZero();
        assertThat(limiter.reserve(100)).isEqualTo(1_000_000_000L);
    }

    @Test
    void zeroMeansNoLimitAndANegativeRateIsRefused() {
        RateLimiter limiter = RateLimiter.unlimited();
        assertThat(limiter.reserve(1_000_000)).isZero();
        assertThatThrownBy(() -> new RateLimiter(-1)).hasMessage("rate: -1 (expected: >= 0, 0 for no limit)");
    }
}
