package dev.ferry.task;

import dev.ferry.checkpoint.CheckpointStore;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.ServerInfo;
import dev.ferry.testing.DataAssertions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two-way sync with both directions killed (SIGKILL) at random moments while both sides take
 * non-idempotent writes: every write reaches the other side exactly once, and none comes back.
 */
class TwoWayKillIT {

    private static final int KILLS = 8;

    @Test
    void bothDirectionsKilledAtRandomMomentsLoseNothingDoubleNothingAndNeverLoop() throws Exception {
        try (RedisServer a = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0")
                .arg("--repl-backlog-size", "64mb").start();
             RedisServer b = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0")
                     .arg("--repl-backlog-size", "64mb").start();
             RedisConnection ca = a.connect();
             RedisConnection cb = b.connect()) {
            String uriA = "redis://127.0.0.1:" + a.port();
            String uriB = "redis://127.0.0.1:" + b.port();
            String[] forward = {"sync", "--quiet", "--two-way", "--source", uriA, "--target", uriB};
            String[] reverse = {"sync", "--quiet", "--two-way", "--mode", "incremental", "--source", uriB, "--target", uriA};
            CheckpointStore forwardCp = new CheckpointStore(SyncTask.taskId(SyncOptions.builder(
                    RedisEndpoint.parse(uriA), RedisEndpoint.parse(uriB)).build()));
            CheckpointStore reverseCp = new CheckpointStore(SyncTask.taskId(SyncOptions.builder(
                    RedisEndpoint.parse(uriB), RedisEndpoint.parse(uriA)).build()));
            ca.callChecked("SET", "a:n", "0");

            FerryProcess fwd = FerryProcess.start(forward);
            fwd.awaitCheckpoint(forwardCp, cb, 0);
            FerryProcess rev = FerryProcess.start(reverse);
            rev.awaitCheckpoint(reverseCp, ca, 0);

            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicReference<Throwable> error = new AtomicReference<>();
            AtomicInteger writesA = new AtomicInteger();
            AtomicInteger writesB = new AtomicInteger();
            Thread loadA = load(a, "a", writing, writesA, error);
            Thread loadB = load(b, "b", writing, writesB, error);
            Random random = new Random(20_261_122);
            for (int i = 0; i < KILLS; i++) {
                boolean killForward = random.nextBoolean();
                FerryProcess victim = killForward ? fwd : rev;
                Thread.sleep(300 + random.nextInt(1200));
                assertThat(victim.isAlive()).as("ferry died by itself:\n%s", victim.log()).isTrue();
                victim.kill();
                victim.close();
                FerryProcess restarted = FerryProcess.start(killForward ? forward : reverse);
                restarted.awaitLog("continues the stream", Duration.ofSeconds(60));
                if (killForward) {
                    fwd = restarted;
                } else {
                    rev = restarted;
                }
            }
            writing.set(false);
            loadA.join();
            loadB.join();
            assertThat(error.get()).isNull();
            // Each direction applies what its source holds now; the other direction's marked batches come along.
            for (int pass = 0; pass < 2; pass++) {
                fwd.awaitCheckpoint(forwardCp, cb, ServerInfo.fetch(ca).getLong("master_repl_offset", -1));
                rev.awaitCheckpoint(reverseCp, ca, ServerInfo.fetch(cb).getLong("master_repl_offset", -1));
            }
            assertThat(fwd.terminate()).as("forward exit code; log:\n%s", fwd.log()).isZero();
            assertThat(rev.terminate()).as("reverse exit code; log:\n%s", rev.log()).isZero();
            for (RedisConnection c : new RedisConnection[] {ca, cb}) {
                assertThat(c.callChecked("GET", "a:n").asText()).isEqualTo(Integer.toString(writesA.get()));
                assertThat(c.callChecked("GET", "b:n").asText()).isEqualTo(Integer.toString(writesB.get()));
                assertThat(c.callChecked("LLEN", "a:list").asLong()).isEqualTo(writesA.get());
                assertThat(c.callChecked("LLEN", "b:list").asLong()).isEqualTo(writesB.get());
            }
            DataAssertions.assertSameData(ca, cb, Set.of(0));
        }
    }

    /** INCR and LPUSH on one side's own keys, a round every 5 ms, counted. */
    private static Thread load(RedisServer server, String side, AtomicBoolean writing, AtomicInteger rounds,
                               AtomicReference<Throwable> error) {
        Thread t = new Thread(() -> {
            try (RedisConnection c = server.connect()) {
                while (writing.get()) {
                    c.callChecked("INCR", side + ":n");
                    c.callChecked("LPUSH", side + ":list", side + rounds.get());
                    rounds.incrementAndGet();
                    Thread.sleep(5);
                }
            } catch (Throwable e) {
                error.set(e);
            }
        }, "load-" + side);
        t.start();
        return t;
    }
}
