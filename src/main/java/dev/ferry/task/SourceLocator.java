package dev.ferry.task;

import dev.ferry.resp.RedisEndpoint;

/**
 * Finds the master a task reads from as the deployment is now: after a failover the replica that took over, so
 * that the task continues there from its checkpoint (the promoted replica keeps the old replication id as its
 * previous one, so the source continues the stream: no full resync when its backlog covers the gap).
 *
 * <p>Called by the task's own threads only, one call at a time; an implementation may keep a connection open
 * between calls and must close it in {@link #close()}.
 */
interface SourceLocator extends AutoCloseable {

    /**
     * The master to read from now, asking {@code current} first when it answers.
     *
     * @throws dev.ferry.resp.RedisConnectionException (retriable) when no node answers or no master serves the
     *                                                 task's data yet (a failover under way)
     * @throws dev.ferry.FerryException (not retriable) when the deployment changed in a way the task cannot follow
     */
    RedisEndpoint locate(RedisEndpoint current);

    /** What the task copies, for log lines: "slots 0-5460" or "master mymaster". */
    String describe();

    @Override
    void close();
}
