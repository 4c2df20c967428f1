package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.MixedWorkload;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Network trouble between Ferry and each server, through an in-process proxy: connections cut, and
 * partitions of 1, 10 and 60 seconds, under write load. The sync must resume each time from its
 * checkpoint (no new full resync) and end equal.
 */
class NetworkFaultIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void cutsAndPartitionsOnBothSidesAreSurvivedWithoutAFullResync() throws Exception {
        // The backlog must hold what the source takes during the 60 s partition (a few MB/s here).
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0")
                .arg("--repl-backlog-size", "512mb").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             FaultProxy toSource = FaultProxy.to(source.port());
             FaultProxy toTarget = FaultProxy.to(target.port());
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            SampleData.load(src, source.version(), SampleData.Options.builder().dbs(0, 2).build());
            SyncOptions options = SyncOptions.builder(toSource.endpoint(source.endpoint()), toTarget.endpoint(target.endpoint()))
                    .sourceTimeout(Duration.ofSeconds(3)).targetTimeout(Duration.ofSeconds(3)).progressInterval(Duration.ZERO)
                    .build();
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicReference<Throwable> workloadError = new AtomicReference<>();
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                Thread load = new Thread(() -> {
                    try (RedisConnection w = source.connect()) {
                        MixedWorkload workload = MixedWorkload.builder(w, source.version()).dbs(0, 2).seed(9).build();
                        while (writing.get()) {
                            workload.run(100);
                            Thread.sleep(5);
                        }
                    } catch (Throwable t) {
                        workloadError.set(t);
                    }
                }, "workload");
                load.start();

                Thread.sleep(500);
                toSource.cut();
                Thread.sleep(1000);
                toTarget.cut();
                Thread.sleep(1000);
                partition(sync, 1, toSource, toTarget);
                partition(sync, 10, toSource);
                partition(sync, 10, toTarget);
                partition(sync, 60, toSource, toTarget);
                Thread.sleep(1000);

                writing.set(false);
                load.join();
                assertThat(workloadError.get()).isNull();
                sync.awaitCaughtUp(src, TIMEOUT);
                sync.stop();
                assertThat(sync.task.fullResyncs()).as("full resyncs").isEqualTo(1);
                assertThat(sync.task.partialResyncs()).as("partial resyncs").isGreaterThanOrEqualTo(4);
            }
            DataAssertions.assertSameData(src, tgt, Set.of(0, 2));
        }
    }

    @Test
    void everyNewOutageIsRetriedAfterTheShortestDelayAgain() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect()) {
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                for (int outage = 1; outage <= 3; outage++) {
                    int partialsBefore = sync.task.partialResyncs();
                    src.callChecked("CLIENT", "KILL", "TYPE", "slave");
                    long deadline = System.currentTimeMillis() + 30_000;
                    while (sync.task.partialResyncs() == partialsBefore || sync.task.state() != TaskState.STREAMING) {
                        assertThat(System.currentTimeMillis()).as("streaming again after outage %d", outage).isLessThan(deadline);
                        Thread.sleep(10);
                    }
                    assertThat(sync.task.retryDelayMillis()).as("first retry delay of outage %d", outage).isEqualTo(500);
                }
                sync.stop();
            }
        }
    }

    private static void partition(SyncHarness sync, int seconds, FaultProxy... proxies) throws InterruptedException {
        for (FaultProxy p : proxies) {
            p.blackhole(true);
        }
        Thread.sleep(seconds * 1000L);
        for (FaultProxy p : proxies) {
            p.blackhole(false);
        }
        // Connections stalled during the partition are dead to Ferry by now: drop them as a router would.
        for (FaultProxy p : proxies) {
            p.cut();
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (sync.task.state() != TaskState.STREAMING) {
            assertThat(sync.task.failure()).as("sync failed").isNull();
            assertThat(System.currentTimeMillis()).as("streaming again after a %d s partition", seconds).isLessThan(deadline);
            Thread.sleep(20);
        }
        Thread.sleep(500);
    }
}
