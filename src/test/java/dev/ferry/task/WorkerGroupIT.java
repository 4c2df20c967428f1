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

    @Test
    void aKilledWorkersTasksContinueOnTheOthersWithinTheLeaseTimeWithoutAFullResync() throws Exception {
        try (WorkerFleet fleet = new WorkerFleet(servers, 6, LEASE)) {
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
            // The member list forgets w2 after the lease time; its leases are free by then.
            assertThat(movedMillis).as("ms until every task of w2 streams elsewhere").isLessThan(LEASE.toMillis() + 5000);
            assertThat(WorkerFleet.loads(after)).isEqualTo(Map.of("w1", 3, "w3", 3));
            for (String name : ofW2) {
                JsonNode t = after.get(name);
                assertThat(t.path("fullResyncs").asLong()).as("full resyncs of %s on %s", name, t.path("worker")).isZero();
                assertThat(t.path("partialResyncs").asLong()).as("partial resyncs of %s", name).isEqualTo(1);
                String owner = t.path("worker").asText();
                assertThat(fleet.worker(owner).log()).contains("task " + name + ": assigned to worker " + owner);
            }
            fleet.stopLoadsAndAwaitExact(Duration.ofSeconds(30));
        }
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
            assertThat(moved).hasSize(2).allSatisfy(t -> {
                assertThat(t.path("fullResyncs").asLong()).as("full resyncs of %s", t.path("name")).isZero();
                assertThat(t.path("partialResyncs").asLong()).as("partial resyncs of %s", t.path("name")).isEqualTo(1);
            });
            for (JsonNode t : moved) {
                // Handed over by the worker that had it: stopped there, with its checkpoint, before w3 went on.
                String name = t.path("name").asText();
                assertThat(fleet.worker("w1").log() + fleet.worker("w2").log())
                        .contains("task " + name + ": assigned to worker w3 now: stopping here");
            }
            fleet.stopLoadsAndAwaitExact(Duration.ofSeconds(30));
        }
    }
}
