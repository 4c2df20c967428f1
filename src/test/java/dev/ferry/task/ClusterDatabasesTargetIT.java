package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.embedded.RedisServer;
import dev.ferry.pipeline.DbMap;
import dev.ferry.precheck.CheckStatus;
import dev.ferry.precheck.CheckResult;
import dev.ferry.precheck.Precheck;
import dev.ferry.precheck.PrecheckOptions;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.verify.Difference;
import dev.ferry.verify.Verifier;
import dev.ferry.verify.VerifyException;
import dev.ferry.verify.VerifyOptions;
import dev.ferry.verify.VerifyReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.ferry.task.ClusterDatabasesIT.awaitStreaming;
import static dev.ferry.task.ClusterDatabasesIT.firstDifference;
import static dev.ferry.task.ClusterDatabasesIT.values;
import static dev.ferry.task.ClusterDatabasesIT.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Valkey 9's numbered databases in a cluster <em>target</em> ({@code cluster-databases 4}): a 3-master Valkey 9.1.2
 * cluster with keys in databases 0, 2 and 3 (snapshot, then a stream with {@code MULTI} blocks, one switching
 * database inside, and a {@code FLUSHDB} of one master's database 3) into a 3-master cluster with the same
 * databases, each kept, or moved by {@code --db-map}; into a cluster with one database refused by the precheck and
 * the sync alike, naming the option; {@code ferry verify} of every database; a standalone server's databases 0 and 1
 * into the cluster.
 */
class ClusterDatabasesTargetIT {

    private static final String VERSION = "valkey-9.1.2";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static ClusterHarness source;
    private static ClusterHarness target;

    @BeforeAll
    static void startClusters() {
        source = ClusterHarness.start(VERSION, 3, "--cluster-databases", "4", "--repl-diskless-sync-delay", "0");
        target = ClusterHarness.start(VERSION, 3, "--cluster-databases", "4");
    }

    @AfterAll
    static void stopClusters() {
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
    }

    @BeforeEach
    void emptyClusters() {
        source.flushAll();
        target.flushAll();
    }

    @Test
    void everyDatabaseLandsInTheSameDatabaseOfTheTargetClusterAndVerifyComparesEachOfThem() throws Exception {
        write(source, 0, 300);
        ClusterSyncTask task = new ClusterSyncTask(SyncOptions.builder(source.endpoint(), target.endpoint())
                .progressInterval(Duration.ZERO).build(), null);
        Thread run = new Thread(task::run, "cluster-dbs-target-sync");
        run.start();
        try {
            awaitStreaming(task);
            write(source, 300, 500);
            transactions(20);
            try (RedisConnection master = source.masters().get(0).connect()) {
                master.callChecked("SELECT", 3);
                assertThat(master.callChecked("DBSIZE").asLong()).as("keys of db 3 on the master that flushes it").isPositive();
                master.callChecked("FLUSHDB");
                master.callChecked("SELECT", 2);
                assertThat(master.callChecked("DBSIZE").asLong()).as("its db 2 is left alone").isPositive();
            }
            write(source, 500, 600);
            awaitSame(Map.of(0, 0, 2, 2, 3, 3));
        } finally {
            task.stop();
            run.join(30_000);
        }
        assertThat(task.shards()).allSatisfy(s -> assertThat(s.failure()).isNull());
        assertThat(values(target, 2)).containsEntry("{m}:n", "20").containsEntry("{m}:a", "19");
        assertThat(values(target, 3)).containsEntry("{m}:x", "19");
        for (int db = 1; db < 4; db++) {
            assertThat(controlKeys(db)).as("Ferry's keys in db " + db).isEmpty();
        }
        assertThat(controlKeys(0)).isNotEmpty();

        VerifyReport equal = Verifier.run(VerifyOptions.builder(source.endpoint(), target.endpoint()).build());
        assertThat(equal.dbs()).containsExactlyInAnyOrder(0, 2, 3);
        assertThat(equal.differences()).isEmpty();
        assertThat(equal.consistent()).isTrue();

        try (RedisConnection conn = target.connectionFor("s:2:7".getBytes())) {
            conn.callChecked("SELECT", 2);
            conn.callChecked("SET", "s:2:7", "changed");
            conn.callChecked("SELECT", 0);
        }
        VerifyReport changed = Verifier.run(VerifyOptions.builder(source.endpoint(), target.endpoint()).build());
        assertThat(changed.differences()).extracting(Difference::key)
                .extracting(k -> k.db() + ":" + new String(k.key())).containsExactly("2:s:2:7");
    }

    @Test
    void aDbMapMovesEachDatabaseWhereItSays() throws Exception {
        write(source, 0, 200);
        ClusterSyncTask task = new ClusterSyncTask(SyncOptions.builder(source.endpoint(), target.endpoint())
                .dbMap(DbMap.of(Map.of(2, 1, 3, 3))).progressInterval(Duration.ZERO).build(), null);
        Thread run = new Thread(task::run, "cluster-dbs-map-sync");
        run.start();
        try {
            awaitStreaming(task);
            write(source, 200, 300);
            transactions(5);
            awaitSame(Map.of(0, 0, 2, 1, 3, 3));
        } finally {
            task.stop();
            run.join(30_000);
        }
        assertThat(task.shards()).allSatisfy(s -> assertThat(s.failure()).isNull());
        assertThat(values(target, 2)).as("db 2 of the target").isEmpty();
        VerifyReport report = Verifier.run(VerifyOptions.builder(source.endpoint(), target.endpoint())
                .dbMap(DbMap.of(Map.of(2, 1, 3, 3))).build());
        assertThat(report.differences()).isEmpty();
    }

    @Test
    void aClusterWithOneDatabaseIsRefusedByThePrecheckAndTheSyncNamingTheOption() {
        write(source, 0, 10);
        try (ClusterHarness single = ClusterHarness.start(VERSION, 3)) {
            CheckResult mapping = Precheck.run(PrecheckOptions.builder(source.endpoint(), single.endpoint()).build())
                    .get("db-mapping");
            assertThat(mapping.status()).isEqualTo(CheckStatus.FAIL);
            assertThat(mapping.detail()).contains("database 0 only (cluster-databases 1)").contains("2, 3");
            assertThat(mapping.fix()).contains("cluster-databases");

            SyncOptions options = SyncOptions.builder(source.endpoint(), single.endpoint())
                    .progressInterval(Duration.ZERO).build();
            assertThatThrownBy(() -> new ClusterSyncTask(options, null).run())
                    .isInstanceOf(FerryException.class)
                    .hasMessageContaining("database 0 only (cluster-databases 1)")
                    .hasMessageContaining("source database(s) 2, 3 would land beyond them")
                    .hasMessageContaining("cluster-databases");

            // What verify says of a real one-database cluster stays as it was.
            assertThatThrownBy(() -> Verifier.run(VerifyOptions.builder(source.endpoint(), single.endpoint()).build()))
                    .isInstanceOf(VerifyException.class)
                    .hasMessageContaining("a Redis Cluster has database 0 only, and the target is one");
        }
    }

    @Test
    void aStandaloneServersDatabasesZeroAndOneLandInTheClustersZeroAndOne() throws Exception {
        try (RedisServer standalone = RedisServer.builder().version(VERSION).arg("--repl-diskless-sync-delay", "0").start();
             RedisConnection src = standalone.connect()) {
            for (int db = 0; db < 2; db++) {
                src.callChecked("SELECT", db);
                for (int i = 0; i < 200; i++) {
                    src.callChecked("SET", "k:" + db + ":" + i, "v" + i);
                }
            }
            SyncOptions options = SyncOptions.builder(standalone.endpoint(), target.endpoint())
                    .progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                src.callChecked("SELECT", 1);
                for (int i = 0; i < 100; i++) {
                    src.callChecked("INCR", "n:1:" + i % 10);
                }
                src.callChecked("SELECT", 0);
                src.callChecked("DEL", "k:0:0");
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (!(standaloneValues(src, 0).equals(values(target, 0)) && standaloneValues(src, 1).equals(values(target, 1)))
                        && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(values(target, 0)).isEqualTo(standaloneValues(src, 0)).doesNotContainKey("k:0:0");
                assertThat(values(target, 1)).isEqualTo(standaloneValues(src, 1)).containsEntry("n:1:3", "10");
            }
        }
    }

    /**
     * {@code count} source transactions on the master of slot tag {@code m}: in db 2 a SET and an INCR, then a SELECT
     * 3 inside the transaction and a SET there (the client is left in db 3, as the source's stream says).
     */
    private static void transactions(int count) {
        RedisConnection conn = source.connectionFor("{m}".getBytes());
        for (int i = 0; i < count; i++) {
            conn.callChecked("SELECT", 2);
            conn.callChecked("MULTI");
            conn.callChecked("SET", "{m}:a", Integer.toString(i));
            conn.callChecked("INCR", "{m}:n");
            conn.callChecked("SELECT", 3);
            conn.callChecked("SET", "{m}:x", Integer.toString(i));
            conn.callChecked("EXEC");
        }
    }

    /** Waits until each source database holds in its target database ({@code landing}) what it holds. */
    private static void awaitSame(Map<Integer, Integer> landing) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> differences = differences(landing);
        while (!differences.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            differences = differences(landing);
        }
        assertThat(differences).as("differences between the clusters").isEmpty();
    }

    private static List<String> differences(Map<Integer, Integer> landing) {
        List<String> differences = new ArrayList<>();
        landing.forEach((from, to) -> {
            TreeMap<String, String> expected = values(source, from);
            TreeMap<String, String> actual = values(target, to);
            if (!actual.equals(expected)) {
                differences.add("db" + from + " -> db" + to + ": " + expected.size() + " keys on the source, "
                        + actual.size() + " on the target; first differing: " + firstDifference(expected, actual));
            }
        });
        return differences;
    }

    private static TreeMap<String, String> standaloneValues(RedisConnection conn, int db) {
        conn.callChecked("SELECT", db);
        TreeMap<String, String> values = values(conn);
        conn.callChecked("SELECT", 0);
        return values;
    }

    /** Ferry's keys in database {@code db} of the target cluster's masters. */
    private static List<String> controlKeys(int db) {
        List<String> keys = new ArrayList<>();
        for (RedisServer node : target.masters()) {
            try (RedisConnection conn = node.connect()) {
                conn.callChecked("SELECT", db);
                List<RespValue> page = ((RespValue.Array) conn.callChecked("SCAN", "0", "MATCH", "__ferry:*", "COUNT", 100000))
                        .items();
                ((RespValue.Array) page.get(1)).items().forEach(k -> keys.add(k.asText()));
            }
        }
        return keys;
    }
}
