package dev.ferry.task;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisConnectionException;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.Sentinel;

import java.time.Duration;

/**
 * Finds a Sentinel-managed master by asking the Sentinels which node it is now (the one that answered last first,
 * on a kept connection). The master keeps the credentials, database and TLS of the task's source. Not
 * thread-safe: one task's threads, one call at a time.
 */
final class SentinelLocator implements SourceLocator {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final Sentinel sentinel;
    private RedisConnection conn;

    SentinelLocator(Sentinel sentinel) {
        this.sentinel = sentinel;
    }

    @Override
    public RedisEndpoint locate(RedisEndpoint current) {
        if (conn != null) {
            try {
                return sentinel.masterAsked(conn, current);
            } catch (RedisConnectionException e) {
                close();
            }
        }
        RuntimeException last = null;
        for (RedisEndpoint node : sentinel.sentinels()) {
            try {
                conn = RedisConnection.open(node, TIMEOUT, TIMEOUT);
                return sentinel.masterAsked(conn, current);
            } catch (RedisConnectionException e) {
                close();
                last = e;
            }
        }
        throw new RedisConnectionException("no Sentinel of the " + sentinel.describe() + " answers"
                + (last == null ? "" : ": " + last.getMessage()), last);
    }

    @Override
    public String describe() {
        return sentinel.describe();
    }

    @Override
    public void close() {
        if (conn != null) {
            conn.close();
            conn = null;
        }
    }
}
