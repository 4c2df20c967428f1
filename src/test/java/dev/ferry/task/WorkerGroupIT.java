package dev.ferry.task;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ferry worker} processes sharing tasks through their leases: a killed worker's tasks continue on the others
 * within the lease time, a worker that joins takes its share, each moved task with a partial resync, and every
 * INCR of the sources applied exactly once.
 */
class WorkerGroupIT {

    private static final Duration LEASE = Duration.ofSeconds(5);
    private static final Duration START = Duration.ofSeconds(60);

    @RegisterExtension
    static final Servers servers = new Servers();

    /** With the default lease (10 s), as the issue asks: a dead worker's tasks move within 15 s. */
    @Test
    void aKilledWorkersTasksContinueOnTheOthersWithinTheLeaseTimeWithoutAFullResync() throws Exception {
        Duration lease = Duration.ofSeconds(10);
        try (WorkerFleet fleet = new WorkerFleet(servers, 6, lease)) {
            fleet.start("w1");
            fleet.start("w2");
            fleet.start("w3");
            Map<String, JsonNode> before = fleet.awaitAllStreaming("w1", START,
                    view -> WorkerFleet.loads(view).equals(Map.of("w1", 2, "w2", 2, "w3", 2)));
            Set<String> ofW2 = before.values().stream().filter(t -> t.path("worker").asText().equals("w2"))
                    .map(t -> t.path("name").asText()).collect(Collectors.toSet());

            fleet.kill("w2");
            long killedAt = System.nanoTime();
            Map<String, JsonNode> after = fleet.awaitAllStreaming("w1", START,
                    view -> !WorkerFleet.loads(view).containsKey("w2"));
            long movedMillis = (System.nanoTime() - killedAt) / 1_000_000;
            System.out.printf("worker w2 killed: its %d tasks stream on the others after %d ms (lease %d ms)%n",
                    ofW2.size(), movedMillis, lease.toMillis());
            // The member list forgets w2 after the lease time; its leases are free by then.
            assertThat(movedMillis).as("ms until every task of w2 streams elsewhere").isLessThan(15_000);
            assertThat(WorkerFleet.loads(after)).isEqualTo(Map.of("w1", 3, "w3", 3));
            assertThat(fleet.metrics("w3")).contains("ferry_worker_group_members{worker=\"w3\"} 2.0",
                    "ferry_worker_tasks{worker=\"w3\"} 3.0", "ferry_worker_ready{worker=\"w3\"} 1.0");
            for (String name : ofW2) {
                JsonNode t = after.get(name);
                assertContinued(t);
                String owner = t.path("worker").asText();
                assertThat(fleet.worker(owner).log()).contains("task " + name + ": assigned to worker " + owner);
            }
            fleet.stopLoadsAndAwaitExact(Duration.ofSeconds(30));
        }
    }

    /** A task that moved (or resumed) continued from its checkpoint: one partial resync there, no full one. */
    private static void assertContinued(JsonNode t) {
        assertThat(t.path("fullResyncs").asLong()).as("full resyncs of %s on %s", t.path("name"), t.path("worker")).isZero();
        assertThat(t.path("partialResyncs").asLong()).as("partial resyncs of %s", t.path("name")).isEqualTo(1);
    }

    @Test
    void aWorkerThatJoinsTakesItsShareWithoutAFullResync() throws Exception {
        try (WorkerFleet fleet = new WorkerFleet(servers, 6, LEASE)) {
            fleet.start("w1");
            fleet.start("w2");
            fleet.awaitAllStreaming("w2", START, view -> WorkerFleet.loads(view).equals(Map.of("w1", 3, "w2", 3)));

            fleet.start("w3");
            Map<String, JsonNode> after = fleet.awaitAllStreaming("w3", START,
                    view -> WorkerFleet.loads(view).equals(Map.of("w1", 2, "w2", 2, "w3", 2)));
            List<JsonNode> moved = after.values().stream().filter(t -> t.path("worker").asText().equals("w3")).toList();
            assertThat(moved).hasSize(2).allSatisfy(WorkerGroupIT::assertContinued);
            for (JsonNode t : moved) {
                // Handed over by the worker that had it: stopped there, with its checkpoint, before w3 went on.
                String name = t.path("name").asText();
                assertThat(fleet.worker("w1").log() + fleet.worker("w2").log())
                        .contains("task " + name + ": assigned to worker w3 now: stopping here");
            }
            fleet.stopLoadsAndAwaitExact(Duration.ofSeconds(30));
        }
    }

    /**
     * Pause and resume through any worker's API: the worker running the task stops it, keeping its checkpoint; the
     * pause holds when that worker dies and the task moves; the resume continues it with a partial resync.
     */
    @Test
    void aTaskPausedThroughOneWorkerStaysPausedWhenItsWorkerDiesAndResumesThroughAnother() throws Exception {
        try (WorkerFleet fleet = new WorkerFleet(servers, 4, LEASE)) {
            fleet.start("w1");
            fleet.start("w2");
            Map<String, JsonNode> view = fleet.awaitAllStreaming("w1", START,
                    v -> WorkerFleet.loads(v).equals(Map.of("w1", 2, "w2", 2)));
            String task = view.values().stream().filter(t -> t.path("worker").asText().equals("w2")).findFirst()
                    .orElseThrow().path("name").asText();

            assertThat(fleet.post("w1", task, "pause")).as("pause through w1 a task w2 runs").isEqualTo(202);
            fleet.await("w2", START, v -> v.get(task).path("state").asText().equals("paused"));
            fleet.kill("w2");
            // w1 takes every task of w2 but the paused one, which it keeps paused.
            fleet.await("w1", START, v -> v.values().stream().allMatch(t -> t.path("name").asText().equals(task)
                    ? t.path("state").asText().equals("paused")
                    : t.path("state").asText().equals("streaming") && t.path("worker").asText().equals("w1")));

            assertThat(fleet.post("w1", task, "resume")).isEqualTo(202);
            assertContinued(fleet.awaitAllStreaming("w1", START, v -> true).get(task));
            fleet.stopLoadsAndAwaitExact(Duration.ofSeconds(30));
        }
    }

    /**
     * Three workers competing for twelve tasks while one at a time is frozen (SIGSTOP, as a long GC pause) or cut off
     * from the target and coordinator (a partition) for longer than the lease: the others take its tasks over while
     * it still believes it holds them; when it comes back, whatever it had in flight is refused by the target, and it
     * takes its share again. Every INCR of every source is applied exactly once.
     */
    @Test
    void threeWorkersCompetingForTwelveTasksUnderPausesAndPartitionsApplyEveryWriteOnce() throws Exception {
        try (WorkerFleet fleet = new WorkerFleet(servers, 12, LEASE)) {
            List<String> ids = List.of("w1", "w2", "w3");
            for (String id : ids) {
                fleet.start(id);
            }
            Map<String, Integer> even = Map.of("w1", 4, "w2", 4, "w3", 4);
            fleet.awaitAllStreaming("w1", START, view -> WorkerFleet.loads(view).equals(even));
            java.util.Random random = new java.util.Random(14);
            for (String fault : List.of("pause", "partition", "pause", "partition")) {
                String victim = ids.get(random.nextInt(ids.size()));
                String observer = ids.stream().filter(id -> !id.equals(victim)).findFirst().orElseThrow();
                if (fault.equals("pause")) {
                    fleet.worker(victim).signal("STOP");
                } else {
                    fleet.proxy(victim).blackhole(true);
                    // Cut off from its coordinator (the target), it says it cannot take part in the division.
                    fleet.awaitReadiness(victim, 503, START);
                }
                try {
                    // Taken over while the victim, alive, still holds them as it last saw them.
                    fleet.awaitAllStreaming(observer, START, view -> !WorkerFleet.loads(view).containsKey(victim));
                } finally {
                    if (fault.equals("pause")) {
                        fleet.worker(victim).signal("CONT");
                    } else {
                        fleet.proxy(victim).blackhole(false);
                        fleet.proxy(victim).cut();
                    }
                }
                fleet.awaitAllStreaming(victim, START, view -> WorkerFleet.loads(view).equals(even));
            }
            fleet.stopLoadsAndAwaitExact(Duration.ofSeconds(60));
            // The frozen or cut-off worker learned it had been replaced (a transaction of its refused by the target,
            // or its lease found taken) rather than going on.
            assertThat(fleet.fullLogs()).contains("another process took the task over");
            try (dev.ferry.resp.RedisConnection tgt = fleet.target.connect()) {
                // Four faults, each followed by a takeover and a handover back: fences were raised many times.
                long fences = 0;
                for (dev.ferry.resp.RespValue key : ((dev.ferry.resp.RespValue.Array) tgt.callChecked("KEYS",
                        "__ferry:fence:*")).items()) {
                    fences += Long.parseLong(tgt.callChecked("GET", ((dev.ferry.resp.RespValue.Bulk) key).asText()).asText());
                }
                assertThat(fences).as("fence increments over 12 tasks").isGreaterThan(12 + 8);
            }
        }
    }

    /**
     * An active-active pair, its two directions run by two workers: each direction finds the other through the
     * target (the loop mark is the checkpoint), so writes on both sides reach the other once and never come back.
     */
    @Test
    void aTwoWayPairSplitOverTwoWorkersCopiesBothWaysWithoutLoops() throws Exception {
        dev.ferry.embedded.RedisServer a = servers.start(WorkerFleet.VERSION);
        dev.ferry.embedded.RedisServer b = servers.start(WorkerFleet.VERSION);
        java.nio.file.Path config = java.nio.file.Files.createTempFile("ferry-pair", ".yaml");
        java.nio.file.Files.writeString(config, "tasks:\n"
                + "  - name: a-to-b\n    source: redis://127.0.0.1:" + a.port() + "\n    target: redis://127.0.0.1:" + b.port()
                + "\n    two-way: true\n"
                + "  - name: b-to-a\n    source: redis://127.0.0.1:" + b.port() + "\n    target: redis://127.0.0.1:" + a.port()
                + "\n    two-way: true\n    mode: incremental\n");
        try (FerryProcess w1 = FerryProcess.start("worker", "--config", config.toString(), "--port", "0", "--worker-id", "w1",
                "--lease-ttl", "5s");
             FerryProcess w2 = FerryProcess.start("worker", "--config", config.toString(), "--port", "0", "--worker-id", "w2",
                     "--lease-ttl", "5s")) {
            // One direction each (bounded loads), both streaming.
            for (FerryProcess w : List.of(w1, w2)) {
                w.awaitLog("assigned to worker", START);
            }
            w1.awaitLog("this task is", START);
            w2.awaitLog("this task is", START);
            awaitStreamingBothWays(a, b);
            try (dev.ferry.testing.IncrLoad onA = new dev.ferry.testing.IncrLoad(a, 2, "counter:a");
                 dev.ferry.testing.IncrLoad onB = new dev.ferry.testing.IncrLoad(b, 2, "counter:b")) {
                awaitCount(onA, 500);
                awaitCount(onB, 500);
                onA.stop();
                onB.stop();
                // B's copy of A's writes first, then A's copy of B's: a write of A that came back to A would sit in
                // B's stream among B's own, and have reached A before B's last one did.
                awaitValue(b, "counter:a", onA.count(), w1, w2);
                awaitValue(b, "counter:b", onB.count(), w1, w2);
                awaitValue(a, "counter:b", onB.count(), w1, w2);
                awaitValue(a, "counter:a", onA.count(), w1, w2);
            }
        } finally {
            java.nio.file.Files.deleteIfExists(config);
        }
    }

    /** A write on each side reaches the other: both directions stream. */
    private static void awaitStreamingBothWays(dev.ferry.embedded.RedisServer a, dev.ferry.embedded.RedisServer b)
            throws InterruptedException {
        long deadline = System.nanoTime() + START.toNanos();
        try (dev.ferry.resp.RedisConnection ca = a.connect(); dev.ferry.resp.RedisConnection cb = b.connect()) {
            while (true) {
                ca.callChecked("SET", "probe:a", "1");
                cb.callChecked("SET", "probe:b", "1");
                if (cb.callChecked("EXISTS", "probe:a").asLong() == 1 && ca.callChecked("EXISTS", "probe:b").asLong() == 1) {
                    return;
                }
                assertThat(System.nanoTime()).as("both directions streaming").isLessThan(deadline);
                Thread.sleep(100);
            }
        }
    }

    private static void awaitCount(dev.ferry.testing.IncrLoad load, long n) throws InterruptedException {
        long deadline = System.nanoTime() + START.toNanos();
        while (load.count() < n) {
            assertThat(System.nanoTime()).as("load progress").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static void awaitValue(dev.ferry.embedded.RedisServer side, String key, long expected, FerryProcess... logs)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (dev.ferry.resp.RedisConnection c = side.connect()) {
            String value = null;
            while (System.nanoTime() < deadline) {
                value = c.callChecked("GET", key) instanceof dev.ferry.resp.RespValue.Bulk bulk ? bulk.asText() : null;
                if (String.valueOf(expected).equals(value)) {
                    return;
                }
                Thread.sleep(100);
            }
            StringBuilder all = new StringBuilder();
            for (FerryProcess p : logs) {
                all.append(p.log());
            }
            throw new AssertionError(key + " on " + side.port() + " is " + value + ", expected " + expected + "\n" + all);
        }
    }
}
