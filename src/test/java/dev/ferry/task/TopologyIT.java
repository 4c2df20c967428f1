package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.MixedWorkload;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

/**
 * The one-way shapes besides one-to-one: one source copied into two targets at once (each task a replica
 * of its own), and a cascade A → B → C, where the second task copies what the first one applies to B (its
 * checkpointed transactions included, minus Ferry's own keys), under a mixed write load.
 */
class TopologyIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void oneSourceIntoTwoTargetsAndACascadeEndEqual() throws Exception {
        try (RedisServer a = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
             RedisServer b = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
             RedisServer c = RedisServer.builder().version("6.2.7").start();
             RedisServer d = RedisServer.builder().version("7.0.15").start();
             RedisConnection ca = a.connect();
             RedisConnection cb = b.connect();
             RedisConnection cc = c.connect();
             RedisConnection cd = d.connect()) {
            SampleData.load(ca, a.version(), SampleData.Options.builder().dbs(0, 1).build());
            // A -> B, B -> C (cascade, into an older version), A -> D (fan-out).
            try (SyncHarness ab = SyncHarness.start(options(a, b));
                 SyncHarness bc = SyncHarness.start(options(b, c));
                 SyncHarness ad = SyncHarness.start(options(a, d))) {
                ab.awaitStreaming(TIMEOUT);
                bc.awaitStreaming(TIMEOUT);
                ad.awaitStreaming(TIMEOUT);
                MixedWorkload.builder(ca, "7.0.15").dbs(0, 1).keySpace(500).seed(11).build().run(3000);
                ab.awaitCaughtUp(ca, TIMEOUT);
                ad.awaitCaughtUp(ca, TIMEOUT);
                bc.awaitCaughtUp(cb, TIMEOUT);
                ab.stop();
                bc.stop();
                ad.stop();
            }
            DataAssertions.assertSameData(ca, cb, Set.of(0, 1));
            DataAssertions.assertSameData(ca, cd, Set.of(0, 1));
            DataAssertions.assertSameData(ca, cc, Set.of(0, 1));
        }
    }

    private static SyncOptions options(RedisServer source, RedisServer target) {
        return SyncOptions.builder(source.endpoint(), target.endpoint()).progressInterval(Duration.ZERO).build();
    }
}
