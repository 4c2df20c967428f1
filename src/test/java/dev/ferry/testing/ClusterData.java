package dev.ferry.testing;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Asserts that a standalone server's database 0 (or a Redis Cluster) and a Redis Cluster hold the same data, of
 * every key or of those a key filter copies: the same keys (found with SCAN on every cluster node), types,
 * values read in the canonical form of {@link ValueReader}, and expiry times (exactly with {@code PEXPIRETIME} when both run 7.0+, else by {@code PTTL} within 2 seconds).
 * Ferry's own keys ({@code __ferry:...}) are ignored, except temporaries ({@code __ferry:tmp:...}), which
 * must not be left behind. Blocking; the standalone connection must be on database 0.
 */
public final class ClusterData {

    private static final byte[] TEMPORARY_PREFIX = "__ferry:tmp:".getBytes(StandardCharsets.US_ASCII);
    /**
     * Before 7.0 a master replicates EXPIRE, SETEX and SET EX as they were sent (relative), so every replica, Ferry
     * included, counts the time from when it applies them: a copy's TTL is longer by the replication delay, seconds
     * on a machine busy with parallel test suites. Exact from 7.0 on (PEXPIRETIME), where masters send absolute times.
     */
    private static final long TTL_TOLERANCE_MS = 5000;
    private static final int MAX_REPORTED = 20;

    private ClusterData() {
    }

    /**
     * @throws AssertionError listing the first differing keys (escaped) and what differs
     */
    public static void assertSameData(RedisConnection standalone, ClusterHarness cluster) {
        List<String> differences = differences(standalone, cluster);
        if (!differences.isEmpty()) {
            StringBuilder sb = new StringBuilder("standalone " + standalone.endpoint().address() + " and cluster "
                    + cluster.endpoint().address() + " differ: " + differences.size() + " difference(s)");
            differences.stream().limit(MAX_REPORTED).forEach(d -> sb.append("\n  ").append(d));
            throw new AssertionError(sb.toString());
        }
    }

    /**
     * Asserts that the databases {@code dbs} of a standalone server, taken together (as {@code --db-map N:0}
     * merges them), hold the same data as the cluster. Key names must not repeat across those databases.
     */
    public static void assertSameData(RedisConnection standalone, Set<Integer> dbs, ClusterHarness cluster) {
        List<String> differences = new ArrayList<>();
        Set<Key> seen = new TreeSet<>();
        for (int db : new TreeSet<>(dbs)) {
            standalone.callChecked("SELECT", Integer.toString(db));
            for (String d : differences(standalone, cluster)) {
                // Keys of the other databases are "only on the cluster" from this one's point of view.
                if (!d.contains(": only on the cluster")) {
                    differences.add("db" + db + " " + d);
                }
            }
            seen.addAll(keys(standalone, differences));
        }
        standalone.callChecked("SELECT", "0");
        Set<Key> onCluster = new TreeSet<>();
        for (RedisServer node : cluster.nodes()) {
            try (RedisConnection conn = node.connect()) {
                onCluster.addAll(keys(conn, differences));
            }
        }
        onCluster.removeAll(seen);
        onCluster.forEach(k -> differences.add(k + ": only on the cluster"));
        if (!differences.isEmpty()) {
            throw new AssertionError("standalone databases " + dbs + " and cluster " + cluster.endpoint().address()
                    + " differ: " + differences.size() + " difference(s)\n  "
                    + String.join("\n  ", differences.stream().limit(MAX_REPORTED).toList()));
        }
    }

    /** The differences, one line each ({@code "key": what}), empty when the data is the same. */
    public static List<String> differences(RedisConnection standalone, ClusterHarness cluster) {
        return differences(standalone, cluster, key -> true);
    }

    /**
     * The differences between the keys of a standalone server's selected database that pass {@code copied}
     * (as a key filter lets them through) and every key of the cluster, one line each; empty when the same.
     */
    public static List<String> differences(RedisConnection standalone, ClusterHarness cluster, Predicate<byte[]> copied) {
        List<String> differences = new ArrayList<>();
        Map<Key, RedisConnection> expected = new TreeMap<>();
        for (Key key : keys(standalone, differences)) {
            if (copied.test(key.bytes())) {
                expected.put(key, standalone);
            }
        }
        compare(expected, ServerInfo.fetch(standalone).version(), cluster, differences);
        return differences;
    }

    /**
     * The differences between the keys of cluster {@code source} that pass {@code copied} and every key of cluster
     * {@code target}, one line each; empty when the data is the same.
     */
    public static List<String> differences(ClusterHarness source, ClusterHarness target, Predicate<byte[]> copied) {
        List<String> differences = new ArrayList<>();
        Map<Key, RedisConnection> expected = keys(source, differences);
        expected.keySet().removeIf(key -> !copied.test(key.bytes()));
        compare(expected, source.nodes().get(0).parsedVersion(), target, differences);
        return differences;
    }

    /**
     * Asserts that the keys of cluster {@code source} that pass {@code copied} and the keys of cluster {@code target}
     * are the same, with the same types, values and expiry times.
     */
    public static void assertSameData(ClusterHarness source, ClusterHarness target, Predicate<byte[]> copied) {
        List<String> differences = differences(source, target, copied);
        if (!differences.isEmpty()) {
            throw new AssertionError("cluster " + source.endpoint().address() + " and cluster " + target.endpoint().address()
                    + " differ: " + differences.size() + " difference(s)\n  "
                    + String.join("\n  ", differences.stream().limit(MAX_REPORTED).toList()));
        }
    }

    /** Compares the keys {@code expected} (each with the connection that holds it) with every key of the cluster. */
    private static void compare(Map<Key, RedisConnection> expected, ServerInfo.Version sourceVersion, ClusterHarness cluster,
                                List<String> differences) {
        Map<Key, RedisConnection> actual = keys(cluster, differences);
        ServerInfo.Version cv = cluster.nodes().get(0).parsedVersion();
        boolean exactExpiry = sourceVersion.atLeast(7, 0) && cv.atLeast(7, 0);
        TreeSet<Key> all = new TreeSet<>(expected.keySet());
        all.addAll(actual.keySet());
        for (Key key : all) {
            RedisConnection node = actual.get(key);
            RedisConnection from = expected.get(key);
            if (node == null) {
                differences.add(key + ": missing on the cluster");
            } else if (from == null) {
                differences.add(key + ": only on the cluster (a " + node.callChecked("TYPE", key.bytes()).asText() + ")");
            } else {
                compare(key, from, new ValueReader(from, exactExpiry, false), node, new ValueReader(node, exactExpiry, false),
                        exactExpiry, differences);
            }
        }
    }

    /** Every key of a cluster (SCAN on each node), with the harness's connection to the master that owns it. */
    private static Map<Key, RedisConnection> keys(ClusterHarness cluster, List<String> differences) {
        Map<Key, RedisConnection> keys = new TreeMap<>();
        for (RedisServer node : cluster.nodes()) {
            try (RedisConnection conn = node.connect()) {
                for (Key key : keys(conn, differences)) {
                    keys.put(key, cluster.connectionFor(key.bytes()));
                }
            }
        }
        return keys;
    }

    /** Asserts that two clusters hold the same data, every key of either (their slot maps may differ). */
    public static void assertSameData(ClusterHarness a, ClusterHarness b) {
        assertSameData(a, b, key -> true);
    }

    /** The differences between two clusters, every key of either, one line each; empty when the data is the same. */
    public static List<String> differences(ClusterHarness a, ClusterHarness b) {
        return differences(a, b, key -> true);
    }

    /** How many keys of the cluster match a glob {@code pattern} ({@code KEYS} on every node). */
    public static long count(ClusterHarness cluster, String pattern) {
        long n = 0;
        for (RedisServer node : cluster.nodes()) {
            try (RedisConnection conn = node.connect()) {
                n += ((RespValue.Array) conn.callChecked("KEYS", pattern)).items().size();
            }
        }
        return n;
    }

    private static void compare(Key key, RedisConnection a, ValueReader aReader, RedisConnection b, ValueReader bReader,
                                boolean exactExpiry, List<String> differences) {
        String type = a.callChecked("TYPE", key.bytes()).asText();
        String otherType = b.callChecked("TYPE", key.bytes()).asText();
        if (!type.equals(otherType)) {
            differences.add(key + ": type differs: source " + type + ", cluster " + otherType);
            return;
        }
        List<String> expected = aReader.read(type, key);
        List<String> actual = bReader.read(type, key);
        if (!expected.equals(actual)) {
            differences.add(key + ": " + type + " differs: source " + Printable.shorten(expected.toString(), 120)
                    + ", cluster " + Printable.shorten(actual.toString(), 120));
        }
        String command = exactExpiry ? "PEXPIRETIME" : "PTTL";
        long s = a.callChecked(command, key.bytes()).asLong();
        long t = b.callChecked(command, key.bytes()).asLong();
        boolean same = exactExpiry || s < 0 || t < 0 ? s == t : Math.abs(s - t) <= TTL_TOLERANCE_MS;
        if (!same) {
            differences.add(key + ": expiry differs: " + command + " source " + s + ", cluster " + t);
        }
    }

    private static Set<Key> keys(RedisConnection conn, List<String> differences) {
        Set<Key> keys = new TreeSet<>();
        DataComparison.forEachKey(conn, key -> {
            if (key.startsWith(TEMPORARY_PREFIX)) {
                differences.add(key + ": a temporary key left behind on " + conn.endpoint().address());
            } else if (!key.startsWith(DataComparison.FERRY_PREFIX)) {
                keys.add(key);
            }
        });
        return keys;
    }
}
