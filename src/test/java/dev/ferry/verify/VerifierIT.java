package dev.ferry.verify;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.ClusterHarness;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The verifier against real servers: every kind of difference, standalone and cluster, both ways. */
class VerifierIT {

    private static VerifyOptions.Builder options(dev.ferry.resp.RedisEndpoint source, dev.ferry.resp.RedisEndpoint target) {
        return VerifyOptions.builder(source, target).rounds(2).roundPause(Duration.ofMillis(20));
    }

    private static Map<String, Difference.Kind> found(VerifyReport report) {
        Map<String, Difference.Kind> found = new TreeMap<>();
        for (Difference d : report.differences()) {
            found.put(new String(d.key().key(), StandardCharsets.ISO_8859_1), d.kind());
        }
        return found;
    }

    @Test
    void fullModeFindsEveryKindOfDifferenceBetweenStandaloneServersAndNoneOnceRepaired() {
        try (RedisServer source = RedisServer.builder().version("7.0.15").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            Seeds.base(src::callChecked);
            Seeds.base(tgt::callChecked);
            assertThat(Verifier.run(options(source.endpoint(), target.endpoint()).mode(VerifyMode.FULL).build()).consistent()).isTrue();
            Map<String, Difference.Kind> expected = Seeds.damage(tgt::callChecked);

            VerifyReport report = Verifier.run(options(source.endpoint(), target.endpoint()).mode(VerifyMode.FULL).build());
            assertThat(found(report)).isEqualTo(new TreeMap<>(expected));
            assertThat(report.roundDifferences()).containsExactly(expected.size(), expected.size());

            tgt.callChecked("FLUSHALL");
            Seeds.base(tgt::callChecked);
            assertThat(Verifier.run(options(source.endpoint(), target.endpoint()).mode(VerifyMode.FULL).build()).differences()).isEmpty();
        }
    }

    @Test
    void outlineModeFindsDifferencesOfTypeSizeExpiryAndPresence() {
        try (RedisServer source = RedisServer.builder().version("6.2.7").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            Seeds.base(src::callChecked);
            Seeds.base(tgt::callChecked);
            Map<String, Difference.Kind> expected = Seeds.damage(tgt::callChecked);
            expected.keySet().removeIf(Seeds::sameSize);
            tgt.callChecked("RPUSH", "l:val", "grown");
            expected.put("l:val", Difference.Kind.VALUE);

            VerifyReport report = Verifier.run(options(source.endpoint(), target.endpoint()).build());
            assertThat(found(report)).isEqualTo(new TreeMap<>(expected));
        }
    }

    @Test
    void aStandaloneSourceComparesWithAClusterTargetAndTheReverse() {
        try (RedisServer standalone = RedisServer.builder().version("7.0.15").start();
             ClusterHarness cluster = ClusterHarness.start(3);
             RedisConnection conn = standalone.connect()) {
            Seeds.base(conn::callChecked);
            Seeds.base(cluster::call);
            Map<String, Difference.Kind> expected = Seeds.damage(cluster::call);

            VerifyReport forward = Verifier.run(options(standalone.endpoint(), cluster.endpoint()).mode(VerifyMode.FULL).build());
            assertThat(found(forward)).isEqualTo(new TreeMap<>(expected));
            assertThat(forward.target()).contains("cluster of 3 masters");

            VerifyReport reverse = Verifier.run(options(cluster.endpoint(), standalone.endpoint()).mode(VerifyMode.FULL).build());
            Map<String, Difference.Kind> mirrored = new TreeMap<>(expected);
            mirrored.put("missing:key", Difference.Kind.EXTRA);
            mirrored.put("extra:key", Difference.Kind.MISSING);
            assertThat(found(reverse)).isEqualTo(mirrored);

            cluster.flushAll();
            Seeds.base(cluster::call);
            assertThat(Verifier.run(options(standalone.endpoint(), cluster.endpoint()).mode(VerifyMode.FULL).build()).consistent()).isTrue();
        }
    }
}
