package dev.ferry.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The tasks whose metrics are exposed. Thread-safe: tasks come and go while scrapes read. */
final class Tasks {

    private final List<MeteredTask> tasks = new CopyOnWriteArrayList<>();

    void add(MeteredTask task) {
        tasks.add(task);
    }

    void remove(MeteredTask task) {
        tasks.remove(task);
    }

    List<MeteredTask> all() {
        return List.copyOf(tasks);
    }
}
