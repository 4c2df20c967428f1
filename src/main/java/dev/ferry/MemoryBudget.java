package dev.ferry;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One bound, per process, on the heap that holds data in transit: the spools' bytes read from a source
 * and not yet parsed, the commands batched for a checkpointed transaction, and the commands written to
 * a target and not yet acknowledged, over every task (the 64 masters of a cluster source share it).
 *
 * <p>Nothing waits for the budget itself, so nothing can deadlock on it: a spool that cannot get memory
 * spills to disk, a batch that cannot is committed at once, a writer waits for its own replies; each
 * can always take the one chunk or command it needs to make progress ({@link Account#acquire}), even
 * beyond the limit.
 *
 * <p>Thread-safe.
 */
public final class MemoryBudget {

    /** The default budget is this share of the maximum heap: docs/DECISIONS.md, entry on the memory budget. */
    public static final int HEAP_SHARE = 4;
    private static final long MIN_DEFAULT = 8L << 20;
    private static volatile MemoryBudget process;

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    /** A budget of {@code limit} bytes. */
    public MemoryBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
        }
        this.limit = limit;
    }

    /** The budget of this process when none is given: a quarter of the maximum heap, at least 8 MiB. */
    public static MemoryBudget fromHeap() {
        MemoryBudget b = process;
        if (b == null) {
            synchronized (MemoryBudget.class) {
                if (process == null) {
                    process = new MemoryBudget(Math.max(MIN_DEFAULT, Runtime.getRuntime().maxMemory() / HEAP_SHARE));
                }
                b = process;
            }
        }
        return b;
    }

    /** A budget that is never exhausted: for components used alone (tests, tools). */
    public static MemoryBudget unlimited() {
        return new MemoryBudget(Long.MAX_VALUE);
    }

    /** Bytes the budget allows. */
    public long limit() {
        return limit;
    }

    /** Bytes taken now, over every account. */
    public long used() {
        return used.get();
    }

    /** A new account: what one attempt of one task holds, given back whole when it closes. */
    public Account open() {
        return new Account();
    }

    private boolean tryTake(long n) {
        while (true) {
            long u = used.get();
            if (u + n > limit && u > 0) {
                return false;
            }
            if (used.compareAndSet(u, u + n)) {
                return true;
            }
        }
    }

    /**
     * The bytes one attempt of a task holds from the budget. Closing it gives back what its components
     * did not (an attempt that failed leaves its spool and window full); after that it takes nothing.
     * Thread-safe: a spool's writer and reader, a writer's producer and reply thread share one.
     */
    public final class Account implements AutoCloseable {

        private long held;
        private boolean closed;

        private Account() {
        }

        /** Takes {@code n} bytes if the budget has them (or holds nothing at all); says whether it did. */
        public synchronized boolean tryAcquire(long n) {
            if (closed) {
                return true;
            }
            if (!tryTake(n)) {
                return false;
            }
            held += n;
            return true;
        }

        /** Takes {@code n} bytes even beyond the limit: the one chunk or command that keeps things moving. */
        public synchronized void acquire(long n) {
            if (closed) {
                return;
            }
            used.addAndGet(n);
            held += n;
        }

        /** Gives back {@code n} bytes taken before. */
        public synchronized void release(long n) {
            if (closed) {
                return;
            }
            long given = Math.min(n, held);
            held -= given;
            used.addAndGet(-given);
        }

        /** Bytes this account holds. */
        public synchronized long held() {
            return held;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                used.addAndGet(-held);
                held = 0;
                closed = true;
            }
        }
    }
}
