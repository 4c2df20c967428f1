package dev.ferry.task;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.HistoryLoad;
import dev.ferry.testing.Servers;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One chaos run: {@code ferry worker} processes sharing one task per source master, each source under a
 * {@link HistoryLoad}; for a while, at random (seeded) moments, a live worker is killed (SIGKILL), stopped (SIGTERM)
 * or frozen past its lease (SIGSTOP, then SIGCONT), and the killed or stopped ones start again after a random delay.
 * Then every worker runs again, the loads stop, and {@link ChaosChecks} judges what the target holds and what the
 * workers logged. Not thread-safe: one thread runs it, sampling progress and the API between its faults.
 */
final class WorkerChaos {

    /**
     * The parameters of a run.
     *
     * @param freezes whether SIGSTOP (past the lease, then SIGCONT) is among the faults, besides SIGKILL and SIGTERM
     * @param keys lists and strings per source the load spreads its operations over
     */
    record Settings(long seed, int sources, int workers, Duration chaos, Duration lease, int opsPerSecond, int keys,
                    boolean freezes) {
    }

    /** One fault or recovery, at {@code atNanos}. */
    record Event(long atNanos, String kind, String worker) {
    }

    private static final long SAMPLE_MS = 100;
    private static final Duration SETTLE = Duration.ofSeconds(120);

    private final Settings settings;
    private final Random random;
    private final Consumer<String> out;
    private final List<String> ids = new ArrayList<>();
    /** up, killed, terminated or frozen, by worker. */
    private final Map<String, String> condition = new TreeMap<>();
    private final PriorityQueue<Event> pending = new PriorityQueue<>((a, b) -> Long.compare(a.atNanos, b.atNanos));
    final List<Event> events = new ArrayList<>();
    private long startNanos;

    WorkerChaos(Settings settings, Consumer<String> out) {
        this.settings = settings;
        this.random = new Random(settings.seed());
        this.out = out;
        for (int i = 1; i <= settings.workers(); i++) {
            ids.add("w" + i);
            condition.put("w" + i, "up");
        }
    }

    ChaosChecks.Result run() throws Exception {
        try (Servers servers = new Servers();
             WorkerFleet fleet = new WorkerFleet(servers, settings.sources(), settings.lease(), false,
                     "--repl-backlog-size", "64mb")) {
            List<HistoryLoad> loads = new ArrayList<>();
            List<String> names = new ArrayList<>();
            List<String> seqKeys = new ArrayList<>();
            for (int i = 0; i < settings.sources(); i++) {
                names.add(WorkerFleet.task(i));
                seqKeys.add(prefix(i) + "seq");
                loads.add(new HistoryLoad(fleet.sources.get(i), prefix(i), settings.keys(), settings.opsPerSecond()));
            }
            try {
                for (String id : ids) {
                    fleet.start(id);
                }
                Map<String, JsonNode> first = fleet.awaitAllStreaming(ids.get(0), SETTLE, this::even);
                ChaosMonitor monitor = new ChaosMonitor(names, seqKeys, first);
                long[] window = drive(fleet, monitor);
                for (HistoryLoad load : loads) {
                    load.stop();
                }
                long[] sent = loads.stream().mapToLong(HistoryLoad::operations).toArray();
                return new ChaosChecks(fleet, names, this::prefix).judge(settings, monitor, events, sent, window);
            } finally {
                for (HistoryLoad load : loads) {
                    load.close();
                }
            }
        }
    }

    String prefix(int task) {
        return "s" + task + ":";
    }

    /**
     * The faults for {@link Settings#chaos()}, then every worker back and every task streaming, evenly placed;
     * samples all along. Returns {applied operations at the start, at the end, the chaos's length in ns}.
     */
    private long[] drive(WorkerFleet fleet, ChaosMonitor monitor) throws Exception {
        startNanos = System.nanoTime();
        long end = startNanos + settings.chaos().toNanos();
        long nextFault = startNanos + gap();
        long appliedAtStart;
        long appliedAtEnd = -1;
        try (RedisConnection target = fleet.target.connect()) {
            appliedAtStart = monitor.sampleProgress(target);
            long settleBy = end + SETTLE.toNanos();
            while (true) {
                long now = System.nanoTime();
                while (!pending.isEmpty() && pending.peek().atNanos() <= now) {
                    recover(fleet, pending.poll());
                }
                if (now < end && now >= nextFault) {
                    fault(fleet);
                    nextFault = now + gap();
                }
                long applied = monitor.sampleProgress(target);
                if (now >= end && appliedAtEnd < 0) {
                    appliedAtEnd = applied;
                }
                Map<String, JsonNode> view = view(fleet);
                if (view != null) {
                    monitor.sampleView(view);
                    if (now >= end && pending.isEmpty() && allUp(fleet) && even(view) && allStreaming(view)) {
                        break;
                    }
                }
                if (now > settleBy) {
                    throw new AssertionError("the tasks did not all stream again, evenly placed, within " + SETTLE
                            + " of the end of the chaos: " + view + fleet.logs());
                }
                Thread.sleep(SAMPLE_MS);
            }
        }
        return new long[] {appliedAtStart, appliedAtEnd, end - startNanos};
    }

    private long gap() {
        return Duration.ofMillis(2000 + random.nextInt(6000)).toNanos();
    }

    /** A live worker, at random, killed, stopped or frozen; at least one worker stays up. */
    private void fault(WorkerFleet fleet) throws IOException, InterruptedException {
        List<String> up = ids.stream().filter(id -> condition.get(id).equals("up")).toList();
        if (up.size() < 2) {
            return;
        }
        String victim = up.get(random.nextInt(up.size()));
        int dice = random.nextInt(settings.freezes() ? 4 : 3);
        long now = System.nanoTime();
        String kind;
        if (dice < 2) {
            kind = "SIGKILL";
            fleet.kill(victim);
            condition.put(victim, "killed");
            pending.add(new Event(now + restartDelay(), "restart", victim));
        } else if (dice == 2) {
            kind = "SIGTERM";
            fleet.worker(victim).signal("TERM");
            condition.put(victim, "terminated");
            pending.add(new Event(now + restartDelay(), "restart", victim));
        } else {
            kind = "SIGSTOP";
            fleet.worker(victim).signal("STOP");
            condition.put(victim, "frozen");
            long frozen = settings.lease().toMillis() + 1000 + random.nextInt(4000);
            pending.add(new Event(now + Duration.ofMillis(frozen).toNanos(), "SIGCONT", victim));
        }
        record(new Event(now, kind, victim));
    }

    private long restartDelay() {
        return Duration.ofMillis(1000 + random.nextInt((int) (2 * settings.lease().toMillis()))).toNanos();
    }

    private void recover(WorkerFleet fleet, Event e) throws IOException, InterruptedException {
        if (e.kind().equals("SIGCONT")) {
            fleet.worker(e.worker()).signal("CONT");
        } else {
            // A worker stopping after SIGTERM still holds its id: a second process with it would be a second member.
            FerryProcess old = fleet.worker(e.worker());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (old.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            if (old.isAlive()) {
                throw new AssertionError("worker " + e.worker() + " still running 30 s after SIGTERM:\n" + old.log());
            }
            fleet.launch(e.worker());
        }
        condition.put(e.worker(), "up");
        record(new Event(System.nanoTime(), e.kind(), e.worker()));
    }

    private void record(Event e) {
        events.add(e);
        out.accept(String.format(java.util.Locale.ROOT, "  %6.1f s  %-8s %s", (e.atNanos() - startNanos) / 1e9,
                e.kind(), e.worker()));
    }

    /** The task list as an up worker whose API answers shows it, or null (none answers now). */
    private Map<String, JsonNode> view(WorkerFleet fleet) {
        for (String id : ids) {
            if (condition.get(id).equals("up") && fleet.port(id) > 0) {
                try {
                    return fleet.tasks(id);
                } catch (IOException | AssertionError | RuntimeException e) {
                    // Starting, or just signalled: ask the next one.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
        return null;
    }

    private boolean allUp(WorkerFleet fleet) {
        return ids.stream().allMatch(id -> condition.get(id).equals("up") && fleet.port(id) > 0);
    }

    private boolean even(Map<String, JsonNode> view) {
        Map<String, Integer> loads = WorkerFleet.loads(view);
        int floor = settings.sources() / settings.workers();
        return loads.size() == settings.workers() && loads.keySet().containsAll(ids)
                && loads.values().stream().allMatch(n -> n == floor || n == floor + 1);
    }

    private static boolean allStreaming(Map<String, JsonNode> view) {
        return view.values().stream().allMatch(t -> t.path("state").asText().equals("streaming"));
    }

    /** How many events of each kind. */
    static Map<String, Integer> counts(List<Event> events) {
        Map<String, Integer> counts = new HashMap<>();
        events.forEach(e -> counts.merge(e.kind(), 1, Integer::sum));
        return counts;
    }
}
