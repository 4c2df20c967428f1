package dev.ferry.cli;

import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.resp.KeyText;
import dev.ferry.resp.RedisConnection;
import dev.ferry.task.SyncOptions;
import dev.ferry.task.SyncTask;
import dev.ferry.task.TaskState;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.MixedWorkload;
import dev.ferry.verify.Difference;
import dev.ferry.verify.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ferry verify} against real servers: every kind of difference, clusters, a live sync, exit codes. */
class VerifyCommandIT {

    private record Result(int exitCode, String out, String err) {
    }

    private static Result ferry(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    private static Result verify(String source, String target, String... more) {
        String[] base = {"verify", "--source", source, "--target", target, "--rounds", "2", "--round-pause", "20"};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return ferry(all);
    }

    private static String uri(RedisServer server) {
        return "redis://" + server.endpoint().address();
    }

    /** Every seeded key appears in the JSON report with its kind, and in the summary. */
    private static void assertReports(Map<String, Difference.Kind> expected, Result r, Path json) throws Exception {
        assertThat(r.exitCode()).as(r.err() + r.out()).isEqualTo(Main.EXIT_FAILURE);
        String report = Files.readString(json);
        assertThat(report).contains("\"consistent\": false");
        for (Map.Entry<String, Difference.Kind> e : expected.entrySet()) {
            String escaped = KeyText.escape(e.getKey().getBytes(StandardCharsets.ISO_8859_1)).replace("\\", "\\\\").replace("\"", "\\\"");
            assertThat(report).contains("\"key\": \"" + escaped + "\", \"kind\": \"" + e.getValue().label() + "\"");
        }
        assertThat(report.split("\"kind\"", -1)).hasSize(expected.size() + 1);
        assertThat(r.out()).contains("result: " + expected.size() + " differing keys").contains("missing on target");
    }

    @Test
    void everyKindOfDifferenceBetweenStandaloneServersExitsOneAndRepairedDataExitsZero(@TempDir Path dir) throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            Seeds.base(src::callChecked);
            Seeds.base(tgt::callChecked);
            Map<String, Difference.Kind> expected = Seeds.damage(tgt::callChecked);
            Path json = dir.resolve("report.json");

            Result r = verify(uri(source), uri(target), "--mode", "full", "--report", json.toString());
            assertReports(expected, r, json);
            assertThat(r.out()).contains("\"bin:\\xff\\x00\\\"\"");

            tgt.callChecked("FLUSHALL");
            Seeds.base(tgt::callChecked);
            Result repaired = verify(uri(source), uri(target), "--mode", "full", "--report", json.toString());
            assertThat(repaired.exitCode()).as(repaired.out() + repaired.err()).isZero();
            assertThat(repaired.out()).contains("result: consistent");
            assertThat(Files.readString(json)).contains("\"consistent\": true").contains("\"differences\": []");
        }
    }

    @Test
    void everyKindOfDifferenceBetweenTwoClustersExitsOneAndRepairedDataExitsZero(@TempDir Path dir) throws Exception {
        try (ClusterHarness source = ClusterHarness.start(3);
             ClusterHarness target = ClusterHarness.start(3)) {
            Seeds.base(source::call);
            Seeds.base(target::call);
            Map<String, Difference.Kind> expected = Seeds.damage(target::call);
            Path json = dir.resolve("report.json");

            Result r = verify(source.uri(), target.uri(), "--mode", "full", "--report", json.toString());
            assertReports(expected, r, json);

            target.flushAll();
            Seeds.base(target::call);
            Result repaired = verify(source.uri(), target.uri(), "--mode", "full");
            assertThat(repaired.exitCode()).as(repaired.out() + repaired.err()).isZero();
        }
    }

    @Test
    void aLiveSyncUnderWriteLoadShowsNoDifferencesAfterTheRounds() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect()) {
            SampleData.load(src, "7.0.15", SampleData.Options.builder().dbs(0, 1).build());
            SyncTask task = new SyncTask(SyncOptions.builder(source.endpoint(), target.endpoint())
                    .progressInterval(Duration.ZERO).build(), null);
            Thread sync = new Thread(task::run, "sync-under-verify");
            sync.start();
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicReference<Throwable> workloadFailure = new AtomicReference<>();
            Thread load = new Thread(() -> {
                try (RedisConnection conn = source.connect()) {
                    MixedWorkload workload = MixedWorkload.builder(conn, "7.0.15").dbs(0, 1).keySpace(2000).seed(5).build();
                    while (writing.get()) {
                        workload.run(100);
                        Thread.sleep(10);
                    }
                } catch (Throwable e) {
                    workloadFailure.set(e);
                }
            }, "write-load");
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (task.state() != TaskState.STREAMING) {
                    assertThat(task.failure()).isNull();
                    assertThat(System.nanoTime()).as("sync streaming in time").isLessThan(deadline);
                    Thread.sleep(10);
                }
                load.start();
                Thread.sleep(500);

                Result r = ferry("verify", "--source", uri(source), "--target", uri(target), "--mode", "full",
                        "--rounds", "6", "--round-pause", "300");

                assertThat(workloadFailure.get()).isNull();
                assertThat(load.isAlive()).as("the write load still runs").isTrue();
                assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
                assertThat(r.out()).contains("result: consistent");
            } finally {
                writing.set(false);
                load.join(10_000);
                task.stop();
                sync.join(30_000);
            }
            assertThat(task.failure()).isNull();
        }
    }

    @Test
    void anUnreachableServerIsAOneLineErrorWithExitCodeTwo() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (RedisServer target = RedisServer.builder().version("7.0.15").arg("--requirepass", "s3cret").start()) {
            Result r = ferry("verify", "--source", "redis://127.0.0.1:" + closedPort, "--target", "redis://:s3cret@" + target.endpoint().address());
            assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
            assertThat(r.err()).startsWith("ferry: error: cannot connect to 127.0.0.1:" + closedPort).doesNotContain("\tat ");
            assertThat(r.err().strip().lines()).hasSize(1);
        }
    }

    @Test
    void aDatabaseOtherThanZeroOnAClusterIsRefusedWithExitCodeTwo() {
        try (RedisServer source = RedisServer.builder().version("7.0.15").start();
             ClusterHarness target = ClusterHarness.start(3)) {
            Result r = verify(uri(source), target.uri(), "--dbs", "0,3");
            assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
            assertThat(r.err()).contains("database 0 only").contains("--dbs 0");
        }
    }

    @Test
    void theSourceUrisDatabaseIsTheOneComparedAndBadValuesAreUsageErrors() {
        try (RedisServer source = RedisServer.builder().version("7.0.15").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            src.callChecked("SET", "only-on-source", "v");
            src.callChecked("SELECT", "3");
            src.callChecked("SET", "k", "same");
            tgt.callChecked("SELECT", "3");
            tgt.callChecked("SET", "k", "same");
            Result db3 = verify(uri(source) + "/3", uri(target));
            assertThat(db3.exitCode()).as(db3.out() + db3.err()).isZero();
            assertThat(verify(uri(source), uri(target)).exitCode()).isEqualTo(Main.EXIT_FAILURE);

            for (String[] bad : new String[][] {{"--mode", "fast"}, {"--dbs", "-1"}}) {
                Result r = verify(uri(source), uri(target), bad);
                assertThat(r.exitCode()).as(r.err()).isEqualTo(Main.EXIT_USAGE);
                assertThat(r.err()).contains(bad[0]).endsWith("Try 'ferry verify --help'.\n");
            }
            Result conflict = verify(uri(source) + "/3", uri(target), "--dbs", "0");
            assertThat(conflict.exitCode()).isEqualTo(Main.EXIT_USAGE);
            assertThat(conflict.err()).contains("--source names database 3");
        }
    }
}
