package dev.ferry.task;

/** Where a sync task is in its life. */
public enum TaskState {
    CREATED,
    PRECHECKING,
    PRECHECK_FAILED,
    SNAPSHOT,
    STREAMING,
    PAUSED,
    RETRYING,
    STOPPING,
    FAILED,
    FINISHED
}
