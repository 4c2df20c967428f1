package dev.ferry.cli;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line against real servers: exit codes and one-line errors that never show a password. */
class SyncCommandIT {

    /** What a run of the command line did. */
    record Result(int exitCode, String out, String err) {
    }

    /** Runs {@code ferry args} in this JVM (also used by the other command tests). */
    static Result ferry(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void fullModeCopiesTheSnapshotAndExitsZero() {
        try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
            try (RedisConnection c = source.connect()) {
                c.callChecked("SET", "k", "v");
                c.callChecked("RPUSH", "l", "a", "b");
            }
            Result r = ferry("sync", "--quiet", "--mode", "full", "--source", uri(source), "--target", uri(target));
            assertThat(r.exitCode()).as(r.err()).isZero();
            try (RedisConnection c = target.connect()) {
                assertThat(c.callChecked("GET", "k").asText()).isEqualTo("v");
                assertThat(c.callChecked("LLEN", "l").asLong()).isEqualTo(2);
            }
        }
    }

    @Test
    void aTaskFileInTheServersFormatRunsAndAnOptionGivenTwiceIsRefused(@TempDir Path dir) throws Exception {
        try (RedisServer source = RedisServer.builder().arg("--requirepass", "src-pw-81").start();
             RedisServer target = RedisServer.builder().start()) {
            try (RedisConnection c = source.connect()) {
                c.callChecked("SET", "a", "1");
                c.callChecked("SELECT", "3");
                c.callChecked("SET", "b", "2");
            }
            Files.writeString(dir.resolve("source.pw"), "src-pw-81\n");
            Path file = dir.resolve("task.yaml");
            Files.writeString(file, "tasks:\n  - name: orders\n    source: " + uri(source) + "\n"
                    + "    source-password-file: " + dir.resolve("source.pw") + "\n    target: " + uri(target) + "\n"
                    + "    dbs: [3]\n");
            Result r = ferry("sync", "--quiet", "--config", file.toString(), "--mode", "full");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.err()).contains("ferry: sync finished: 1 keys copied");
            try (RedisConnection c = target.connect()) {
                c.callChecked("SELECT", "3");
                assertThat(c.callChecked("GET", "b").asText()).isEqualTo("2");
                c.callChecked("SELECT", "0");
                assertThat(c.callChecked("EXISTS", "a").asLong()).isZero();
            }

            Result twice = ferry("sync", "--config", file.toString(), "--dbs", "0");
            assertThat(twice.exitCode()).isEqualTo(Main.EXIT_USAGE);
            assertThat(twice.err()).contains("--dbs is given on the command line and in " + file + " (dbs): give it in one place");
            Files.writeString(dir.resolve("two.yaml"), "tasks:\n  - {name: a, source: redis://h:1, target: redis://h:2}\n"
                    + "  - {name: b, source: redis://h:3, target: redis://h:4}\n");
            Result two = ferry("sync", "--config", dir.resolve("two.yaml").toString());
            assertThat(two.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(two.err()).contains("2 tasks ([a, b]): ferry sync runs one");
            Result unknown = ferry("sync", "--config", file.toString(), "--mode", "full", "--target", uri(target));
            assertThat(unknown.exitCode()).isEqualTo(Main.EXIT_USAGE);
            assertThat(unknown.err()).contains("--target is given on the command line and in");
            Result none = ferry("sync", "--mode", "full");
            assertThat(none.exitCode()).isEqualTo(Main.EXIT_USAGE);
            assertThat(none.err()).contains("missing --source and --target (or --config FILE with a task)");
        }
    }

    @Test
    void theReverseOfATwoWayPairRefusesToStartAloneAndPeerTaskNeedsTwoWay() {
        try (RedisServer a = RedisServer.builder().start(); RedisServer b = RedisServer.builder().start()) {
            Result early = ferry("sync", "--quiet", "--two-way", "--mode", "incremental", "--retry-for", "0",
                    "--source", uri(b), "--target", uri(a));
            assertThat(early.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            // Precheck warnings may come first; the error is one line, the last.
            List<String> lines = early.err().strip().lines().toList();
            assertThat(lines.get(lines.size() - 1)).startsWith("ferry: error: two-way: the forward task ")
                    .contains("start it first");
            assertThat(early.err()).doesNotContain("\tat ");
            assertThat(lines).filteredOn(l -> l.startsWith("ferry: error")).hasSize(1);
            Result usage = ferry("sync", "--quiet", "--peer-task", "abc", "--source", uri(a), "--target", uri(b));
            assertThat(usage.exitCode()).isEqualTo(Main.EXIT_USAGE);
            assertThat(usage.err()).contains("--peer-task needs --two-way");
        }
    }

    @Test
    void aClusterSourceIsCopiedByOneTaskPerMaster() {
        try (ClusterHarness source = ClusterHarness.start(3); RedisServer target = RedisServer.builder().start()) {
            for (int i = 0; i < 300; i++) {
                source.call("SET", "k:" + i, "v" + i);
            }
            Result r = ferry("sync", "--quiet", "--mode", "full", "--source", source.uri(), "--target", uri(target));
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.err()).contains("ferry: sync finished: 300 keys copied");
            try (RedisConnection c = target.connect()) {
                assertThat(c.callChecked("GET", "k:123").asText()).isEqualTo("v123");
                assertThat(((RespValue.Array) c.callChecked("KEYS", "k:*")).items()).hasSize(300);
            }
            Result dbs = ferry("sync", "--quiet", "--dbs", "3", "--source", source.uri(), "--target", uri(target));
            assertThat(dbs.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(dbs.err()).contains("only database 0");
        }
    }

    @Test
    void wrongPasswordIsAOneLineErrorWithoutThePassword() {
        try (RedisServer source = RedisServer.builder().arg("--requirepass", "right-secret").start();
             RedisServer target = RedisServer.builder().start()) {
            Result r = ferry("sync", "--quiet", "--source", "redis://:wrong-secret@127.0.0.1:" + source.port(),
                    "--target", uri(target));
            assertThat(r.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(r.err()).startsWith("ferry: error: ").contains("authentication").contains(":" + source.port())
                    .doesNotContain("wrong-secret").doesNotContain("right-secret").doesNotContain("\tat ");
            assertThat(r.err().strip().lines()).hasSize(1);
        }
    }

    @Test
    void missingPasswordSaysThatOneIsNeeded() {
        try (RedisServer source = RedisServer.builder().arg("--requirepass", "s3cret").start();
             RedisServer target = RedisServer.builder().start()) {
            Result r = ferry("sync", "--quiet", "--source", uri(source), "--target", uri(target));
            assertThat(r.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(r.err()).contains("requires a password").doesNotContain("s3cret").doesNotContain("\tat ");
        }
    }

    @Test
    void unreachableHostIsAOneLineError() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (RedisServer target = RedisServer.builder().start()) {
            Result r = ferry("sync", "--quiet", "--source", "redis://127.0.0.1:" + closedPort, "--target", uri(target));
            assertThat(r.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(r.err()).startsWith("ferry: error: ").contains("cannot connect to 127.0.0.1:" + closedPort)
                    .doesNotContain("\tat ");
            assertThat(r.err().strip().lines()).hasSize(1);
        }
    }

    @Test
    void aWriteTheTargetRejectsStopsTheSyncWithTheCommandAndTheReply() {
        try (RedisServer source = RedisServer.builder().start();
             RedisServer target = RedisServer.builder().arg("--maxmemory", "2mb").arg("--maxmemory-policy", "noeviction").start()) {
            try (RedisConnection c = source.connect()) {
                c.callChecked("SET", "small", "1");
                c.callChecked("SET", "big", "x".repeat(4 << 20));
            }
            // The precheck would refuse this target for its size; skipping that check shows the write being refused.
            Result r = ferry("sync", "--quiet", "--mode", "full", "--skip-checks", "target-memory",
                    "--source", uri(source), "--target", uri(target));
            assertThat(r.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
            assertThat(last).startsWith("ferry: error: target rejected ").contains("OOM").contains("out of memory");
            assertThat(r.err()).doesNotContain("\tat ");
        }
    }

    @Test
    void aNonEmptyTargetIsRefusedUnlessOverwriteIsAsked() {
        try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
            try (RedisConnection s = source.connect(); RedisConnection t = target.connect()) {
                s.callChecked("SET", "k", "from-source");
                t.callChecked("SET", "k", "old");
                t.callChecked("SET", "other", "kept");
            }
            Result refused = ferry("sync", "--quiet", "--mode", "full", "--source", uri(source), "--target", uri(target));
            assertThat(refused.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(refused.err()).contains("already holds keys").contains("--existing overwrite");
            Result ok = ferry("sync", "--quiet", "--mode", "full", "--existing", "overwrite", "--source", uri(source),
                    "--target", uri(target));
            assertThat(ok.exitCode()).as(ok.err()).isZero();
            try (RedisConnection t = target.connect()) {
                assertThat(t.callChecked("GET", "k").asText()).isEqualTo("from-source");
                assertThat(t.callChecked("GET", "other").asText()).isEqualTo("kept");
            }
        }
    }

    @Test
    void aFailedPrecheckRefusesToStartAndNamesTheCheck() {
        try (RedisServer source = RedisServer.builder().start();
             RedisServer target = RedisServer.builder().arg("--maxmemory", "2mb").arg("--maxmemory-policy", "noeviction").start()) {
            try (RedisConnection c = source.connect()) {
                c.callChecked("SET", "big", "x".repeat(4 << 20));
            }
            Result r = ferry("sync", "--quiet", "--mode", "full", "--source", uri(source), "--target", uri(target));
            assertThat(r.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(r.err()).startsWith("ferry: error: precheck failed: ").contains("target-memory").contains("--skip-checks");
            try (RedisConnection t = target.connect()) {
                assertThat(t.callChecked("DBSIZE").asLong()).as("nothing written").isZero();
            }
        }
    }

    @Test
    void badOptionsAreUsageErrors() {
        Result r = ferry("sync", "--source", "redis://h:1");
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains("--target");
    }

    @Test
    void badOptionValuesAreUsageErrorsFoundBeforeConnecting() {
        // Nothing listens on these ports: an option that got past parsing would end in "cannot connect" and exit 1.
        String[][] cases = {
                {"--mode", "fast"}, {"--existing", "yes"}, {"--retry-for", "-5"}, {"--skip-checks", "nonsense"},
                {"--dbs", "-1"}, {"--dbs", "x"}, {"--raw-limit", "64m"}, {"--raw-limit", "3GiB"}, {"--spool-size", "lots"},
                {"--on-mixed-keys", "maybe"}, {"--on-source-reset", "ignore"}};
        for (String[] c : cases) {
            assertUsageError(ferry("sync", "--source", "redis://127.0.0.1:1", "--target", "redis://127.0.0.1:2", c[0], c[1]), c[0]);
        }
        assertUsageError(ferry("sync", "--source", "host:notaport", "--target", "redis://127.0.0.1:2"), "--source");
        Result retry = ferry("sync", "--source", "redis://127.0.0.1:1", "--target", "redis://127.0.0.1:2", "--retry-for", "-5");
        assertThat(retry.err()).contains("-5 (expected: 0 to");
        Result skip = ferry("sync", "--source", "redis://127.0.0.1:1", "--target", "redis://127.0.0.1:2", "--skip-checks", "nonsense");
        assertThat(skip.err()).contains("unknown check 'nonsense'").contains("same-server");
    }

    @Test
    void aBadDbMapIsTheSameUsageErrorForSyncVerifyAndPrecheck() {
        for (String command : List.of("sync", "verify", "precheck")) {
            for (String bad : List.of("1", "a:b", "1:-1")) {
                Result r = ferry(command, "--source", "redis://127.0.0.1:1", "--target", "redis://127.0.0.1:2", "--db-map", bad);
                assertThat(r.exitCode()).as(command + " --db-map " + bad + ": " + r.err()).isEqualTo(Main.EXIT_USAGE);
                assertThat(r.err()).contains("--db-map").contains("'" + bad + "'").contains("expected: SRC:DST")
                        .contains("Try 'ferry " + command + " --help'.");
            }
            Result twice = ferry(command, "--source", "redis://127.0.0.1:1", "--target", "redis://127.0.0.1:2",
                    "--db-map", "1:0", "--db-map", "1:2");
            assertThat(twice.exitCode()).as(twice.err()).isEqualTo(Main.EXIT_USAGE);
            assertThat(twice.err()).contains("source database 1 is mapped twice, to 0 and to 2");
        }
        Result twoWay = ferry("sync", "--source", "redis://127.0.0.1:1", "--target", "redis://127.0.0.1:2", "--two-way",
                "--db-map", "1:0,2:0");
        assertUsageError(twoWay, "--two-way with --db-map 1:0,2:0: the map merges databases");
    }

    @Test
    void theDatabaseOfAUriIsNeverIgnored() {
        assertUsageError(ferry("sync", "--source", "redis://127.0.0.1:1/3", "--dbs", "0", "--target", "redis://127.0.0.1:2"),
                "--source names database 3");
        Result target = ferry("sync", "--source", "redis://127.0.0.1:1", "--target", "redis://127.0.0.1:2/5");
        assertUsageError(target, "--target names database 5");
        assertThat(target.err()).contains("keeps database numbers");
        assertUsageError(ferry("sync", "--source", "redis://127.0.0.1:1/3", "--target", "redis://127.0.0.1:2/5"),
                "--target names database 5");

        try (RedisServer source = RedisServer.builder().start(); RedisServer target2 = RedisServer.builder().start()) {
            try (RedisConnection c = source.connect()) {
                c.callChecked("SET", "in0", "x");
                c.callChecked("SELECT", "3");
                c.callChecked("SET", "in3", "y");
            }
            // The source's /3 means --dbs 3; the target's /3 is where database 3 lands anyway, so it is accepted.
            Result r = ferry("sync", "--quiet", "--mode", "full", "--source", uri(source) + "/3", "--target", uri(target2) + "/3");
            assertThat(r.exitCode()).as(r.err()).isZero();
            try (RedisConnection t = target2.connect()) {
                assertThat(t.callChecked("EXISTS", "in0").asLong()).as("database 0 not copied").isZero();
                t.callChecked("SELECT", "3");
                assertThat(t.callChecked("GET", "in3").asText()).isEqualTo("y");
            }
        }
    }

    @Test
    void sizesWithUnitsAreAcceptedAndAMissingDatabaseIsRefused() {
        try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
            try (RedisConnection c = source.connect()) {
                c.callChecked("SET", "k", "v");
            }
            Result r = ferry("sync", "--quiet", "--mode", "full", "--raw-limit", "64MiB", "--spool-size", "1.5GiB",
                    "--source", uri(source), "--target", uri(target));
            assertThat(r.exitCode()).as(r.err()).isZero();
            Result gb = ferry("sync", "--quiet", "--mode", "full", "--existing", "overwrite", "--spool-size", "2GB",
                    "--raw-limit", "512KB", "--source", uri(source), "--target", uri(target));
            assertThat(gb.exitCode()).as(gb.err()).isZero();

            Result missing = ferry("sync", "--quiet", "--dbs", "99", "--source", uri(source), "--target", uri(target));
            assertThat(missing.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(missing.err()).startsWith("ferry: error: precheck failed: databases")
                    .contains("has no database 99 (it has 16: 0-15)");
        }
    }

    @Test
    void oneServerUnderTwoNamesOrAReplicaOfTheSourceIsRefusedBeforeAnythingIsWritten() {
        try (Servers servers = new Servers()) {
            RedisServer source = servers.start("7.0.15");
            try (RedisConnection c = source.connect()) {
                c.callChecked("INCR", "counter");
            }
            RedisServer replica = servers.startReplicaOf(source, "--replica-read-only", "no");
            String[][] pairs = {
                    {uri(source), uri(source)},
                    {"redis://localhost:" + source.port(), uri(source)},
                    {uri(source), uri(replica)}};
            for (String[] pair : pairs) {
                Result r = ferry("sync", "--quiet", "--source", pair[0], "--target", pair[1]);
                assertThat(r.exitCode()).as(r.err()).isEqualTo(Main.EXIT_FAILURE);
                assertThat(r.err()).startsWith("ferry: error: precheck failed: same-server (").doesNotContain("\tat ");
                assertThat(r.err().strip().lines()).hasSize(1);
            }
            for (RedisServer server : List.of(source, replica)) {
                try (RedisConnection c = server.connect()) {
                    assertThat(c.callChecked("DBSIZE").asLong()).as("no checkpoint written to " + server).isEqualTo(1);
                    assertThat(c.callChecked("GET", "counter").asText()).isEqualTo("1");
                }
            }
        }
    }

    private static void assertUsageError(Result r, String expected) {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(Main.EXIT_USAGE);
        List<String> lines = r.err().strip().lines().toList();
        assertThat(lines).as(r.err()).hasSize(2);
        assertThat(lines.get(0)).startsWith("ferry: ").contains(expected);
        assertThat(lines.get(1)).isEqualTo("Try 'ferry sync --help'.");
    }

    private static String uri(RedisServer s) {
        return "redis://127.0.0.1:" + s.port();
    }
}
