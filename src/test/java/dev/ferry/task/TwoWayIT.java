package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two-way sync between two standalone servers: a forward task (snapshot + stream) and a reverse task
 * (stream only). Writes on either side reach the other exactly once and never come back: the workload
 * is non-idempotent (INCR, LPUSH, APPEND, transactions), so a write sent back even once shows.
 */
class TwoWayIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    static List<String> versions() {
        return Servers.versionsUnderTest();
    }

    /** Every version: how a server propagates a transaction to its replicas changed in 7.0 (and 2.8 is oldest). */
    @ParameterizedTest(name = "Redis {0} <-> Redis {0}")
    @MethodSource("versions")
    void writesOnBothSidesArriveOnceAndNeverLoopBack(String version) throws Exception {
        try (RedisServer a = server(version);
             RedisServer b = server(version);
             RedisConnection ca = a.connect();
             RedisConnection cb = b.connect()) {
            SampleData.load(ca, a.version(), SampleData.Options.builder().dbs(0, 1).build());
            SyncOptions forward = forward(a, b);
            SyncOptions reverse = reverse(a, b);
            try (SyncHarness fwd = SyncHarness.start(forward)) {
                fwd.awaitStreaming(TIMEOUT);
                try (SyncHarness rev = SyncHarness.start(reverse)) {
                    rev.awaitStreaming(TIMEOUT);
                    for (int round = 0; round < 200; round++) {
                        write(ca, "a", round);
                        write(cb, "b", round);
                    }
                    // Each side's writes went over, came back marked, and were dropped: wait for all of it.
                    awaitBothCaughtUp(fwd, ca, rev, cb);
                    assertThat(fwd.task.counters().transactionsLooped.sum()).as("forward: reverse's batches dropped").isPositive();
                    assertThat(rev.task.counters().transactionsLooped.sum()).as("reverse: forward's batches dropped").isPositive();
                    // Five writes a round on each side: what came back and was dropped is not counted as forwarded.
                    assertThat(fwd.task.counters().commandsForwarded.sum()).as("forward: writes forwarded").isEqualTo(1000);
                    assertThat(rev.task.counters().commandsForwarded.sum()).as("reverse: writes forwarded").isEqualTo(1000);
                    // Each side writes its own keys: nothing is reported as a conflict.
                    assertThat(fwd.task.counters().conflicts.sum() + rev.task.counters().conflicts.sum()).isZero();
                    rev.stop();
                }
                fwd.stop();
            }
            for (RedisConnection c : new RedisConnection[] {ca, cb}) {
                c.callChecked("SELECT", "1");
                assertThat(c.callChecked("GET", "a:n").asText()).isEqualTo("200");
                assertThat(c.callChecked("GET", "b:n").asText()).isEqualTo("200");
                assertThat(c.callChecked("LLEN", "a:list").asLong()).isEqualTo(200);
                assertThat(c.callChecked("LLEN", "b:list").asLong()).isEqualTo(200);
                assertThat(c.callChecked("GET", "b:tx").asText()).isEqualTo("400");
            }
            DataAssertions.assertSameData(ca, cb, Set.of(0, 1));
        }
    }

    /** The managed service needs a full re-sync after a pause of 5 s; here a task stopped for 8 s resumes. */
    @Test
    void aDirectionStoppedForSecondsResumesWithoutAFullResync() throws Exception {
        try (RedisServer a = server("7.0.15");
             RedisServer b = server("7.0.15");
             RedisConnection ca = a.connect();
             RedisConnection cb = b.connect()) {
            SyncOptions forward = forward(a, b);
            SyncOptions reverse = reverse(a, b);
            int round = 0;
            try (SyncHarness fwd = SyncHarness.start(forward)) {
                fwd.awaitStreaming(TIMEOUT);
                try (SyncHarness rev = SyncHarness.start(reverse)) {
                    rev.awaitStreaming(TIMEOUT);
                    rev.stop();
                }
                // Both sides keep writing for 8 s while the reverse direction is down.
                long until = System.currentTimeMillis() + 8000;
                while (System.currentTimeMillis() < until) {
                    write(ca, "a", round);
                    write(cb, "b", round);
                    round++;
                    Thread.sleep(20);
                }
                try (SyncHarness rev = SyncHarness.start(reverse)) {
                    rev.awaitStreaming(TIMEOUT);
                    assertThat(rev.task.partialResyncs()).isEqualTo(1);
                    assertThat(rev.task.fullResyncs()).isZero();
                    awaitBothCaughtUp(fwd, ca, rev, cb);
                    rev.stop();
                }
                fwd.stop();
                assertThat(fwd.task.fullResyncs()).isEqualTo(1);
            }
            for (RedisConnection c : new RedisConnection[] {ca, cb}) {
                c.callChecked("SELECT", "1");
                assertThat(c.callChecked("GET", "a:n").asText()).isEqualTo(Integer.toString(round));
                assertThat(c.callChecked("GET", "b:n").asText()).isEqualTo(Integer.toString(round));
            }
            DataAssertions.assertSameData(ca, cb, Set.of(0, 1));
        }
    }

    /**
     * One key written on both sides before either write crossed over: the sides now differ, and it is reported; writes
     * to different keys on each side (XGROUP CREATE of two streams) are not.
     */
    @Test
    void aKeyWrittenOnBothSidesAtOnceIsReportedAsAConflict() throws Exception {
        try (RedisServer a = server("7.0.15");
             RedisServer b = server("7.0.15");
             RedisConnection ca = a.connect();
             RedisConnection cb = b.connect()) {
            SyncOptions forward = forward(a, b);
            SyncOptions reverse = reverse(a, b);
            // The forward task copies first and checkpoints, so that the reverse may start.
            try (SyncHarness fwd = SyncHarness.start(forward)) {
                fwd.awaitStreaming(TIMEOUT);
                fwd.stop();
            }
            try (SyncHarness rev = SyncHarness.start(reverse)) {
                rev.awaitStreaming(TIMEOUT);
                // The forward direction is down while both sides write the same key.
                ca.callChecked("SET", "shared", "from-a");
                cb.callChecked("SET", "shared", "from-b");
                // Container commands name their key second: two different streams are no conflict.
                ca.callChecked("XGROUP", "CREATE", "stream-a", "g", "$", "MKSTREAM");
                cb.callChecked("XGROUP", "CREATE", "stream-b", "g", "$", "MKSTREAM");
                try (SyncHarness fwd = SyncHarness.start(forward)) {
                    fwd.awaitStreaming(TIMEOUT);
                    awaitBothCaughtUp(fwd, ca, rev, cb);
                    assertThat(rev.task.counters().conflicts.sum()).as("reverse saw B's write, then A's").isEqualTo(1);
                    assertThat(fwd.task.counters().conflicts.sum()).as("forward saw A's write, then B's").isEqualTo(1);
                    fwd.stop();
                }
                rev.stop();
            }
            // What the report warns about: each side ends with the other's write.
            assertThat(ca.callChecked("GET", "shared").asText()).isEqualTo("from-b");
            assertThat(cb.callChecked("GET", "shared").asText()).isEqualTo("from-a");
        }
    }

    @Test
    void theReverseTaskRefusesToStartBeforeTheForwardTaskStreams() throws Exception {
        try (RedisServer a = RedisServer.builder().version("7.0.15").start();
             RedisServer b = RedisServer.builder().version("7.0.15").start()) {
            SyncOptions reverse = SyncOptions.builder(b.endpoint(), a.endpoint()).twoWay(true).mode(SyncMode.INCREMENTAL)
                    .progressInterval(Duration.ZERO).retryFor(Duration.ZERO).build();
            try (SyncHarness rev = SyncHarness.start(reverse)) {
                FerryException failure = rev.awaitEnd(TIMEOUT);
                assertThat(failure).isNotNull();
                assertThat(failure.getMessage()).contains("two-way").contains("has no checkpoint").contains("start it first");
            }
        }
    }

    /**
     * Waits until each direction has applied what its source holds, twice over: the first pass brings the
     * other direction's marked batches into each source, the second sees them dropped.
     */
    private static void awaitBothCaughtUp(SyncHarness fwd, RedisConnection a, SyncHarness rev, RedisConnection b)
            throws InterruptedException {
        for (int pass = 0; pass < 2; pass++) {
            fwd.awaitCaughtUp(a, TIMEOUT);
            rev.awaitCaughtUp(b, TIMEOUT);
        }
    }

    /** A's data and writes to B. */
    private static SyncOptions forward(RedisServer a, RedisServer b) {
        return SyncOptions.builder(a.endpoint(), b.endpoint()).twoWay(true).progressInterval(Duration.ZERO).build();
    }

    /** B's writes back to A, once the forward task streams. */
    private static SyncOptions reverse(RedisServer a, RedisServer b) {
        return SyncOptions.builder(b.endpoint(), a.endpoint()).twoWay(true).mode(SyncMode.INCREMENTAL)
                .progressInterval(Duration.ZERO).build();
    }

    private static RedisServer server(String version) {
        RedisServer.Builder builder = RedisServer.builder().version(version);
        return (version.startsWith("2.") ? builder : builder.arg("--repl-diskless-sync-delay", "0")).start();
    }

    /** Non-idempotent writes in db 1, some in a transaction: applied twice, they would show. */
    private static void write(RedisConnection c, String side, int round) {
        c.callChecked("SELECT", "1");
        c.callChecked("INCR", side + ":n");
        c.callChecked("LPUSH", side + ":list", side + round);
        c.callChecked("APPEND", side + ":log", Integer.toString(round % 10));
        c.callChecked("MULTI");
        c.callChecked("INCRBY", side + ":tx", "2");
        c.callChecked("SELECT", "0");
        c.callChecked("SADD", side + ":set", Integer.toString(round));
        c.callChecked("EXEC");
    }
}
