package dev.ferry.testing;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A steady, non-idempotent load for exactly-once tests: {@code INCR counter} on a server, one every
 * {@code pauseMillis}, on a thread of its own until stopped; counts the INCRs the server acknowledged, which
 * the target's counter must equal exactly at the end.
 */
public final class IncrLoad implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong count = new AtomicLong();
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private final Thread thread;

    public IncrLoad(RedisServer server, long pauseMillis) {
        this(server, pauseMillis, "counter");
    }

    /** INCRs of {@code key}, one every {@code pauseMillis}. */
    public IncrLoad(RedisServer server, long pauseMillis, String key) {
        thread = new Thread(() -> {
            try (RedisConnection w = server.connect()) {
                while (running.get()) {
                    w.callChecked("INCR", key);
                    count.incrementAndGet();
                    Thread.sleep(pauseMillis);
                }
            } catch (Throwable t) {
                error.set(t);
            }
        }, "incr-load");
        thread.start();
    }

    /** Stops the load and checks that every INCR was accepted. Idempotent. */
    public void stop() throws InterruptedException {
        running.set(false);
        thread.join();
        assertThat(error.get()).as("load failure").isNull();
    }

    /** INCRs the server acknowledged so far. */
    public long count() {
        return count.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
