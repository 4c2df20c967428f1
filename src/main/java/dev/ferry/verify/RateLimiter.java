package dev.ferry.verify;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Keeps the commands verify sends to one deployment under a rate, so that a check of a production
 * server does not crowd out its clients. Shared by every worker of a run; thread-safe.
 *
 * <p>A batch may start when the previous ones have used up their time ({@code permits / rate} each), so
 * the average rate holds over any second and a batch larger than the rate simply delays the next one.
 */
final class RateLimiter {

    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final long opsPerSecond;
    private final LongSupplier nanoClock;
    private long nextFree;

    /** @param opsPerSecond commands per second; 0 for no limit */
    RateLimiter(long opsPerSecond) {
        this(opsPerSecond, System::nanoTime);
    }

    RateLimiter(long opsPerSecond, LongSupplier nanoClock) {
        if (opsPerSecond < 0) {
            throw new IllegalArgumentException("rate: " + opsPerSecond + " (expected: >= 0, 0 for no limit)");
        }
        this.opsPerSecond = opsPerSecond;
        this.nanoClock = nanoClock;
        this.nextFree = nanoClock.getAsLong();
    }

    static RateLimiter unlimited() {
        return new RateLimiter(0);
    }

    /** Blocks until {@code permits} commands may be sent. */
    void acquire(int permits) {
        long wait = reserve(permits);
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VerifyException("verify interrupted", e);
            }
        }
    }

    /** Books {@code permits} and returns how many nanoseconds the caller must wait before using them. */
    synchronized long reserve(int permits) {
        if (opsPerSecond == 0 || permits <= 0) {
            return 0;
        }
        long now = nanoClock.getAsLong();
        // Idle time is not saved up: a limiter unused for a minute does not then allow a minute's burst.
        long start = Math.max(nextFree, now);
        nextFree = start + permits * NANOS_PER_SECOND / opsPerSecond;
        return start - now;
    }
}
