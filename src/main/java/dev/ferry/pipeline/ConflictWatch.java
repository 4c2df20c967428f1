package dev.ferry.pipeline;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Two-way sync: spots keys written on both sides at about the same time, which the two sides may then
 * hold differently (each ends with the other's write). Seen from one task's source, a conflict is a key
 * written there by a client and then, within {@link #WINDOW_MS} as this task reads its stream, by the
 * reverse task (a marked transaction): the other side's write was made before this side's reached it.
 * A heuristic: times are when this task reads the writes, keys are compared by their first argument, and
 * only the last {@value #MAX_KEYS} keys written locally are remembered.
 * Not thread-safe: the replayer's thread only.
 */
final class ConflictWatch {

    static final long WINDOW_MS = 5_000;
    private static final int MAX_KEYS = 100_000;

    private final Map<ByteBuffer, Long> localWrites = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Long> eldest) {
            return size() > MAX_KEYS;
        }
    };

    /** A client of this task's source wrote {@code key} at {@code nowMs}. */
    void local(byte[] key, long nowMs) {
        ByteBuffer k = ByteBuffer.wrap(key);
        // Re-inserted so that the map stays in time order and the eldest is the oldest write.
        localWrites.remove(k);
        localWrites.put(k, nowMs);
    }

    /**
     * The reverse task wrote {@code key} here at {@code nowMs}: returns how long ago a client of this side
     * wrote it, when that is within the window (a conflict), else -1.
     */
    long peer(byte[] key, long nowMs) {
        Long at = localWrites.remove(ByteBuffer.wrap(key));
        if (at == null || nowMs - at > WINDOW_MS) {
            return -1;
        }
        return nowMs - at;
    }
}
