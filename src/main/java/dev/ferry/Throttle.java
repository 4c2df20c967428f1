package dev.ferry;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Holds a flow of work under a number of operations and of bytes per second (either limit 0 for none), so
 * that a sync does not take more than its share of a busy production server. Each acquisition books its
 * time ({@code n / rate}) after the previous ones, so the average holds over any second; time left unused
 * is not saved up for a burst later. Remembers when it last held someone back, for the status line.
 * Thread-safe: the shard tasks of one cluster sync share it.
 */
public final class Throttle {

    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final Throttle NONE = new Throttle(0, 0);

    private final long opsPerSecond;
    private final long bytesPerSecond;
    private final LongSupplier nanoClock;
    private long nextOps;
    private long nextBytes;
    private volatile long heldBackAt;
    private volatile boolean heldBack;
    private final java.util.concurrent.atomic.AtomicLong heldBackNanos = new java.util.concurrent.atomic.AtomicLong();

    /** @param opsPerSecond operations per second, 0 for no limit; @param bytesPerSecond bytes per second, 0 for no limit */
    public Throttle(long opsPerSecond, long bytesPerSecond) {
        this(opsPerSecond, bytesPerSecond, System::nanoTime);
    }

    Throttle(long opsPerSecond, long bytesPerSecond, LongSupplier nanoClock) {
        if (opsPerSecond < 0 || bytesPerSecond < 0) {
            throw new IllegalArgumentException("rates: " + opsPerSecond + " ops/s, " + bytesPerSecond
                    + " bytes/s (expected: >= 0, 0 for no limit)");
        }
        this.opsPerSecond = opsPerSecond;
        this.bytesPerSecond = bytesPerSecond;
        this.nanoClock = nanoClock;
        this.nextOps = nanoClock.getAsLong();
        this.nextBytes = nextOps;
    }

    /** No limit. */
    public static Throttle none() {
        return NONE;
    }

    public boolean isLimited() {
        return opsPerSecond > 0 || bytesPerSecond > 0;
    }

    public long opsPerSecond() {
        return opsPerSecond;
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Blocks until {@code ops} operations may go. */
    public void acquireOps(long ops) {
        if (opsPerSecond > 0 && ops > 0) {
            pause(reserveOps(ops));
        }
    }

    /** Blocks until {@code bytes} bytes may go. */
    public void acquireBytes(long bytes) {
        if (bytesPerSecond > 0 && bytes > 0) {
            pause(reserveBytes(bytes));
        }
    }

    /** Books {@code ops} operations; returns how many nanoseconds the caller must wait before using them. */
    synchronized long reserveOps(long ops) {
        long now = nanoClock.getAsLong();
        long start = Math.max(nextOps, now);
        nextOps = start + ops * NANOS_PER_SECOND / opsPerSecond;
        return start - now;
    }

    /** Books {@code bytes} bytes; returns how many nanoseconds the caller must wait before using them. */
    synchronized long reserveBytes(long bytes) {
        long now = nanoClock.getAsLong();
        long start = Math.max(nextBytes, now);
        nextBytes = start + bytes * NANOS_PER_SECOND / bytesPerSecond;
        return start - now;
    }

    /** Whether the limit held the flow back within the last {@code millis} ms. */
    public boolean heldBackWithin(long millis) {
        return heldBack && nanoClock.getAsLong() - heldBackAt < TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** How long the limit has held the flow back in all, in ms. */
    public long heldBackMillis() {
        return TimeUnit.NANOSECONDS.toMillis(heldBackNanos.get());
    }

    private void pause(long nanos) {
        if (nanos <= 0) {
            return;
        }
        heldBackAt = nanoClock.getAsLong();
        heldBack = true;
        heldBackNanos.addAndGet(nanos);
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while throttled", e);
        }
    }

    @Override
    public String toString() {
        if (!isLimited()) {
            return "no limit";
        }
        return (opsPerSecond > 0 ? opsPerSecond + " ops/s" : "") + (opsPerSecond > 0 && bytesPerSecond > 0 ? ", " : "")
                + (bytesPerSecond > 0 ? bytesPerSecond + " bytes/s" : "");
    }
}
