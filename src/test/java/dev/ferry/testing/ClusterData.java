package dev.ferry.testing;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.ServerInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Asserts that a standalone server's database 0 and a Redis Cluster hold the same data: the same keys (found
 * with SCAN on every cluster node), types, values read in the canonical form of {@link ValueReader}, and
 * expiry times (exactly with {@code PEXPIRETIME} when both run 7.0+, else by {@code PTTL} within 2 seconds);
 * or two clusters, the same way. Ferry's own keys ({@code __ferry:...}) are ignored, except temporaries
 * ({@code __ferry:tmp:...}), which must not be left behind. Blocking; the standalone side is the database its
 * connection is on (0 unless a test pairs another with the cluster).
 */
public final class ClusterData {

    private static final byte[] TEMPORARY_PREFIX = "__ferry:tmp:".getBytes(StandardCharsets.US_ASCII);
    private static final long TTL_TOLERANCE_MS = 2000;
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
        List<String> differences = new ArrayList<>();
        Set<Key> expected = keys(standalone, differences);
        Map<Key, RedisConnection> actual = new TreeMap<>();
        for (RedisServer node : cluster.nodes()) {
            try (RedisConnection conn = node.connect()) {
                for (Key key : keys(conn, differences)) {
                    actual.put(key, cluster.connectionFor(key.bytes()));
                }
            }
        }
        ServerInfo.Version sv = ServerInfo.fetch(standalone).version();
        ServerInfo.Version cv = cluster.nodes().get(0).parsedVersion();
        boolean exactExpiry = sv.atLeast(7, 0) && cv.atLeast(7, 0);
        ValueReader expectedReader = new ValueReader(standalone, exactExpiry, false);
        TreeSet<Key> all = new TreeSet<>(expected);
        all.addAll(actual.keySet());
        for (Key key : all) {
            RedisConnection node = actual.get(key);
            if (node == null) {
                differences.add(key + ": missing on the cluster");
            } else if (!expected.contains(key)) {
                differences.add(key + ": only on the cluster (a " + node.callChecked("TYPE", key.bytes()).asText() + ")");
            } else {
                compare(key, standalone, expectedReader, "standalone", node, new ValueReader(node, exactExpiry, false), "cluster",
                        exactExpiry, differences);
            }
        }
        return differences;
    }

    /**
     * Asserts that two clusters hold the same data: every key either holds (SCAN on every node), compared on the
     * masters that own it in each, the slot maps may differ.
     *
     * @throws AssertionError listing the first differing keys (escaped) and what differs
     */
    public static void assertSameData(ClusterHarness a, ClusterHarness b) {
        List<String> differences = differences(a, b);
        if (!differences.isEmpty()) {
            throw new AssertionError("clusters " + a.endpoint().address() + " and " + b.endpoint().address() + " differ: "
                    + differences.size() + " difference(s)\n  "
                    + String.join("\n  ", differences.stream().limit(MAX_REPORTED).toList()));
        }
    }

    /** The differences between two clusters, one line each ({@code "key": what}), empty when the data is the same. */
    public static List<String> differences(ClusterHarness a, ClusterHarness b) {
        List<String> differences = new ArrayList<>();
        Set<Key> inA = keys(a, differences);
        Set<Key> inB = keys(b, differences);
        boolean exactExpiry = a.nodes().get(0).parsedVersion().atLeast(7, 0) && b.nodes().get(0).parsedVersion().atLeast(7, 0);
        TreeSet<Key> all = new TreeSet<>(inA);
        all.addAll(inB);
        for (Key key : all) {
            if (!inB.contains(key)) {
                differences.add(key + ": only on " + a.endpoint().address());
            } else if (!inA.contains(key)) {
                differences.add(key + ": only on " + b.endpoint().address());
            } else {
                RedisConnection na = a.connectionFor(key.bytes());
                RedisConnection nb = b.connectionFor(key.bytes());
                compare(key, na, new ValueReader(na, exactExpiry, false), "first cluster", nb,
                        new ValueReader(nb, exactExpiry, false), "second cluster", exactExpiry, differences);
            }
        }
        return differences;
    }

    private static Set<Key> keys(ClusterHarness cluster, List<String> differences) {
        Set<Key> keys = new TreeSet<>();
        for (RedisServer node : cluster.nodes()) {
            try (RedisConnection conn = node.connect()) {
                keys.addAll(keys(conn, differences));
            }
        }
        return keys;
    }

    private static void compare(Key key, RedisConnection a, ValueReader aReader, String aName, RedisConnection b,
                                ValueReader bReader, String bName, boolean exactExpiry, List<String> differences) {
        String type = a.callChecked("TYPE", key.bytes()).asText();
        String otherType = b.callChecked("TYPE", key.bytes()).asText();
        if (!type.equals(otherType)) {
            differences.add(key + ": type differs: " + aName + " " + type + ", " + bName + " " + otherType);
            return;
        }
        List<String> expected = aReader.read(type, key);
        List<String> actual = bReader.read(type, key);
        if (!expected.equals(actual)) {
            differences.add(key + ": " + type + " differs: " + aName + " " + Printable.shorten(expected.toString(), 120)
                    + ", " + bName + " " + Printable.shorten(actual.toString(), 120));
        }
        String command = exactExpiry ? "PEXPIRETIME" : "PTTL";
        long s = a.callChecked(command, key.bytes()).asLong();
        long t = b.callChecked(command, key.bytes()).asLong();
        boolean same = exactExpiry || s < 0 || t < 0 ? s == t : Math.abs(s - t) <= TTL_TOLERANCE_MS;
        if (!same) {
            differences.add(key + ": expiry differs: " + command + " " + aName + " " + s + ", " + bName + " " + t);
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
