package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.ThreadFailure;
import dev.ferry.pipeline.HeartbeatLag;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Writes {@code SET <key> <now-ms> PX <ttl>} on the source at a fixed interval. The write travels
 * through the replication stream like any other; when the target acknowledges it, the pipeline knows
 * the end-to-end lag; it follows the task to another master after a failover. The TTL makes the key vanish on its own once the task is gone; a clean stop
 * deletes it at once.
 */
final class Heartbeat implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

    private final Supplier<RedisEndpoint> source;
    private final String key;
    private final Duration interval;
    private dev.ferry.Timers.Job timer;
    private final HeartbeatLag lag;
    private final Consumer<FerryException> onFailure;
    private RedisConnection conn;
    private boolean warned;

    /**
     * @param lag told of every heartbeat written, and of every write that failed
     * @param onFailure called (on the heartbeat's thread) if that thread dies of something other than a
     *                  failed write, which only stops the lag measurement
     */
    Heartbeat(Supplier<RedisEndpoint> source, String key, Duration interval, HeartbeatLag lag, Consumer<FerryException> onFailure) {
        this.source = source;
        this.lag = lag;
        this.onFailure = onFailure;
        this.key = key;
        this.interval = interval;
    }

    void start() {
        timer = dev.ferry.Timers.every("ferry-heartbeat-" + source.get().address(), Duration.ZERO, interval, this::beat);
    }

    private void beat() {
        try {
            RedisEndpoint to = source.get();
            if (conn != null && !conn.endpoint().equals(to)) {
                // The task moved to another master (a failover): beat there.
                conn.close();
                conn = null;
            }
            if (conn == null || conn.isClosed()) {
                conn = RedisConnection.open(to, "heartbeat");
            }
            long ttl = Math.max(10_000, interval.toMillis() * 10);
            long now = System.currentTimeMillis();
            conn.callChecked("SET", key, Long.toString(now), "PX", Long.toString(ttl));
            lag.written(now);
            warned = false;
        } catch (RuntimeException e) {
            lag.writeFailed();
            if (!warned) {
                log.warn("heartbeat write on the source failed (lag is not measured meanwhile): {}", e.getMessage());
                warned = true;
            }
            if (conn != null) {
                conn.close();
                conn = null;
            }
        } catch (Throwable t) {
            // The timer would silently cancel every later beat: end the task instead.
            onFailure.accept(ThreadFailure.of(Thread.currentThread().getName(), t));
            throw t;
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.close();
        }
        // Short timeouts: a stop must not wait long for a source that is away.
        try (RedisConnection c = RedisConnection.open(source.get(), Duration.ofSeconds(1), Duration.ofSeconds(1), "heartbeat")) {
            c.call("DEL", key);
        } catch (RuntimeException e) {
            log.debug("could not delete the heartbeat key: {}", e.getMessage());
        }
        if (conn != null) {
            conn.close();
        }
    }
}
