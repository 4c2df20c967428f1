package dev.ferry.cli;

import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.testing.ClusterData;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.KeyPrefixes;
import dev.ferry.verify.Verifier;
import dev.ferry.verify.VerifyMode;
import dev.ferry.verify.VerifyOptions;
import dev.ferry.verify.VerifyReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redis Cluster as the target of {@code ferry sync --mode full}: a standalone server's three databases
 * merged into the cluster's database 0, a cluster of three masters into one of four, and what is refused
 * (a database not mapped to 0, a target that already holds keys). Streaming into a cluster: ClusterStreamIT.
 */
class ClusterTargetIT {

    private static final String VERSION = "7.0.15";
    private static final String MERGE = "0:0,1:0,2:0";

    private record Result(int exitCode, String out, String err) {
        String lastLine() {
            List<String> lines = err.strip().lines().toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {"7.0.15", "6.2.7"})
    void threeStandaloneDatabasesLandInTheClusterKeyForKeyAndVerifyAgrees(String version) {
        try (RedisServer source = RedisServer.builder().version(version).start();
             ClusterHarness target = ClusterHarness.start(version, 3);
             RedisConnection src = source.connect()) {
            SampleData.Summary sample = SampleData.load(src, version, SampleData.Options.builder().dbs(0, 1, 2).build());
            KeyPrefixes.prefixKeys(src, 1, "d1:");
            KeyPrefixes.prefixKeys(src, 2, "d2:");

            Result r = ferry("sync", "--quiet", "--mode", "full", "--retry-for", "0", "--db-map", MERGE, "--source", uri(source),
                    "--target", target.uri());

            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.err()).contains("ferry: sync finished: " + sample.totalKeys() + " keys copied");
            ClusterData.assertSameData(src, Set.of(0, 1, 2), target);
            assertThat(mastersHoldingKeys(target)).as("every master got its slots' keys").isEqualTo(3);
            Result verify = ferry("verify", "--mode", "full", "--rounds", "1", "--db-map", MERGE, "--source", uri(source),
                    "--target", target.uri());
            assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();

            // Run again: the checkpoint says the target is this task's, so it is emptied (on every master) and copied anew.
            src.callChecked("SELECT", "1");
            src.callChecked("SET", "d1:added-between-runs", "x");
            String gone = ((RespValue.Array) src.callChecked("KEYS", "d1:*")).items().get(0).asText();
            src.callChecked("DEL", gone);
            src.callChecked("SELECT", "0");
            Result again = ferry("sync", "--quiet", "--mode", "full", "--retry-for", "0", "--db-map", MERGE, "--source",
                    uri(source), "--target", target.uri());
            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(target.call("EXISTS", gone).asLong()).isZero();
            ClusterData.assertSameData(src, Set.of(0, 1, 2), target);
        }
    }

    @Test
    void aClusterOfThreeMastersIsCopiedIntoOneOfFourExactly() {
        try (ClusterHarness source = ClusterHarness.start(VERSION, 3);
             ClusterHarness target = ClusterHarness.start(VERSION, 4)) {
            for (int i = 0; i < 400; i++) {
                source.call("SET", "s:" + i, "v" + i);
                source.call("RPUSH", "l:" + i, "a", "b", Integer.toString(i));
                source.call("HSET", "h:" + i, "f", Integer.toString(i), "g", "x");
                source.call("SADD", "set:" + i, "m1", "m2");
                source.call("ZADD", "z:" + i, "1.5", "a", "2", "b");
                if (i % 10 == 0) {
                    source.call("PEXPIREAT", "s:" + i, Long.toString(SampleData.EXPIRY_BASE_MILLIS + i));
                    source.call("XADD", "x:" + i, "*", "f", "v");
                }
            }

            Result r = ferry("sync", "--quiet", "--mode", "full", "--retry-for", "0", "--source", source.uri(), "--target", target.uri());

            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.err()).contains("ferry: sync finished: 2040 keys copied");
            VerifyReport report = Verifier.run(VerifyOptions.builder(source.endpoint(), target.endpoint())
                    .mode(VerifyMode.FULL).rounds(1).build());
            assertThat(report.differences()).isEmpty();
            assertThat(report.sourceKeys()).isEqualTo(2040);
            assertThat(mastersHoldingKeys(target)).isEqualTo(4);

            // Run again: each source master's task deletes its slots' keys on the target masters, then copies anew.
            source.call("DEL", "h:7");
            source.call("SET", "added-between-runs", "x");
            Result again = ferry("sync", "--quiet", "--mode", "full", "--retry-for", "0", "--source", source.uri(),
                    "--target", target.uri());
            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(target.call("EXISTS", "h:7").asLong()).isZero();
            assertThat(Verifier.run(VerifyOptions.builder(source.endpoint(), target.endpoint())
                    .mode(VerifyMode.FULL).rounds(1).build()).differences()).isEmpty();
        }
    }

    @Test
    void unmappedDatabasesAndABusyTargetAreRefusedWithTheReason() {
        try (RedisServer source = RedisServer.builder().version(VERSION).start();
             ClusterHarness target = ClusterHarness.start(VERSION, 3);
             RedisConnection src = source.connect()) {
            src.callChecked("SET", "k", "v");
            src.callChecked("SELECT", "1");
            src.callChecked("SET", "other", "v");

            Result unmapped = ferry("sync", "--quiet", "--mode", "full", "--retry-for", "0", "--source", uri(source),
                    "--target", target.uri());
            assertThat(unmapped.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(unmapped.lastLine()).as("the precheck refuses").contains("db-mapping").contains("--db-map");
            // Past the precheck, the task refuses the same thing on its own, naming the option.
            Result unchecked = ferry("sync", "--quiet", "--mode", "full", "--retry-for", "0", "--skip-checks",
                    "db-mapping", "--source", uri(source), "--target", target.uri());
            assertThat(unchecked.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(unchecked.lastLine()).contains("database 0 only").contains("--db-map 0:0,1:0");

            target.call("SET", "in-the-way", "x");
            Result busy = ferry("sync", "--quiet", "--mode", "full", "--db-map", "0:0,1:0", "--retry-for", "0",
                    "--source", uri(source), "--target", target.uri());
            assertThat(busy.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(busy.lastLine()).contains("already holds keys").contains("--existing overwrite");
            assertThat(unmapped.err() + unchecked.err() + busy.err()).doesNotContain("\tat ");
        }
    }

    private static int mastersHoldingKeys(ClusterHarness cluster) {
        int holding = 0;
        for (RedisServer node : cluster.nodes()) {
            try (RedisConnection c = node.connect()) {
                holding += c.callChecked("DBSIZE").asLong() > 0 ? 1 : 0;
            }
        }
        return holding;
    }

    private static Result ferry(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    private static String uri(RedisServer s) {
        return "redis://127.0.0.1:" + s.port();
    }
}
