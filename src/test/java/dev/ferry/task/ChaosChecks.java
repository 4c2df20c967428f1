package dev.ferry.task;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The verdict on a worker chaos run, once its loads stopped: every key of every source equal on the target, one full
 * resync per task over all the workers' logs, a "assigned to worker W: starting" line in W's logs for each time the
 * API showed a task move to W; and its numbers (faults, handovers, outages, rate, fences). Not thread-safe.
 */
final class ChaosChecks {

    private static final long EXACT_WAIT_MS = 60_000;

    /** The numbers of a run and what failed in it (empty: it passed). */
    record Result(WorkerChaos.Settings settings, Map<String, Integer> events, int handovers, int[] handoverKinds,
                  List<Long> takeoverMillis,
                  List<Long> rejoinMillis, long operations, double commandsPerSecond, int fencedLines, long fences,
                  List<String> failures) {

        List<String> report() {
            List<String> lines = new ArrayList<>();
            lines.add(String.format(Locale.ROOT, "faults: %d SIGKILL, %d SIGTERM, %d SIGSTOP (each then restarted or"
                            + " SIGCONT: %d restarts, %d SIGCONT)", events.getOrDefault("SIGKILL", 0),
                    events.getOrDefault("SIGTERM", 0), events.getOrDefault("SIGSTOP", 0),
                    events.getOrDefault("restart", 0), events.getOrDefault("SIGCONT", 0)));
            int[] k = handoverKinds;
            lines.add("handovers seen in the API: " + handovers + ", logged by the new worker: " + k[0]
                    + ", back to a worker that had not let the task go: " + k[1] + "; not logged: " + k[2]
                    + " shown on a thawed worker that had lost the task, " + k[3] + " logged only by the old worker, "
                    + (handovers - k[0] - k[1] - k[2] - k[3]) + " else");
            lines.add("tasks not streaming after a fault (takeover): " + describe(takeoverMillis));
            lines.add("tasks not streaming after a worker came back (rebalance): " + describe(rejoinMillis));
            lines.add(String.format(Locale.ROOT, "writes applied during the chaos: %.0f commands/s (%d operations of"
                    + " 3 commands in all)", commandsPerSecond, operations));
            lines.add("fences seen: " + fencedLines + " \"another process took the task over\" lines; lease fence"
                    + " increments in the target: " + fences);
            if (failures.isEmpty()) {
                lines.add("PASSED: exact, one full resync per task, every handover logged by the new worker");
            } else {
                lines.add("FAILED, " + failures.size() + " check(s):");
                failures.stream().limit(12).forEach(f -> lines.add("  " + f));
                if (failures.size() > 12) {
                    lines.add("  ... and " + (failures.size() - 12) + " more");
                }
            }
            return lines;
        }

        private static String describe(List<Long> millis) {
            if (millis.isEmpty()) {
                return "none longer than " + ChaosMonitor.OUTAGE_MS + " ms";
            }
            List<Long> sorted = millis.stream().sorted().toList();
            return String.format(Locale.ROOT, "%d outages, max %.1f s, median %.1f s", sorted.size(),
                    sorted.get(sorted.size() - 1) / 1000.0, sorted.get(sorted.size() / 2) / 1000.0);
        }
    }

    private final WorkerFleet fleet;
    private final List<String> tasks;
    private final IntFunction<String> prefix;
    private final List<String> failures = new ArrayList<>();
    /** Handovers the new worker logged; shown on a thawed worker that had lost the task; logged by the old one only. */
    private int logged;
    private int phantom;
    private int givenOnly;
    /** Moves back to a worker that never let the task go (the API had shown the one waiting for its lease). */
    private int back;

    ChaosChecks(WorkerFleet fleet, List<String> tasks, IntFunction<String> prefix) {
        this.fleet = fleet;
        this.tasks = tasks;
        this.prefix = prefix;
    }

    /**
     * @param sent each source's acknowledged operations
     * @param window {applied operations when the chaos started, when it ended, its length in ns}
     */
    Result judge(WorkerChaos.Settings settings, ChaosMonitor monitor, List<WorkerChaos.Event> events, long[] sent,
                 long[] window) throws InterruptedException {
        try (RedisConnection target = fleet.target.connect()) {
            awaitCounters(target, sent);
            for (int i = 0; i < tasks.size(); i++) {
                try (RedisConnection source = fleet.sources.get(i).connect()) {
                    compare(source, target, prefix.apply(i));
                }
            }
            checkFullResyncs();
            checkHandoversLogged(monitor);
            keepLogsOnFailure(settings, monitor, events);
            String logs = fleet.fullLogs();
            int fencedLines = count(logs, "another process took the task over");
            List<Long> takeover = new ArrayList<>();
            List<Long> rejoin = new ArrayList<>();
            for (ChaosMonitor.Outage o : monitor.outages) {
                WorkerChaos.Event cause = cause(events, o);
                boolean comeBack = cause != null && (cause.kind().equals("restart") || cause.kind().equals("SIGCONT"));
                (comeBack ? rejoin : takeover).add(o.millis());
            }
            long operations = java.util.Arrays.stream(sent).sum();
            double rate = (window[1] - window[0]) * 3.0 / (window[2] / 1e9);
            return new Result(settings, WorkerChaos.counts(events), monitor.handovers.size(),
                    new int[] {logged, back, phantom, givenOnly}, takeover, rejoin,
                    operations, rate, fencedLines, fences(target), List.copyOf(failures));
        }
    }

    /** The last fault or recovery before the outage began (with a sample's slack), or null. */
    private static WorkerChaos.Event cause(List<WorkerChaos.Event> events, ChaosMonitor.Outage o) {
        WorkerChaos.Event cause = null;
        for (WorkerChaos.Event e : events) {
            if (e.atNanos() <= o.fromNanos() + 500_000_000L) {
                cause = e;
            }
        }
        return cause;
    }

    private void awaitCounters(RedisConnection target, long[] sent) throws InterruptedException {
        long deadline = System.currentTimeMillis() + EXACT_WAIT_MS;
        List<String> behind = behind(target, sent);
        while (!behind.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            behind = behind(target, sent);
        }
        if (!behind.isEmpty()) {
            failures.add("counters not equal after " + EXACT_WAIT_MS / 1000 + " s: " + behind);
        }
    }

    private List<String> behind(RedisConnection target, long[] sent) {
        List<String> behind = new ArrayList<>();
        for (int i = 0; i < sent.length; i++) {
            RespValue v = target.callChecked("GET", prefix.apply(i) + "seq");
            long applied = v instanceof RespValue.Bulk b ? Long.parseLong(b.asText()) : 0;
            if (applied != sent[i]) {
                behind.add(prefix.apply(i) + "seq " + applied + " of " + sent[i]);
            }
        }
        return behind;
    }

    /** Every key of {@code source} under {@code prefix} with the same value on the target, and no other there. */
    private void compare(RedisConnection source, RedisConnection target, String prefix) {
        List<String> keys = keys(source, prefix);
        List<String> onTarget = keys(target, prefix);
        if (!new java.util.HashSet<>(keys).equals(new java.util.HashSet<>(onTarget))) {
            failures.add(prefix + "*: " + keys.size() + " keys on the source, " + onTarget.size() + " on the target");
        }
        int differ = 0;
        String example = null;
        for (String key : keys) {
            if (!value(source, key).equals(value(target, key))) {
                differ++;
                example = example == null ? key : example;
            }
        }
        if (differ > 0) {
            failures.add(differ + " key(s) of " + prefix + "* differ on the target, e.g. " + example);
        }
    }

    /** The type and value of a key of the load (a string or a list), as text. */
    private static String value(RedisConnection c, String key) {
        String type = c.callChecked("TYPE", key).asText();
        return switch (type) {
            case "list" -> type + ":" + String.join(",", ((RespValue.Array) c.callChecked("LRANGE", key, "0", "-1"))
                    .items().stream().map(RespValue::asText).toList());
            case "string" -> type + ":" + c.callChecked("GET", key).asText();
            default -> type;
        };
    }

    private static List<String> keys(RedisConnection c, String prefix) {
        List<String> keys = new ArrayList<>();
        String cursor = "0";
        do {
            List<RespValue> reply = ((RespValue.Array) c.callChecked("SCAN", cursor, "MATCH", prefix + "*", "COUNT",
                    "1000")).items();
            cursor = reply.get(0).asText();
            ((RespValue.Array) reply.get(1)).items().forEach(k -> keys.add(k.asText()));
        } while (!cursor.equals("0"));
        return keys;
    }

    /** "source HOST:PORT starts a full resync" once per task, over every process of every worker. */
    private void checkFullResyncs() {
        String logs = fleet.fullLogs();
        Map<String, Integer> byTask = new HashMap<>();
        Matcher m = Pattern.compile("source 127\\.0\\.0\\.1:(\\d+) starts a full resync").matcher(logs);
        while (m.find()) {
            for (int i = 0; i < tasks.size(); i++) {
                if (fleet.sources.get(i).port() == Integer.parseInt(m.group(1))) {
                    byTask.merge(tasks.get(i), 1, Integer::sum);
                }
            }
        }
        for (String t : tasks) {
            int n = byTask.getOrDefault(t, 0);
            if (n != 1) {
                failures.add("task " + t + ": " + n + " full resyncs in the workers' logs, not 1");
            }
        }
    }

    /**
     * For each move of a task to W the API showed, a line of W's logs taking the task on, written between the last view
     * that showed the task elsewhere and the view that showed it on W (a second of slack either side). A move without
     * it is a failure, unless the task came back to the worker it was on before the last move, which had logged neither
     * handing it over nor losing it (it never stopped running it: the API had shown the worker assigned the task while
     * that one waited for its lease). The report tells whether the old worker logged handing the task to W ("W now:
     * stopping here") or W, just thawed, claimed a task it had lost and logged its fence right after.
     */
    private void checkHandoversLogged(ChaosMonitor monitor) {
        Map<String, List<Long>> starting = new HashMap<>();
        Map<String, List<Long>> stopping = new HashMap<>();
        Map<String, List<Long>> fenced = new HashMap<>();
        Map<String, List<Long>> stoppedBy = new HashMap<>();
        Pattern start = Pattern.compile("(?m)^(\\S+) INFO .*task (\\S+): assigned to worker (\\S+): starting");
        Pattern stop = Pattern.compile("(?m)^(\\S+) INFO .*task (\\S+): assigned to worker (\\S+) now: stopping here");
        Pattern fence = Pattern.compile(
                "(?m)^(\\S+) INFO .*ManagedTask: task (\\S+): .*another process took the task over");
        for (String worker : fleet.ids()) {
            String logs = fleet.allLogs(worker);
            collect(start.matcher(logs), starting, m -> m.group(3));
            collect(stop.matcher(logs), stopping, m -> m.group(3));
            collect(fence.matcher(logs), fenced, m -> worker);
            collect(stop.matcher(logs), stoppedBy, m -> worker);
        }
        Map<String, ChaosMonitor.Handover> previous = new HashMap<>();
        for (ChaosMonitor.Handover h : monitor.handovers) {
            String key = h.task() + " " + h.to();
            ChaosMonitor.Handover before = previous.put(h.task(), h);
            if (within(starting, key, h.fromMillis() - 1000, h.atMillis() + 1000)) {
                logged++;
                continue;
            }
            if (before != null && before.from().equals(h.to())
                    && !within(fenced, key, before.fromMillis() - 1000, h.atMillis() + 1000)
                    && !within(stoppedBy, key, before.fromMillis() - 1000, h.atMillis() + 1000)) {
                back++;
                continue;
            }
            String why;
            if (within(fenced, key, h.atMillis() - 1000, h.atMillis() + 3000)) {
                phantom++;
                why = "shown on " + h.to() + " (thawed, its fence logged just after) without";
            } else if (within(stopping, key, h.fromMillis() - 1000, h.atMillis() + 1000)) {
                givenOnly++;
                why = "handed over by " + h.from() + " (\"" + h.to() + " now: stopping here\") without";
            } else {
                why = "moved without";
            }
            failures.add("task " + h.task() + " " + h.from() + " -> " + h.to() + " at "
                    + java.time.Instant.ofEpochMilli(h.atMillis()) + ": " + why + " \"assigned to worker " + h.to()
                    + ": starting\" in its log");
        }
    }

    /** The times of {@code m}'s lines (time, task, ...) by "task worker". */
    private static void collect(Matcher m, Map<String, List<Long>> into, Function<Matcher, String> worker) {
        while (m.find()) {
            into.computeIfAbsent(m.group(2) + " " + worker.apply(m), k -> new ArrayList<>())
                    .add(epochMillis(m.group(1)));
        }
    }

    private static boolean within(Map<String, List<Long>> lines, String key, long from, long to) {
        return lines.getOrDefault(key, List.of()).stream().anyMatch(t -> t >= from && t <= to);
    }

    /**
     * A log line's time: the workers log with the tests' pattern (HH:mm:ss.SSS, this machine's zone), or with the
     * shipped one (an ISO date and time with its offset).
     */
    private static long epochMillis(String time) {
        if (time.contains("T")) {
            return java.time.OffsetDateTime.parse(time).toInstant().toEpochMilli();
        }
        java.time.ZonedDateTime now = java.time.ZonedDateTime.now();
        long millis = now.with(java.time.LocalTime.parse(time)).toInstant().toEpochMilli();
        // A line from just before midnight read just after it.
        return millis > now.toInstant().toEpochMilli() + 60_000 ? millis - 86_400_000 : millis;
    }

    /** A failed run's logs, events and handovers in target/worker-chaos-SEED.log: its failures name times in them. */
    private void keepLogsOnFailure(WorkerChaos.Settings settings, ChaosMonitor monitor,
                                   List<WorkerChaos.Event> events) {
        if (failures.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        long nanosToMillis = System.currentTimeMillis() - System.nanoTime() / 1_000_000;
        events.forEach(e -> sb.append(java.time.Instant.ofEpochMilli(nanosToMillis + e.atNanos() / 1_000_000))
                .append(' ').append(e.kind()).append(' ').append(e.worker()).append('\n'));
        monitor.handovers.forEach(h -> sb.append(h).append('\n'));
        Path file = Path.of("target", "worker-chaos-" + settings.seed() + ".log");
        try {
            Files.writeString(file, sb.append(fleet.fullLogs()));
            failures.add("logs in " + file);
        } catch (IOException e) {
            failures.add("cannot keep the logs in " + file + ": " + e.getMessage());
        }
    }

    private static long fences(RedisConnection target) {
        long fences = 0;
        for (RespValue key : ((RespValue.Array) target.callChecked("KEYS", "__ferry:fence:*")).items()) {
            fences += Long.parseLong(target.callChecked("GET", key.asText()).asText());
        }
        return fences;
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
