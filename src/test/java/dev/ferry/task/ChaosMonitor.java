package dev.ferry.task;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a worker chaos run observes from outside the workers: each task's progress on the target (its source's
 * {@code seq} counter, sampled) and, from the workers' API, which worker runs each task. A task whose counter stands
 * still for more than {@value #OUTAGE_MS} ms while its source is written is an outage; a task whose worker changes
 * between two views is a handover. Not thread-safe: the run's one thread samples and reads it.
 */
final class ChaosMonitor {

    /** Longer than any pause of a streaming task under the load (batches every 10 ms, samples every ~100 ms). */
    static final long OUTAGE_MS = 1000;

    /** A task that applied nothing from {@code fromNanos} to {@code toNanos}. */
    record Outage(String task, long fromNanos, long toNanos) {
        long millis() {
            return (toNanos - fromNanos) / 1_000_000;
        }
    }

    /** The API showed {@code task} on {@code to} at {@code atMillis}, on {@code from} last at {@code fromMillis}. */
    record Handover(String task, String from, String to, long fromMillis, long atMillis) {
    }

    private final List<String> tasks;
    private final Object[] seqKeys;
    private final long[] applied;
    private final long[] changedAt;
    private final Map<String, String> workerOf = new HashMap<>();
    /** When a view last named each task's worker (wall clock, as the workers' logs). */
    private final Map<String, Long> seenAt = new HashMap<>();
    final List<Outage> outages = new ArrayList<>();
    final List<Handover> handovers = new ArrayList<>();

    /** {@code seqKeys[i]}: the counter of task {@code tasks[i]} that every operation of its load increments. */
    ChaosMonitor(List<String> tasks, List<String> seqKeys, Map<String, JsonNode> initialView) {
        this.tasks = tasks;
        this.seqKeys = seqKeys.toArray();
        this.applied = new long[tasks.size()];
        this.changedAt = new long[tasks.size()];
        java.util.Arrays.fill(changedAt, System.nanoTime());
        initialView.forEach((name, t) -> {
            workerOf.put(name, t.path("worker").asText());
            seenAt.put(name, System.currentTimeMillis());
        });
    }

    /** Reads every task's counter on the target; a counter that moves after standing still ends an outage. */
    long sampleProgress(RedisConnection target) {
        List<Object> mget = new ArrayList<>(List.of("MGET"));
        mget.addAll(List.of(seqKeys));
        List<RespValue> values = ((RespValue.Array) target.callChecked(mget.toArray())).items();
        long now = System.nanoTime();
        long sum = 0;
        for (int i = 0; i < tasks.size(); i++) {
            long v = values.get(i) instanceof RespValue.Bulk b ? Long.parseLong(b.asText()) : 0;
            sum += v;
            if (v != applied[i]) {
                if (now - changedAt[i] > OUTAGE_MS * 1_000_000) {
                    outages.add(new Outage(tasks.get(i), changedAt[i], now));
                }
                applied[i] = v;
                changedAt[i] = now;
            }
        }
        return sum;
    }

    /** Records the handovers {@code view} shows: tasks whose worker is another than in the last view that named one. */
    void sampleView(Map<String, JsonNode> view) {
        long now = System.currentTimeMillis();
        view.forEach((name, t) -> {
            JsonNode w = t.path("worker");
            if (w.isNull() || w.isMissingNode()) {
                return;
            }
            String before = workerOf.put(name, w.asText());
            Long beforeAt = seenAt.put(name, now);
            if (before != null && !before.equals(w.asText())) {
                handovers.add(new Handover(name, before, w.asText(), beforeAt, now));
            }
        });
    }

    /** The worker the last view named for {@code task}, or null. */
    String workerOf(String task) {
        return workerOf.get(task);
    }
}
