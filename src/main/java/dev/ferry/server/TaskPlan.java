package dev.ferry.server;

import dev.ferry.task.SyncOptions;

import java.util.Set;

/** A definition turned into what the engine runs: its options (passwords resolved) and the checks it skips. */
public record TaskPlan(SyncOptions options, Set<String> skipChecks) {

    public TaskPlan {
        skipChecks = Set.copyOf(skipChecks);
    }
}
