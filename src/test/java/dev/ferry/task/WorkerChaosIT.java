package dev.ferry.task;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The short version of {@link WorkerChaosSimulation}: 6 sources, 3 workers killed (SIGKILL, SIGTERM) and started
 * again at random for 25 s under INCR + LPUSH + APPEND. Beyond {@link WorkerGroupIT}: killed workers come back under
 * the same id while their old leases still hold, faults overlap, a write applied twice or lost would show in the lists
 * and strings, not only in a counter, and every move the API shows is logged by the worker that took the task on.
 * Freezes (SIGSTOP) are left to the simulation: a thawed worker takes back the tasks it lost without logging it.
 */
class WorkerChaosIT {

    @Test
    void workersKilledAndRestartedAtRandomLoseNothingApplyNothingTwiceNeverResyncInFullAndLogEveryHandover()
            throws Exception {
        // Seed 4: SIGKILLs at about 3, 7, 20 and 24 s, SIGTERMs at 10 and 17 s, each worker restarted 1-7 s later.
        WorkerChaos chaos = new WorkerChaos(new WorkerChaos.Settings(4, 6, 3, Duration.ofSeconds(25),
                Duration.ofSeconds(3), 200, 20, false), line -> { });
        ChaosChecks.Result result = chaos.run();

        assertThat(result.failures()).as(String.join("\n", result.report())).isEmpty();
        assertThat(result.events()).as("faults of the run").containsKeys("SIGKILL", "SIGTERM", "restart");
        assertThat(result.handovers()).as("tasks the API showed moving").isPositive();
        assertThat(result.operations()).as("operations written").isPositive();
    }
}
