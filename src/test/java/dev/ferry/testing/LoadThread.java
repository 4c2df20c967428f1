package dev.ferry.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * What every background write load of the tests shares: a thread of its own that writes while
 * {@link #running()}, the first error it meets kept to fail the test, waiting for progress, and stopping.
 * Subclasses start their body at the end of their constructor. {@link #stop()} and the waits may be called
 * from any thread.
 */
public abstract class LoadThread implements AutoCloseable {

    /** A load's body: writes until {@link #running()} turns false; anything it throws fails the load. */
    @FunctionalInterface
    protected interface Body {
        void run() throws Exception;
    }

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private Thread thread;

    /** Starts {@code body} on a thread named {@code name}. */
    protected final void start(String name, Body body) {
        thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                error.set(t);
            }
        }, name);
        thread.start();
    }

    /** Whether the load is to go on writing. */
    protected final boolean running() {
        return running.get();
    }

    /**
     * Waits until {@code count} has grown by {@code more} from its value now; fails at once if the load
     * failed or stopped, and after {@code timeout}.
     */
    protected final void awaitMore(LongSupplier count, long more, Duration timeout, String unit) throws InterruptedException {
        long target = count.getAsLong() + more;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count.getAsLong() < target) {
            if (error.get() != null || !thread.isAlive()) {
                throw new AssertionError("the load stopped", error.get());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the load made " + count.getAsLong() + " " + unit + ", not " + target
                        + ", within " + timeout);
            }
            Thread.sleep(10);
        }
    }

    /** Stops the load; fails if it met an error (a write the server refused). Idempotent. */
    public final void stop() throws InterruptedException {
        close();
        if (error.get() != null) {
            throw new AssertionError("the load failed", error.get());
        }
    }

    @Override
    public final void close() throws InterruptedException {
        running.set(false);
        thread.join();
    }
}
