package dev.ferry.checkpoint;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;

import java.nio.charset.StandardCharsets;

/**
 * Reads and names a task's checkpoint in the target: the key {@code __ferry:cp:<task-id>} in database 0
 * ({@link ControlKeys}; on a cluster target, read it on the master of its slot).
 * Writing happens inside the target writer's transactions ({@link TransactionalSink}), so that a
 * checkpoint and the writes it covers land together or not at all.
 */
public final class CheckpointStore {

    /** The database that holds checkpoints on a standalone target. */
    public static final int DB = 0;

    private final byte[] key;

    public CheckpointStore(String taskId) {
        this(ControlKeys.standalone(taskId));
    }

    /** The checkpoint named by {@code keys} (hash-tagged on a cluster target). */
    public CheckpointStore(ControlKeys keys) {
        this.key = keys.checkpointBytes();
    }

    public byte[] key() {
        return key;
    }

    /** The checkpoint, or null when the target has none (a new task, or a target that lost its data). */
    public Checkpoint load(RedisConnection target) {
        target.callChecked("SELECT", Integer.toString(DB));
        RespValue v = target.callChecked("GET", key);
        byte[] bytes = v instanceof RespValue.Bulk b ? b.bytes() : null;
        return bytes == null ? null : Checkpoint.decode(bytes);
    }
}
