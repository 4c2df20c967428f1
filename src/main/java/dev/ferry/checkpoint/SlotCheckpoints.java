package dev.ferry.checkpoint;

import dev.ferry.cluster.SlotHash;
import dev.ferry.cluster.SlotTags;
import dev.ferry.pipeline.Filters;
import dev.ferry.source.ReplicationOffset;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The per-slot checkpoints of a task streaming into a Redis Cluster, and how far each slot has applied the
 * stream beyond the base checkpoint. Each slot transaction ends with {@code SET __ferry:cp:{<slot tag>}:<task>
 * "<replid> <offset> <db>"} ({@link SlotTags}: the key lives in the slot it speaks for). A resumed task reads
 * the stream again from the base checkpoint and passes over a write to slot S when its source offset is at or
 * below S's checkpoint: the per-slot form of {@link Checkpoint#appliedThrough()}, which passes over writes for
 * the whole target. Not thread-safe: filled before the stream starts, then read by the producer thread.
 */
public final class SlotCheckpoints {

    private final String taskId;
    private final long[] appliedThrough = new long[SlotHash.SLOTS];
    private int retrySlot = -1;
    private long retryStart = -1;

    public SlotCheckpoints(String taskId) {
        this.taskId = taskId;
        Arrays.fill(appliedThrough, -1);
    }

    /** The checkpoint key of {@code slot}: {@code __ferry:cp:{<tag>}:<task>}. */
    public byte[] key(int slot) {
        String tag = new String(SlotTags.tagOf(slot), StandardCharsets.US_ASCII);
        return (Filters.CONTROL_PREFIX + "cp:{" + tag + "}:" + taskId).getBytes(StandardCharsets.UTF_8);
    }

    /** A {@code SCAN MATCH} pattern that finds this task's slot checkpoints and no other key (glob characters escaped). */
    public String pattern() {
        StringBuilder escaped = new StringBuilder();
        for (char c : taskId.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return Filters.CONTROL_PREFIX + "cp:{*}:" + escaped;
    }

    /** The value written with a slot transaction: the stream position it brings the slot to. */
    public static byte[] value(ReplicationOffset position, int db) {
        return (position.replId() + " " + position.offset() + " " + db).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Takes in a slot checkpoint read from the target when it continues the history of {@code base} and lies
     * beyond it; others (an older history, or covered by the base already) are ignored.
     *
     * @return whether it was taken
     */
    public boolean load(byte[] key, byte[] value, ReplicationOffset base) {
        String[] f = new String(value, StandardCharsets.US_ASCII).split(" ");
        if (f.length != 3 || !f[0].equals(base.replId())) {
            return false;
        }
        long offset;
        try {
            offset = Long.parseLong(f[1]);
        } catch (NumberFormatException e) {
            return false;
        }
        if (offset <= base.offset()) {
            return false;
        }
        int slot = SlotHash.slot(key);
        appliedThrough[slot] = Math.max(appliedThrough[slot], offset);
        return true;
    }

    /** Whether slot {@code slot} has applied the write that ends at source offset {@code offsetAfter}. */
    public boolean covers(int slot, long offsetAfter) {
        return offsetAfter <= appliedThrough[slot];
    }

    /**
     * The previous run's slot transaction of {@code slot}, which checkpointed the slot at {@code checkpointedAt},
     * applied every write but the one that starts at source offset {@code start}, which the target refused:
     * {@link #applied} says it was not, once, so it is applied again — unless the slot's checkpoint has moved past
     * {@code checkpointedAt} since, which means a run after that one applied it already (with the first
     * transaction of that slot). Call after the slot checkpoints are loaded.
     *
     * @return whether the write is to be applied again
     */
    public boolean retry(int slot, long start, long checkpointedAt) {
        if (appliedThrough[slot] > checkpointedAt) {
            return false;
        }
        retrySlot = slot;
        retryStart = start;
        return true;
    }

    /**
     * Whether slot {@code slot} applied its part of the write from source offset {@code start} to {@code end}
     * before a restart: covered by its checkpoint, and not the refused write to apply again ({@link #retry}).
     */
    public boolean applied(int slot, long start, long end) {
        if (slot == retrySlot && start == retryStart) {
            retrySlot = -1;
            return false;
        }
        return covers(slot, end);
    }

    /** The source offset slot {@code slot} has applied beyond the base checkpoint, or -1. */
    public long appliedThrough(int slot) {
        return appliedThrough[slot];
    }

    /** Forgets every slot's progress: a new snapshot starts a new history. */
    public void clear() {
        Arrays.fill(appliedThrough, -1);
        retrySlot = -1;
    }

    /** How many slots are ahead of the base checkpoint. */
    public int slotsAhead() {
        int n = 0;
        for (long a : appliedThrough) {
            if (a >= 0) {
                n++;
            }
        }
        return n;
    }
}
