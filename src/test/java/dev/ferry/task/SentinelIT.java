package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.LoadThread;
import dev.ferry.testing.SentinelProcess;
import dev.ferry.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Sentinel-managed master as the source ({@code redis-sentinel://host:port/<name>}), failed over with
 * {@code SENTINEL FAILOVER} under INCR, LPUSH, APPEND and XADD: the sync asks the Sentinel, moves to the promoted
 * replica and continues the stream there (partial resync), every key exact.
 */
class SentinelIT {

    private static final String VERSION = "7.0.15";
    private static final String NAME = "ferrymaster";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final Servers servers = new Servers();

    /** Writes paused for the failover: the promoted replica has every write, so the stream continues there. */
    @Test
    void aSentinelFailoverOfTheSourceIsFollowedWithAPartialResync() throws Exception {
        followed(false);
    }

    /**
     * Writes go on throughout: the old master takes writes until the Sentinel turns it into a replica, and those are
     * lost on the source itself; the task copies the source again where it had applied some. Exact either way.
     */
    @Test
    void aSentinelFailoverUnderWritesEndsExact() throws Exception {
        followed(true);
    }

    private static void followed(boolean writesDuringFailover) throws Exception {
        RedisServer master = servers.start(VERSION, "--repl-diskless-sync-delay", "0");
        RedisServer replica = servers.startReplicaOf(master, "--repl-diskless-sync-delay", "0");
        RedisServer target = servers.start(VERSION);
        try (SentinelProcess sentinel = SentinelProcess.watch(master, NAME, 1);
             RedisConnection tgt = target.connect()) {
            String uri = "redis-sentinel://" + sentinel.endpoint().address() + "/" + NAME;
            SentinelLoad load = new SentinelLoad(sentinel);
            try (FerryProcess ferry = FerryProcess.start("sync", "--source", uri, "--target", "redis://" + target.endpoint().address())) {
                ferry.awaitLog("snapshot read", TIMEOUT);
                load.awaitMoreWrites(2000);
                if (!writesDuringFailover) {
                    load.stop();
                    Servers.awaitInSync(master, replica, TIMEOUT);
                }
                sentinel.failover(NAME, TIMEOUT);
                awaitMaster(sentinel, replica);
                ferry.awaitLog("failed over to " + replica.endpoint().address(), TIMEOUT);
                if (!writesDuringFailover) {
                    load = new SentinelLoad(sentinel);
                }
                load.awaitMoreWrites(2000);
                load.stop();
                try (RedisConnection now = replica.connect()) {
                    now.callChecked("SET", "written-last", "1");
                    long deadline = System.nanoTime() + TIMEOUT.toNanos();
                    while (tgt.callChecked("EXISTS", "written-last").asLong() == 0) {
                        assertThat(System.nanoTime()).as("the last write arrives; log:\n%s", ferry.log()).isLessThan(deadline);
                        Thread.sleep(20);
                    }
                    DataAssertions.assertSameData(now, tgt);
                }
                String log = ferry.log();
                if (!writesDuringFailover) {
                    assertThat(log).contains("continues the stream after offset");
                    assertThat(log.split("starts a full resync", -1)).as("one full resync, the first; log:\n%s", log).hasSize(2);
                } else {
                    assertThat(log).containsAnyOf("continues the stream after offset", "lost in the failover");
                }
                assertThat(ferry.terminate()).isZero();
            } finally {
                load.close();
            }
        }
    }

    @Test
    void aMasterNameTheSentinelsDoNotKnowIsRefusedClearly() throws Exception {
        RedisServer master = servers.start(VERSION);
        RedisServer target = servers.start(VERSION);
        try (SentinelProcess sentinel = SentinelProcess.watch(master, NAME, 0)) {
            try (FerryProcess ferry = FerryProcess.start("sync", "--source", "redis-sentinel://:s3cret-pw@"
                    + sentinel.endpoint().address() + "/nosuchmaster", "--target", "redis://" + target.endpoint().address())) {
                assertThat(ferry.awaitExit(TIMEOUT)).isEqualTo(1);
                assertThat(ferry.log()).contains("knows no master named 'nosuchmaster'").doesNotContain("s3cret-pw");
            }
        }
    }

    private static void awaitMaster(SentinelProcess sentinel, RedisServer node) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!sentinel.masterAddress(NAME).equals(node.endpoint().address())) {
            assertThat(System.nanoTime()).as("the Sentinel names %s", node).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** INCR, LPUSH, APPEND, XADD on the master the Sentinel names; a write that fails is not sent again. */
    private static final class SentinelLoad extends LoadThread {

        private final AtomicLong writes = new AtomicLong();

        SentinelLoad(SentinelProcess sentinel) {
            start("sentinel-load", () -> {
                Random random = new Random(3);
                RedisConnection conn = null;
                try {
                    while (running()) {
                        int n = random.nextInt(300);
                        Object[] command = switch (n % 4) {
                            case 0 -> new Object[] {"INCR", "s:c:" + n};
                            case 1 -> new Object[] {"LPUSH", "s:l:" + n, Long.toString(writes.get())};
                            case 2 -> new Object[] {"APPEND", "s:a:" + n, n + ";"};
                            default -> new Object[] {"XADD", "s:x:" + n, "*", "n", Long.toString(writes.get())};
                        };
                        try {
                            if (conn == null) {
                                String[] address = sentinel.masterAddress(NAME).split(":");
                                conn = RedisConnection.open(RedisEndpoint.of(address[0], Integer.parseInt(address[1])));
                            }
                            conn.callChecked(command);
                            writes.incrementAndGet();
                        } catch (FerryException e) {
                            // The master changed (READONLY, connection closed): ask the Sentinel again.
                            if (conn != null) {
                                conn.close();
                                conn = null;
                            }
                            Thread.sleep(20);
                        }
                        if (writes.get() % 10 == 0) {
                            Thread.sleep(2);
                        }
                    }
                } finally {
                    if (conn != null) {
                        conn.close();
                    }
                }
            });
        }

        void awaitMoreWrites(long more) throws InterruptedException {
            awaitMore(writes::get, more, TIMEOUT, "writes");
        }
    }
}
