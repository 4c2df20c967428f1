package dev.ferry.task;

import dev.ferry.checkpoint.CheckpointStore;
import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.ServerInfo;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.MixedWorkload;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly-once under crashes: Ferry is killed with SIGKILL at random moments of a full + incremental
 * sync while the source takes non-idempotent writes (INCR, LPUSH, APPEND, MULTI blocks, scripts...), and
 * restarted each time. The target must end equal to the source, and every restart after the snapshot
 * must have resumed with a partial resync.
 */
class ResumeIT {

    private static final int KILLS = 20;

    @Test
    void killedAtRandomMomentsFerryResumesAndAppliesEveryWriteExactlyOnce() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0")
                .arg("--repl-backlog-size", "64mb").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            SampleData.load(src, source.version(), SampleData.Options.builder().dbs(0, 3).largeSize(20_000).build());
            String[] args = {"sync", "--quiet", "--source", "redis://127.0.0.1:" + source.port(),
                    "--target", "redis://127.0.0.1:" + target.port()};
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicReference<Throwable> workloadError = new AtomicReference<>();
            Thread load = new Thread(() -> {
                try (RedisConnection w = source.connect()) {
                    MixedWorkload workload = MixedWorkload.builder(w, source.version()).dbs(0, 3).seed(5).build();
                    while (writing.get()) {
                        workload.run(200);
                        // A steady load, not a flood: the source's backlog must cover what a killed Ferry misses.
                        Thread.sleep(20);
                    }
                } catch (Throwable t) {
                    workloadError.set(t);
                }
            }, "workload");
            load.start();

            CheckpointStore store = new CheckpointStore(SyncTask.taskId(SyncOptions.builder(
                    dev.ferry.resp.RedisEndpoint.parse(args[3]), dev.ferry.resp.RedisEndpoint.parse(args[5])).build()));
            Random random = new Random(20_241_122);
            // A few kills early on, while the snapshot is being applied or just after.
            for (int i = 0; i < 3; i++) {
                try (FerryProcess ferry = FerryProcess.start(args)) {
                    Thread.sleep(400 + random.nextInt(1200));
                    ferry.kill();
                }
            }
            // Then one run that reaches the stream, and KILLS kills at random moments of streaming.
            try (FerryProcess ferry = FerryProcess.start(args)) {
                ferry.awaitCheckpoint(store, tgt, 0);
                ferry.kill();
            }
            ServerInfo before = ServerInfo.fetch(src);
            long fullBefore = before.getLong("sync_full", -1);
            long partialBefore = before.getLong("sync_partial_ok", -1);
            for (int i = 0; i < KILLS; i++) {
                try (FerryProcess ferry = FerryProcess.start(args)) {
                    // Killed at a random moment of streaming, once the source has continued the stream.
                    ferry.awaitLog("continues the stream", Duration.ofSeconds(60));
                    Thread.sleep(random.nextInt(1500));
                    assertThat(ferry.isAlive()).as("ferry died by itself:\n%s", ferry.log()).isTrue();
                    ferry.kill();
                }
            }
            writing.set(false);
            load.join();
            assertThat(workloadError.get()).isNull();

            try (FerryProcess ferry = FerryProcess.start(args)) {
                // The last run's own progress, not its predecessor's: it must have resumed first.
                ferry.awaitLog("continues the stream", Duration.ofSeconds(60));
                ferry.awaitCheckpoint(store, tgt, ServerInfo.fetch(src).getLong("master_repl_offset", -1));
                assertThat(ferry.terminate()).as("exit code after SIGTERM; log:\n%s", ferry.log()).isZero();
            }
            DataAssertions.assertSameData(src, tgt, Set.of(0, 3));
            ServerInfo after = ServerInfo.fetch(src);
            assertThat(after.getLong("sync_full", -1)).as("no full resync after the stream started").isEqualTo(fullBefore);
            // Every restart continued the stream: one partial resync per kill, and one for the last run.
            assertThat(after.getLong("sync_partial_ok", -1) - partialBefore).as("partial resyncs").isEqualTo(KILLS + 1);
        }
    }
}
