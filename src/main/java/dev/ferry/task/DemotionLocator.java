package dev.ferry.task;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisConnectionException;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;

import java.time.Duration;
import java.util.List;

/**
 * Follows a standalone source master that was demoted by hand ({@code REPLICAOF NO ONE} on its replica, then
 * {@code REPLICAOF} on it): {@code ROLE} on the node read from names the master it now replicates, which took the
 * history over. A source that was a replica when first seen was chosen as one and is kept. A node that does not
 * answer is left to the task's retries (without Sentinels nobody else can say where the master went). Not
 * thread-safe: one task's threads, one call at a time.
 */
final class DemotionLocator implements SourceLocator {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private RedisConnection conn;
    /** Whether the node read from was a master when first seen: only then is a demotion followed. */
    private Boolean wasMaster;

    @Override
    public RedisEndpoint locate(RedisEndpoint current) {
        try {
            if (conn == null || conn.isClosed() || !conn.endpoint().equals(current)) {
                close();
                conn = RedisConnection.open(current, TIMEOUT, TIMEOUT);
            }
            List<RespValue> role = ((RespValue.Array) conn.callChecked("ROLE")).items();
            boolean master = role.get(0).asText().equals("master");
            if (wasMaster == null || master) {
                wasMaster = master;
                return current;
            }
            if (wasMaster && role.get(0).asText().equals("slave") && role.size() >= 3) {
                // The successor is a master too; keep following demotions from there.
                return current.withHostPort(role.get(1).asText(), (int) role.get(2).asLong());
            }
            return current;
        } catch (RedisConnectionException e) {
            close();
            throw e;
        } catch (RuntimeException e) {
            // A server without ROLE (before 2.8.12) or that refuses it: read from it as named.
            return current;
        }
    }

    @Override
    public String describe() {
        return "standalone";
    }

    @Override
    public void close() {
        if (conn != null) {
            conn.close();
            conn = null;
        }
    }
}
