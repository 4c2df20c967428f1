package dev.ferry.task;

import java.time.Duration;

/**
 * The large case of issue 14 on one machine: 12 standalone source masters (one task each: the worker group divides
 * tasks, and a cluster source is one task, run whole by one process), 3 {@code ferry worker} processes, workers
 * killed, stopped and frozen at random (seeded) for 2 minutes under a non-idempotent load ({@link WorkerChaos}).
 * Prints every fault, then the numbers and the verdict ({@link ChaosChecks}); exits with 1 when a check failed.
 * Not a test: run it by hand, or with bench/worker-chaos.sh.
 *
 * <pre>{@code
 * java -Dferry.redis.bin.dir=target/redis-bin -cp target/classes:target/test-classes:$(cat cp.txt) \
 *     dev.ferry.task.WorkerChaosSimulation [seed] [seconds] [ops/s per source] [lease ms] [sources] [workers] \
 *     [freezes: true|false]
 * }</pre>
 */
public final class WorkerChaosSimulation {

    private WorkerChaosSimulation() {
    }

    public static void main(String[] args) throws Exception {
        long seed = args.length > 0 && !args[0].equals("random") ? Long.parseLong(args[0])
                : System.nanoTime() % 100_000;
        int seconds = arg(args, 1, 120);
        int rate = arg(args, 2, 500);
        int leaseMs = arg(args, 3, 5000);
        int sources = arg(args, 4, 12);
        int workers = arg(args, 5, 3);
        boolean freezes = args.length <= 6 || Boolean.parseBoolean(args[6]);
        WorkerChaos.Settings settings = new WorkerChaos.Settings(seed, sources, workers, Duration.ofSeconds(seconds),
                Duration.ofMillis(leaseMs), rate, 50, freezes);
        System.out.printf("worker chaos: seed %d, %d sources, %d workers, %d s, %d operations/s per source"
                + " (INCR + LPUSH + APPEND), lease %d ms, faults SIGKILL, SIGTERM%s%n", seed, sources, workers, seconds,
                rate, leaseMs, freezes ? ", SIGSTOP" : "");
        ChaosChecks.Result result = new WorkerChaos(settings, System.out::println).run();
        result.report().forEach(System.out::println);
        System.exit(result.failures().isEmpty() ? 0 : 1);
    }

    private static int arg(String[] args, int i, int otherwise) {
        return args.length > i ? Integer.parseInt(args[i]) : otherwise;
    }
}
