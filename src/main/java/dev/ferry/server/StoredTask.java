package dev.ferry.server;

import java.util.Map;

/**
 * A task as kept under the data directory: its definition and what the operator last asked of it.
 *
 * @param desired {@code running}, {@code paused} or {@code stopped}: what a restarted server makes of it
 * @param freshSync whether the next start copies everything again (a restart asked for, not yet begun)
 * @param skipPrecheck whether the task starts without the precheck
 * @param origin {@code config} (the --config file) or {@code api}
 */
public record StoredTask(String name, Map<String, Object> options, String desired, boolean freshSync,
                         boolean skipPrecheck, String origin) {

    public static final String RUNNING = "running";
    public static final String PAUSED = "paused";
    public static final String STOPPED = "stopped";

    public TaskDefinition definition() {
        return new TaskDefinition(name, options);
    }

    public StoredTask withDesired(String desired, boolean freshSync) {
        return new StoredTask(name, options, desired, freshSync, skipPrecheck, origin);
    }
}
