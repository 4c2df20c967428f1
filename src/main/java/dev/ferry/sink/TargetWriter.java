package dev.ferry.sink;

import dev.ferry.FerryException;

/**
 * Applies the pipeline's commands to a target deployment and tells how far the target has acknowledged
 * them: {@link NodeWriter} over one pipelined connection (a standalone server), {@link ClusterWriter} over
 * one {@link NodeWriter} per master of a Redis Cluster.
 *
 * <p>Threading: {@link #write}, {@link #select}, {@link #advance}, {@link #flush}, {@link #drain},
 * {@link #awaitDrained}, {@link #prepaid} and {@link #carry} are called by one producer thread; they block
 * while the in-flight window is full. {@link #ackedOffset()}, {@link #failure()}, {@link #stalledMillis()}
 * and {@link #abort} may be called from any thread. After a failure every producer call throws it.
 */
public interface TargetWriter extends WriteSink, AutoCloseable {

    /** Whether commands are routed by slot to the masters of a cluster (transactions must stay in one slot). */
    boolean isCluster();

    /** The database the following writes go to, or -1 when unknown. */
    int selectedDb();

    /** The highest source offset whose writes the target has acknowledged, or -1. */
    long ackedOffset();

    /** Flushes, then waits until every command written so far has been acknowledged. */
    void drain() throws InterruptedException;

    /**
     * Flushes, then waits at most {@code millis} until every command written so far has been acknowledged.
     *
     * @return whether everything was acknowledged in time (false also when the writer failed)
     */
    boolean awaitDrained(long millis) throws InterruptedException;

    /** How long commands have waited for a reply without any arriving, in ms; 0 when nothing is in flight. */
    long stalledMillis();

    /**
     * From now on until {@code prepaid(false)}, commands written are already held in the memory budget by
     * the caller: the writer does not take their memory again.
     */
    void prepaid(boolean on);

    /**
     * The memory of a batch ({@code heap} bytes held by the caller) passes to the writer, which gives it
     * back when the reply to the next {@code EXEC} arrives. Only inside an open {@code MULTI}.
     */
    void carry(long heap);

    /** Fails the writer (and so the producer's next call) with {@code e}, and closes its connections. */
    void abort(FerryException e);

    /** The error that stopped this writer, or null. */
    FerryException failure();

    /** Closes the connections and joins the reply threads. */
    @Override
    void close();
}
