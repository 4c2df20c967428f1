package dev.ferry.checkpoint;

import dev.ferry.pipeline.Filters;

import java.nio.charset.StandardCharsets;

/**
 * The names of a task's keys in the target: its checkpoint, its lease and the lease's fence. On a standalone
 * target they are {@code __ferry:cp:<task>}, {@code __ferry:lease:<task>}, {@code __ferry:fence:<task>}
 * (the names checkpoints have always had, so existing ones are found). On a cluster target the task id is
 * a hash tag, {@code __ferry:cp:{<task>}} and so on: the three live in one slot, so a checkpointed transaction
 * and the {@code WATCH} and check script that guard it run on one master. Immutable.
 */
public record ControlKeys(String checkpoint, String lease, String fence) {

    /** The key names on a standalone target. */
    public static ControlKeys standalone(String taskId) {
        return of(taskId);
    }

    /** The key names on a cluster target: one hash tag, one slot. */
    public static ControlKeys cluster(String taskId) {
        return of("{" + taskId + "}");
    }

    private static ControlKeys of(String name) {
        return new ControlKeys(Filters.CONTROL_PREFIX + "cp:" + name, Filters.CONTROL_PREFIX + "lease:" + name,
                Filters.CONTROL_PREFIX + "fence:" + name);
    }

    /** The checkpoint key's bytes (the slot the three keys share, on a cluster). */
    public byte[] checkpointBytes() {
        return checkpoint.getBytes(StandardCharsets.US_ASCII);
    }
}
