package dev.ferry.task;

import dev.ferry.MemoryBudget;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.DataAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two tasks share one small memory budget while both targets are paused under writes: what the sources
 * send waits on disk instead of in memory, the budget holds (give or take the one chunk or command each
 * part may always take), nothing deadlocks, and everything arrives once the targets answer again.
 */
class MemoryBudgetIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final long BUDGET = 2L << 20;

    @TempDir
    Path stateDir;

    @Test
    void tasksSharingABudgetSpillToDiskWhileTheTargetsArePausedAndLoseNothing() throws Exception {
        MemoryBudget budget = new MemoryBudget(BUDGET);
        List<RedisServer> servers = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                servers.add(RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start());
            }
            List<SyncHarness> syncs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                syncs.add(SyncHarness.start(SyncOptions.builder(servers.get(i).endpoint(), servers.get(2 + i).endpoint())
                        .memoryBudget(budget).stateDir(stateDir).progressInterval(Duration.ZERO).build()));
            }
            try {
                for (SyncHarness sync : syncs) {
                    sync.awaitStreaming(TIMEOUT);
                }
                AtomicBoolean sampling = new AtomicBoolean(true);
                AtomicLong peakUsed = new AtomicLong();
                AtomicLong peakSpooled = new AtomicLong();
                Thread sampler = new Thread(() -> {
                    while (sampling.get()) {
                        peakUsed.accumulateAndGet(budget.used(), Math::max);
                        peakSpooled.accumulateAndGet(syncs.get(0).task.spooled() + syncs.get(1).task.spooled(), Math::max);
                        Thread.onSpinWait();
                    }
                }, "budget-sampler");
                sampler.start();
                for (int i = 2; i < 4; i++) {
                    try (RedisConnection target = servers.get(i).connect()) {
                        target.callChecked("CLIENT", "PAUSE", "4000", "WRITE");
                    }
                }
                for (int i = 0; i < 2; i++) {
                    try (RedisConnection source = servers.get(i).connect()) {
                        writeValues(source, 8_000, 2048);
                    }
                }
                for (int i = 0; i < 2; i++) {
                    try (RedisConnection source = servers.get(i).connect()) {
                        syncs.get(i).awaitCaughtUp(source, TIMEOUT);
                    }
                }
                sampling.set(false);
                sampler.join();
                assertThat(peakSpooled.get()).as("bytes waiting in the spools at the peak").isGreaterThan(4 * BUDGET);
                // Each spool, batch and window may take one chunk or command beyond the budget.
                assertThat(peakUsed.get()).as("budget used at the peak").isLessThan(BUDGET + (1L << 20));
                for (SyncHarness sync : syncs) {
                    sync.stop();
                }
            } finally {
                for (SyncHarness sync : syncs) {
                    sync.close();
                }
            }
            assertThat(budget.used()).as("memory still held once the tasks ended").isZero();
            for (int i = 0; i < 2; i++) {
                try (RedisConnection source = servers.get(i).connect(); RedisConnection target = servers.get(2 + i).connect()) {
                    DataAssertions.assertSameData(source, target, Set.of(0));
                }
            }
        } finally {
            for (RedisServer server : servers) {
                server.close();
            }
        }
    }

    /** {@code count} SETs of {@code size}-byte values, pipelined 500 at a time. */
    private static void writeValues(RedisConnection conn, int count, int size) {
        byte[] value = new byte[size];
        for (int i = 0; i < count; i += 500) {
            for (int j = i; j < i + 500; j++) {
                value[0] = (byte) j;
                conn.send("SET", "key:" + j, value.clone());
            }
            conn.flush();
            for (int j = i; j < i + 500; j++) {
                conn.read();
            }
        }
    }
}
