package dev.ferry.metrics;

import dev.ferry.resp.ClientName;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The replication offset of each source master ({@code master_repl_offset} of {@code INFO replication}), read every
 * few seconds on one connection per master from a thread of its own, so that a scrape never waits for a server.
 * {@link #offset} may be called from any thread; {@link #close()} stops the thread and closes the connections.
 */
final class SourceOffsets implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SourceOffsets.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final Supplier<Collection<RedisEndpoint>> sources;
    private final Map<RedisEndpoint, Long> offsets = new ConcurrentHashMap<>();
    /** Used by the polling thread only. */
    private final Map<RedisEndpoint, RedisConnection> connections = new HashMap<>();
    private final ScheduledExecutorService timer;

    /**
     * @param sources the masters to read, asked at every round (the tasks' sources change with failovers)
     * @param every how often
     */
    SourceOffsets(Supplier<Collection<RedisEndpoint>> sources, Duration every) {
        this.sources = sources;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ferry-metrics-offsets");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::poll, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The offset last read from {@code source}, or -1 when not read (yet, or it did not answer). */
    long offset(RedisEndpoint source) {
        return source == null ? -1 : offsets.getOrDefault(source, -1L);
    }

    private void poll() {
        ClientName.set(null, "metrics");
        Set<RedisEndpoint> now = new HashSet<>(sources.get());
        connections.keySet().removeIf(gone -> {
            if (!now.contains(gone)) {
                connections.get(gone).close();
                offsets.remove(gone);
                return true;
            }
            return false;
        });
        for (RedisEndpoint source : now) {
            try {
                RedisConnection conn = connections.get(source);
                if (conn == null) {
                    conn = RedisConnection.open(source, TIMEOUT, TIMEOUT);
                    connections.put(source, conn);
                }
                long offset = masterReplOffset(conn.callChecked("INFO", "replication").asText());
                if (offset >= 0) {
                    offsets.put(source, offset);
                } else {
                    offsets.remove(source);
                }
            } catch (RuntimeException e) {
                log.debug("metrics: could not read the replication offset of {}: {}", source.address(), e.getMessage());
                offsets.remove(source);
                RedisConnection broken = connections.remove(source);
                if (broken != null) {
                    broken.close();
                }
            }
        }
    }

    /** The {@code master_repl_offset} line of an {@code INFO replication} reply, or -1 when it has none. */
    static long masterReplOffset(String info) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("master_repl_offset:")) {
                try {
                    return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.values().forEach(RedisConnection::close);
        connections.clear();
    }
}
