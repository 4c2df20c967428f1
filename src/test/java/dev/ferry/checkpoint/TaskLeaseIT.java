package dev.ferry.checkpoint;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The lease's guard in the target itself, with two holders driven by hand. */
class TaskLeaseIT {

    private static final Duration TTL = Duration.ofSeconds(2);

    @RegisterExtension
    static final Servers servers = new Servers();

    /**
     * A holder frozen past its lease, whose task another process took over and then let go (a handover): the lease
     * is missing again when the first one wakes up, yet its transactions must be refused, since the other applied
     * writes meanwhile. Found by the worker chaos simulation (a counter ahead of its source).
     */
    @Test
    void aLeaseTakenOverAndReleasedMeanwhileIsNotTakenBackByItsFormerHolder() throws Exception {
        RedisServer target = servers.start("7.0.15");
        try (RedisConnection frozenConn = target.connect(); RedisConnection otherConn = target.connect();
             TaskLease frozen = new TaskLease("t", target.endpoint(), TTL);
             TaskLease other = new TaskLease("t", target.endpoint(), TTL)) {
            frozen.acquire(frozenConn, () -> false);
            frozen.close(); // no renewal from now on: as frozen
            awaitGone(frozenConn, ControlKeys.standalone("t").lease());

            other.acquire(otherConn, () -> false);
            assertThat(guardedSet(otherConn, other, "by-other")).as("the new holder's transaction").isTrue();
            other.release(otherConn);

            assertThat(guardedSet(frozenConn, frozen, "by-frozen")).as("the former holder's transaction").isFalse();
            assertThat(frozenConn.callChecked("GET", "x").asText()).isEqualTo("by-other");
        }
    }

    /** A lease that merely expired, nobody having taken it, is taken back by its holder (a target that stalled). */
    @Test
    void aLeaseThatExpiredUntakenIsTakenBackByItsHolder() throws Exception {
        RedisServer target = servers.start("7.0.15");
        try (RedisConnection conn = target.connect(); TaskLease lease = new TaskLease("t", target.endpoint(), TTL)) {
            assertThat(lease.lapsed()).as("before it is taken").isFalse();
            lease.acquire(conn, () -> false);
            assertThat(lease.lapsed()).as("just taken").isFalse();
            lease.close();
            awaitGone(conn, ControlKeys.standalone("t").lease());
            // Not renewed within its TTL: the process must say it is not applying (what a worker's API shows).
            assertThat(lease.lapsed()).as("past its TTL without renewal").isTrue();
            assertThat(guardedSet(conn, lease, "again")).isTrue();
            assertThat(conn.callChecked("GET", "x").asText()).isEqualTo("again");
        }
    }

    /** {@code SET x value} in a transaction behind {@code lease}'s guard; whether the target applied it. */
    private static boolean guardedSet(RedisConnection conn, TaskLease lease, String value) {
        for (byte[][] cmd : lease.guard()) {
            // The guard's script answers an error when it fences: the EXEC below then answers nil.
            conn.call((Object[]) cmd);
        }
        conn.callChecked("MULTI");
        conn.callChecked("SET", "x", value);
        RespValue exec = conn.call("EXEC");
        // A nil array: the WATCH saw the fence move.
        return exec instanceof RespValue.Array a && a.items() != null;
    }

    private static void awaitGone(RedisConnection conn, String key) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (conn.callChecked("EXISTS", key).asLong() == 1) {
            assertThat(System.nanoTime()).as(key + " expired").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
