package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.cluster.ClusterDatabases;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.testing.ClusterHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Valkey 9's numbered databases in cluster mode ({@code cluster-databases}): a 3-master Valkey 9.1.2 cluster with
 * keys in databases 0, 2 and 3 copied into a standalone server, snapshot and stream (SELECT followed on each
 * master's link), each database kept as it is; {@code --dbs} past the cluster's databases refused.
 */
class ClusterDatabasesIT {

    private static final String VERSION = "valkey-9.1.2";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int[] DBS = {0, 2, 3};

    @Test
    void everyDatabaseOfAValkeyNineClusterIsCopiedIntoTheSameNumberedDatabase() throws Exception {
        try (ClusterHarness source = ClusterHarness.start(VERSION, 3, "--cluster-databases", "4",
                "--repl-diskless-sync-delay", "0");
             RedisServer target = RedisServer.builder().version(VERSION).start();
             RedisConnection tgt = target.connect()) {
            try (RedisConnection seed = source.nodes().get(0).connect()) {
                assertThat(ClusterDatabases.count(seed)).isEqualTo(4);
            }
            write(source, 0, 300);
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint())
                    .progressInterval(Duration.ZERO).build();
            ClusterSyncTask task = new ClusterSyncTask(options, null);
            Thread run = new Thread(task::run, "cluster-dbs-sync");
            run.start();
            try {
                awaitStreaming(task);
                write(source, 300, 600);
                awaitSame(source, tgt);
            } finally {
                task.stop();
                run.join(30_000);
            }
            assertThat(task.shards()).allSatisfy(s -> assertThat(s.failure()).isNull());
            tgt.callChecked("SELECT", 2);
            // 600 writes, every 50th to this counter.
            assertThat(tgt.callChecked("GET", "n:2:7").asText()).isEqualTo("12");
        }
    }

    @Test
    void aDatabasePastTheClustersDatabasesIsRefusedNamingHowManyItHas() {
        try (ClusterHarness source = ClusterHarness.start(VERSION, 3, "--cluster-databases", "4");
             RedisServer target = RedisServer.builder().version(VERSION).start()) {
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).dbs(Set.of(2, 5))
                    .progressInterval(Duration.ZERO).build();
            assertThatThrownBy(() -> new ClusterSyncTask(options, null).run())
                    .isInstanceOf(FerryException.class)
                    .hasMessageContaining("has 4 databases (0-3, cluster-databases): --dbs 5 does not exist there");
        }
    }

    @Test
    void aClusterWithoutNumberedDatabasesHasOne() {
        try (ClusterHarness source = ClusterHarness.start(VERSION, 3);
             RedisConnection seed = source.nodes().get(0).connect()) {
            assertThat(ClusterDatabases.count(seed)).isEqualTo(1);
        }
    }

    /**
     * Strings, INCRs and lists {@code from..to-1} in each database of {@link #DBS}, on the master of each key (the
     * harness's connections are left in another database: only this helper uses them).
     */
    static void write(ClusterHarness source, int from, int to) {
        for (int db : DBS) {
            for (int i = from; i < to; i++) {
                RedisConnection conn = source.connectionFor(("s:" + db + ":" + i).getBytes());
                conn.callChecked("SELECT", db);
                conn.callChecked("SET", "s:" + db + ":" + i, "v" + i);
                RedisConnection counter = source.connectionFor(("n:" + db + ":" + i % 50).getBytes());
                counter.callChecked("SELECT", db);
                counter.callChecked("INCR", "n:" + db + ":" + i % 50);
                RedisConnection list = source.connectionFor(("l:" + db + ":" + i % 20).getBytes());
                list.callChecked("SELECT", db);
                list.callChecked("RPUSH", "l:" + db + ":" + i % 20, Integer.toString(i));
            }
        }
    }

    static void awaitStreaming(ClusterSyncTask task) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (task.shards().isEmpty() || !task.shards().stream().allMatch(s -> s.state() == TaskState.STREAMING)) {
            task.shards().forEach(s -> assertThat(s.failure()).as("shard failure").isNull());
            assertThat(System.nanoTime()).as("streaming within " + TIMEOUT).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Waits until every database of the target holds what the cluster's masters hold in it, key by key. */
    private static void awaitSame(ClusterHarness source, RedisConnection target) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> differences = differences(source, target);
        while (!differences.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            differences = differences(source, target);
        }
        assertThat(differences).as("differences between the cluster and the target").isEmpty();
    }

    private static List<String> differences(ClusterHarness source, RedisConnection target) {
        List<String> differences = new ArrayList<>();
        for (int db = 0; db < 4; db++) {
            TreeMap<String, String> expected = values(source, db);
            target.callChecked("SELECT", db);
            TreeMap<String, String> actual = values(target);
            if (!actual.equals(expected)) {
                differences.add("db" + db + ": " + expected.size() + " keys on the cluster, " + actual.size()
                        + " on the target; first differing: " + firstDifference(expected, actual));
            }
        }
        target.callChecked("SELECT", 0);
        return differences;
    }

    static String firstDifference(TreeMap<String, String> a, TreeMap<String, String> b) {
        TreeMap<String, String> all = new TreeMap<>(a);
        all.putAll(b);
        for (String key : all.keySet()) {
            if (!String.valueOf(a.get(key)).equals(String.valueOf(b.get(key)))) {
                return key + " = " + a.get(key) + " / " + b.get(key);
            }
        }
        return "none";
    }

    /** Every user key of database {@code db} of every master of {@code cluster}, with its value as text. */
    static TreeMap<String, String> values(ClusterHarness cluster, int db) {
        TreeMap<String, String> values = new TreeMap<>();
        for (RedisServer node : cluster.masters()) {
            try (RedisConnection conn = node.connect()) {
                conn.callChecked("SELECT", db);
                values.putAll(values(conn));
            }
        }
        return values;
    }

    /** Every user key of the connection's database with its value as text (strings and lists). */
    static TreeMap<String, String> values(RedisConnection conn) {
        TreeMap<String, String> values = new TreeMap<>();
        String cursor = "0";
        do {
            List<RespValue> page = ((RespValue.Array) conn.callChecked("SCAN", cursor, "COUNT", 1000)).items();
            cursor = page.get(0).asText();
            for (RespValue k : ((RespValue.Array) page.get(1)).items()) {
                String key = k.asText();
                if (key.startsWith("__ferry:")) {
                    continue;
                }
                String type = conn.callChecked("TYPE", key).asText();
                values.put(key, type.equals("list") ? conn.callChecked("LRANGE", key, 0, -1).toString()
                        : conn.callChecked("GET", key).asText());
            }
        } while (!cursor.equals("0"));
        return values;
    }
}
