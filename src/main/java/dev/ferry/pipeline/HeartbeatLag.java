package dev.ferry.pipeline;

import java.util.ArrayDeque;

/**
 * End-to-end lag, from the heartbeat: the age of the oldest heartbeat written on the source that the
 * target has not acknowledged yet; when every heartbeat is acknowledged, how long the last one took.
 * While the target stalls or the link retries, heartbeats keep being written and not acknowledged, so
 * the lag grows with the wait. Unknown (-1) before the first heartbeat, and while heartbeats cannot be
 * written and none is outstanding.
 *
 * <p>Heartbeat times are the writer's clock ({@code System.currentTimeMillis()} of this process), so no
 * clock of another machine enters the measurement. Thread-safe.
 */
public final class HeartbeatLag {

    /** At one heartbeat a second, a day of stalling; older ones are not needed (only the oldest counts). */
    private static final int MAX_OUTSTANDING = 100_000;

    private final ArrayDeque<Long> outstanding = new ArrayDeque<>();
    private long lastLatency = -1;
    private boolean writeFailing;

    /** A heartbeat carrying {@code sentAt} was written on the source. */
    public synchronized void written(long sentAt) {
        writeFailing = false;
        if (outstanding.size() < MAX_OUTSTANDING) {
            outstanding.addLast(sentAt);
        }
    }

    /** A heartbeat could not be written on the source. */
    public synchronized void writeFailed() {
        writeFailing = true;
    }

    /** The target acknowledged the heartbeat carrying {@code sentAt}, and with it every earlier one. */
    public synchronized void applied(long sentAt, long now) {
        while (!outstanding.isEmpty() && outstanding.peekFirst() <= sentAt) {
            outstanding.pollFirst();
        }
        lastLatency = Math.max(0, now - sentAt);
    }

    /** The lag in ms at {@code now}, or -1 when unknown. */
    public synchronized long millis(long now) {
        if (!outstanding.isEmpty()) {
            return Math.max(lastLatency, now - outstanding.peekFirst());
        }
        return writeFailing ? -1 : lastLatency;
    }
}
