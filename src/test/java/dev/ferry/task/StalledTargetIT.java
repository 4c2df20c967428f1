package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.IncrLoad;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A target that stops answering (DEBUG SLEEP) under a steady write load: the lag grows while writes wait
 * and falls once the target is back; and one SIGTERM ends a sync stuck on such a target within seconds,
 * after which a restart loses and doubles nothing.
 */
class StalledTargetIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void lagGrowsWhileTheTargetSleepsAndFallsOnceItIsBack() throws Exception {
        try (RedisServer source = server(); RedisServer target = server();
             RedisConnection src = source.connect(); RedisConnection tgt = target.connect();
             IncrLoad writer = new IncrLoad(source, 20)) {
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                awaitLag(sync.task, lag -> lag >= 0 && lag < 1000, "a small lag while the target keeps up");
                Thread sleeper = new Thread(() -> {
                    try (RedisConnection c = target.connect()) {
                        c.setReadTimeout(Duration.ofSeconds(30));
                        c.call("DEBUG", "SLEEP", "6");
                    }
                }, "debug-sleep");
                sleeper.start();
                awaitLag(sync.task, lag -> lag >= 3000, "a lag of 3 s or more while the target sleeps");
                sleeper.join();
                awaitLag(sync.task, lag -> lag >= 0 && lag < 1000, "a small lag again once the target is back");
                writer.stop();
                sync.awaitCaughtUp(src, TIMEOUT);
                sync.stop();
            }
            DataAssertions.assertSameData(src, tgt, Set.of(0));
        }
    }

    @Test
    void oneSignalStopsASyncStuckOnATargetThatDoesNotAnswer() throws Exception {
        try (RedisServer source = server(); RedisServer target = server();
             RedisConnection src = source.connect(); RedisConnection tgt = target.connect();
             IncrLoad writer = new IncrLoad(source, 20)) {
            String[] args = {"sync", "--quiet", "--source", "redis://127.0.0.1:" + source.port(),
                "--target", "redis://127.0.0.1:" + target.port()};
            try (FerryProcess ferry = FerryProcess.start(args)) {
                ferry.awaitLog("snapshot read", TIMEOUT);
                Thread sleeper = new Thread(() -> {
                    try (RedisConnection c = target.connect()) {
                        c.setReadTimeout(Duration.ofSeconds(60));
                        c.call("DEBUG", "SLEEP", "25");
                    }
                }, "debug-sleep");
                sleeper.start();
                // Writes pile up behind the sleeping target.
                long until = System.currentTimeMillis() + 1500;
                while (System.currentTimeMillis() < until) {
                    Thread.sleep(50);
                }
                long signalled = System.nanoTime();
                ferry.signal("TERM");
                int exit = ferry.awaitExit(Duration.ofSeconds(15));
                long tookMs = (System.nanoTime() - signalled) / 1_000_000;
                assertThat(tookMs).as("time from SIGTERM to exit; log:\n%s", ferry.log()).isLessThan(10_000);
                assertThat(exit).as("exit code; log:\n%s", ferry.log()).isZero();
                sleeper.join();
            }
            writer.stop();
            // The same command line resumes: nothing lost, nothing applied twice.
            try (FerryProcess ferry = FerryProcess.start(args)) {
                ferry.awaitLog("continues the stream", TIMEOUT);
                ferry.awaitCheckpoint(new CheckpointStoreFor(args).store, tgt,
                        dev.ferry.resp.ServerInfo.fetch(src).getLong("master_repl_offset", -1));
                assertThat(ferry.terminate()).isZero();
            }
            DataAssertions.assertSameData(src, tgt, Set.of(0));
            assertThat(tgt.callChecked("GET", "counter").asText()).isEqualTo(Long.toString(writer.count()));
        }
    }

    private static void awaitLag(SyncTask task, java.util.function.LongPredicate ok, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long lag = task.lagMillis();
        while (!ok.test(lag)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + what + ", lag is " + lag + " ms");
            }
            Thread.sleep(20);
            lag = task.lagMillis();
        }
    }

    private static RedisServer server() {
        return RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
    }

    /** The checkpoint store of the task a command line names. */
    private record CheckpointStoreFor(dev.ferry.checkpoint.CheckpointStore store) {
        CheckpointStoreFor(String[] args) {
            this(new dev.ferry.checkpoint.CheckpointStore(SyncTask.taskId(SyncOptions.builder(
                    dev.ferry.resp.RedisEndpoint.parse(args[3]), dev.ferry.resp.RedisEndpoint.parse(args[5])).build())));
        }
    }
}
