package dev.ferry.cli;

import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.embedded.VersionName;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.ServerInfo;
import dev.ferry.task.SyncOptions;
import dev.ferry.task.SyncTask;
import dev.ferry.task.TaskState;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.MixedWorkload;
import dev.ferry.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Smoke tests of the servers Debian packages (issue 11 point 1), fetched by {@code .ci/debian-servers} on first
 * use: each starts under its own name, reports its version, replicates to a replica of its own; the sample data
 * copied by {@code ferry sync --mode full} into 7.0.15, into the same version and from 7.0.15 is equal by
 * {@code ferry verify} and key by key; and live writes reach 7.0.15 exactly.
 */
class CurrentServersIT {

    private static final Set<Integer> DBS = Set.of(0, 1, 5);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final Servers servers = new Servers();

    static List<String> versions() {
        return List.of("8.0.6", "valkey-8.1.1", "valkey-9.1.2");
    }

    private record Result(int exitCode, String out, String err) {
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void serverStartsUnderItsNameAndReportsItsVersion(String name) {
        VersionName version = VersionName.parse(name);
        RedisServer server = servers.start(name);
        try (RedisConnection conn = server.connect()) {
            ServerInfo info = ServerInfo.fetch(conn);

            assertThat(info.version()).isEqualTo(version.version());
            assertThat(info.get(version.valkey() ? "valkey_version" : "redis_version")).isEqualTo(version.number());
            assertThat(info.get("executable")).endsWith("/" + version.server());
            conn.callChecked("SET", "k", "v");
            // The data checks compare digests: the debug command must be enabled.
            assertThat(conn.callChecked("DEBUG", "DIGEST").asText()).hasSize(40).isNotEqualTo("0".repeat(40));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void sampleDataReachesAReplicaOfTheSameVersion(String name) {
        RedisServer master = servers.start(name, "--repl-diskless-sync-delay", "0");
        try (RedisConnection m = master.connect()) {
            SampleData.load(m, name);
            RedisServer replica = servers.startReplicaOf(master);
            try (RedisConnection r = replica.connect()) {
                DataAssertions.assertSameData(m, r, DBS);
            }
        }
    }

    @ParameterizedTest(name = "{0} -> 7.0.15")
    @MethodSource("versions")
    void fullSyncIntoRedis70IsEqual(String name) {
        // Only what 7.0 can hold (no hash field TTLs), written by the newer server in its own encodings. The
        // precheck runs whole: the built-in modules (vectorset, lua) that 7.0 lacks hold no key here.
        syncAndVerify(name, "7.0.15", "7.0.15");
    }

    @Test
    void aVectorSetOnRedis8FailsTheModulesCheckForRedis70WithItsCountAndBuiltInModulesWithoutKeysPass() {
        RedisServer source = servers.start("8.0.6");
        RedisServer target = servers.start("7.0.15");
        try (RedisConnection src = source.connect()) {
            src.callChecked("SET", "plain", "x");
            Result clean = ferry("precheck", "--source", uri(source), "--target", uri(target));
            assertThat(clean.out()).contains("vectorset (built in)").contains("none of the source's 1 keys is of a module type");

            src.callChecked("VADD", "vectors", "VALUES", "2", "1", "2", "e1");
            src.callChecked("VADD", "vectors2", "VALUES", "2", "3", "4", "e2");
            Result withVectors = ferry("precheck", "--source", uri(source), "--target", uri(target));

            assertThat(withVectors.exitCode()).as(withVectors.out()).isEqualTo(1);
            assertThat(withVectors.out()).contains("modules").contains("2 of type vectorset");
        }
    }

    @ParameterizedTest(name = "{0} -> {0}")
    @MethodSource("versions")
    void fullSyncIntoTheSameVersionIsEqual(String name) {
        syncAndVerify(name, name, name);
    }

    @ParameterizedTest(name = "7.0.15 -> {0}")
    @MethodSource("versions")
    void fullSyncFromRedis70IsEqual(String name) {
        syncAndVerify("7.0.15", name, "7.0.15");
    }

    @ParameterizedTest(name = "{0} -> 7.0.15")
    @MethodSource("versions")
    void liveWritesIntoRedis70ArriveExactly(String name) throws Exception {
        // Redis 8 replicates HINCRBYFLOAT as HSETEX … KEEPTTL FIELDS …, which 7.0 gets as HSET.
        liveWritesArriveExactly(name, "7.0.15", "7.0.15", false);
    }

    @ParameterizedTest(name = "{0} -> {0}")
    @MethodSource("versions")
    void liveWritesIntoTheSameVersionArriveExactly(String name) throws Exception {
        // The server's own sample data and, where it has them, hash field expiries written while streaming.
        liveWritesArriveExactly(name, name, name, hasFieldExpiries(name));
    }

    @ParameterizedTest(name = "7.0.15 -> {0}")
    @MethodSource("versions")
    void liveWritesFromRedis70ArriveExactly(String name) throws Exception {
        liveWritesArriveExactly("7.0.15", name, "7.0.15", false);
    }

    @Test
    void hsetexFromRedis8ReachesRedis70AsTheSameHashAndAFieldTtlStopsTheSyncSayingWhy() throws Exception {
        RedisServer source = servers.start("8.0.6", "--repl-diskless-sync-delay", "0");
        RedisServer target = servers.start("7.0.15");
        SyncTask task = new SyncTask(SyncOptions.builder(source.endpoint(), target.endpoint())
                .progressInterval(Duration.ZERO).retryFor(Duration.ZERO).build(), null);
        Thread sync = new Thread(task::run, "sync-hsetex");
        try (RedisConnection src = source.connect(); RedisConnection tgt = target.connect()) {
            sync.start();
            await(task, "streaming", () -> task.state() == TaskState.STREAMING);
            src.callChecked("HSET", "h1", "a", "1");
            src.callChecked("HSETEX", "h1", "FNX", "FIELDS", "1", "a", "2");
            src.callChecked("HSETEX", "h1", "FNX", "FIELDS", "1", "b", "2");
            src.callChecked("HSETEX", "h1", "FXX", "FIELDS", "2", "a", "3", "c", "4");
            src.callChecked("HSETEX", "h1", "FXX", "FIELDS", "1", "a", "5");
            src.callChecked("HSETEX", "h2", "KEEPTTL", "FIELDS", "2", "x", "1", "y", "2");
            src.callChecked("HINCRBYFLOAT", "h2", "x", "1.5");
            src.callChecked("HSETEX", "h2", "FIELDS", "1", "z", "3");
            // Replicated as HPERSIST (nothing to do on 7.0) and HDEL.
            src.callChecked("HGETEX", "h1", "PERSIST", "FIELDS", "1", "a");
            src.callChecked("HGETDEL", "h2", "FIELDS", "1", "y");
            src.callChecked("SET", "written-last", "1");
            await(task, "the last write on the target", () -> tgt.callChecked("EXISTS", "written-last").asLong() == 1);
            DataAssertions.assertSameData(src, tgt, Set.of(0));
            assertThat(tgt.callChecked("HGETALL", "h1").asText()).contains("Bulk[5]").doesNotContain("Bulk[c]");

            src.callChecked("HSETEX", "h3", "PXAT", Long.toString(System.currentTimeMillis() + 3_600_000), "FIELDS", "1", "f", "v");
            sync.join(TIMEOUT.toMillis());
            assertThat(task.failure()).as("the sync stops").isNotNull();
            assertThat(task.failure().getMessage()).contains("HSETEX").contains("needs Redis 7.4+");
        } finally {
            task.stop();
            sync.join(TIMEOUT.toMillis());
        }
    }

    @Test
    void aValkey9HashWithAFieldExpiryReachesValkey9() {
        RedisServer source = servers.start("valkey-9.1.2", "--repl-diskless-sync-delay", "0");
        RedisServer target = servers.start("valkey-9.1.2");
        try (RedisConnection src = source.connect(); RedisConnection tgt = target.connect()) {
            src.callChecked("HSET", "h", "a", "1", "b", "2");
            src.callChecked("HEXPIRE", "h", "1000", "FIELDS", "1", "a");

            Result sync = ferry("sync", "--quiet", "--mode", "full", "--retry-for", "0",
                    "--source", uri(source), "--target", uri(target));
            assertThat(sync.exitCode()).as(sync.err()).isZero();

            DataAssertions.assertSameData(src, tgt, Set.of(0));
        }
    }

    @ParameterizedTest(name = "{0} -> {0}")
    @MethodSource("versions")
    void everyValueOfTheServersOwnSnapshotFormatIsDecodedExactly(String name) {
        // --raw-limit 0: nothing is copied raw with RESTORE, every value is decoded and written as commands. For
        // Valkey 9 this reads VALKEY080, its hash with field expiries (type 22, Valkey's HASH_2) included.
        syncAndVerify(name, name, name, "--raw-limit", "0");
    }

    @Test
    void hashFieldExpiriesOfValkey9ReachRedis8AndOfRedis8ReachValkey9() {
        // Each format's hash with field expiries is the other's "foreign" type: decoded and written as commands.
        for (String[] pair : new String[][] {{"valkey-9.1.2", "8.0.6"}, {"8.0.6", "valkey-9.1.2"}}) {
            RedisServer source = servers.start(pair[0], "--repl-diskless-sync-delay", "0");
            RedisServer target = servers.start(pair[1]);
            try (RedisConnection src = source.connect(); RedisConnection tgt = target.connect()) {
                src.callChecked("HSET", "h", "a", "1", "b", "2");
                src.callChecked("HPEXPIREAT", "h", "4102444800123", "FIELDS", "1", "a");
                src.callChecked("HSET", "big", "x", "y".repeat(300), "z", "1");
                src.callChecked("HPEXPIREAT", "big", "4102444801000", "FIELDS", "2", "x", "z");

                Result sync = ferry("sync", "--quiet", "--mode", "full", "--retry-for", "0",
                        "--source", uri(source), "--target", uri(target));
                assertThat(sync.exitCode()).as(pair[0] + " -> " + pair[1] + ": " + sync.err()).isZero();

                assertThat(tgt.callChecked("HPEXPIRETIME", "h", "FIELDS", "2", "a", "b").asText())
                        .isEqualTo(src.callChecked("HPEXPIRETIME", "h", "FIELDS", "2", "a", "b").asText())
                        .contains("4102444800123");
                DataAssertions.assertSameData(src, tgt, Set.of(0));
            }
        }
    }

    @Test
    void aValkey9FieldExpiryStopsASyncIntoRedis70NamingTheKey() {
        RedisServer source = servers.start("valkey-9.1.2", "--repl-diskless-sync-delay", "0");
        RedisServer target = servers.start("7.0.15");
        try (RedisConnection src = source.connect()) {
            src.callChecked("HSET", "field-ttl-hash", "a", "1");
            src.callChecked("HEXPIRE", "field-ttl-hash", "1000", "FIELDS", "1", "a");

            Result sync = ferry("sync", "--quiet", "--mode", "full", "--retry-for", "0",
                    "--source", uri(source), "--target", uri(target));

            assertThat(sync.exitCode()).isEqualTo(1);
            assertThat(sync.err()).contains("field-ttl-hash").contains("cannot hold");
        }
    }

    @Test
    void aSourceThatBreaksOffItsSnapshotTheSameWayEachTimeStopsTheSyncAfterThreeTries() throws Exception {
        // Without REPLCONF version, Valkey 9 writes RDB 11 for Ferry, cannot store the hash in it ("Can't store key
        // (db 0) in RDB version 11" in its log) and closes the link: the same failure each time.
        RedisServer source = servers.start("valkey-9.1.2", "--repl-diskless-sync-delay", "0");
        RedisServer target = servers.start("valkey-9.1.2");
        try (RedisConnection src = source.connect()) {
            src.callChecked("HSET", "h", "a", "1", "b", "2");
            src.callChecked("HEXPIRE", "h", "1000", "FIELDS", "1", "a");
        }
        SyncTask task = new SyncTask(SyncOptions.builder(source.endpoint(), target.endpoint())
                .mode(dev.ferry.task.SyncMode.FULL).progressInterval(Duration.ZERO)
                .announceReplicaVersion(false).build(), null);
        Thread sync = new Thread(() -> {
            try {
                task.run();
            } catch (RuntimeException expected) {
                // The failure is read from the task below.
            }
        }, "sync-broken-snapshot");
        sync.start();
        sync.join(TIMEOUT.toMillis());

        assertThat(sync.isAlive()).as("the sync stopped by itself (retrying for 12 hours otherwise)").isFalse();
        assertThat(task.state()).isEqualTo(TaskState.FAILED);
        assertThat(task.fullResyncs()).isEqualTo(3);
        assertThat(task.failure().getMessage()).contains("failed 3 times in a row the same way")
                .contains("the source closed the link while sending the snapshot").contains("its log says why");
        assertThat(String.join("\n", source.logTail(200))).contains("in RDB version 11");
    }

    /** Redis 8 and Valkey 9 have HSETEX, HGETEX and HGETDEL (Redis 7.4 only HEXPIRE and HPERSIST; Valkey 8 none). */
    private static boolean hasFieldExpiries(String name) {
        VersionName version = VersionName.parse(name);
        return version.valkey() ? version.version().atLeast(9, 0) : version.version().atLeast(8, 0);
    }

    /**
     * A snapshot of the sample data of {@code dataVersion}, then a mixed write load in three databases while
     * streaming (with hash field expiries if asked), must arrive exact: every key, value and expiry.
     */
    private static void liveWritesArriveExactly(String sourceName, String targetName, String dataVersion,
            boolean fieldExpiries) throws Exception {
        RedisServer source = servers.start(sourceName, "--repl-diskless-sync-delay", "0");
        RedisServer target = servers.start(targetName);
        SyncTask task = new SyncTask(SyncOptions.builder(source.endpoint(), target.endpoint())
                .progressInterval(Duration.ZERO).build(), null);
        Thread sync = new Thread(task::run, "sync-" + sourceName + "-to-" + targetName);
        try (RedisConnection src = source.connect(); RedisConnection tgt = target.connect()) {
            SampleData.load(src, dataVersion);
            sync.start();
            await(task, "streaming", () -> task.state() == TaskState.STREAMING);
            Map<String, Integer> ran = MixedWorkload.builder(src, sourceName).dbs(0, 1, 5).seed(11)
                    .fieldExpiries(fieldExpiries).build().run(3000);
            if (fieldExpiries) {
                assertThat(ran).containsKeys("HSETEX", "HGETEX", "HGETDEL", "HPERSIST");
            }
            src.callChecked("SELECT", "0");
            src.callChecked("SET", "written-last", "1");
            // The stream is applied in order: the last write there means every earlier one is.
            await(task, "the last write on the target", () -> tgt.callChecked("EXISTS", "written-last").asLong() == 1);

            DataAssertions.assertSameData(src, tgt, DBS);
        } finally {
            task.stop();
            sync.join(TIMEOUT.toMillis());
        }
        assertThat(task.failure()).isNull();
    }

    /** Loads the sample data of {@code dataVersion} into a {@code sourceName} server, copies it, compares. */
    private static void syncAndVerify(String sourceName, String targetName, String dataVersion, String... options) {
        RedisServer source = servers.start(sourceName, "--repl-diskless-sync-delay", "0");
        RedisServer target = servers.start(targetName);
        try (RedisConnection src = source.connect(); RedisConnection tgt = target.connect()) {
            SampleData.load(src, dataVersion);

            List<String> args = new ArrayList<>(List.of("sync", "--quiet", "--mode", "full"));
            args.addAll(List.of(options));
            args.addAll(List.of("--source", uri(source), "--target", uri(target)));
            Result sync = ferry(args.toArray(String[]::new));
            assertThat(sync.exitCode()).as(sync.err()).isZero();

            Result verify = ferry("verify", "--mode", "full", "--source", uri(source), "--target", uri(target));
            assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
            assertThat(verify.out()).contains("result: consistent");
            DataAssertions.assertSameData(src, tgt, DBS);
        }
    }

    private static Result ferry(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    private static String uri(RedisServer server) {
        return "redis://" + server.endpoint().address();
    }

    /** Waits for {@code condition}, failing at once if the sync ended. */
    private static void await(SyncTask task, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(task.failure()).as("sync failure").isNull();
            assertThat(task.state()).as("sync state while waiting for %s", what).isNotIn(TaskState.FAILED, TaskState.FINISHED);
            assertThat(System.nanoTime()).as("%s within %s (sync %s)", what, TIMEOUT, task.state()).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
