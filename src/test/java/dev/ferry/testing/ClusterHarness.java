package dev.ferry.testing;

import dev.ferry.FerryException;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;
import dev.ferry.cluster.SlotHash;
import dev.ferry.cluster.Topology;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Redis Cluster of real redis-server processes (7.0.15 unless told) for integration tests: N masters, no
 * replicas, slots spread evenly with {@code CLUSTER ADDSLOTSRANGE} (or {@code ADDSLOTS} before 7.0), joined
 * with {@code CLUSTER MEET}. A range of
 * slots can be left unassigned, to test what happens when a cluster does not cover them all.
 *
 * <p>{@link #call(Object...)} sends a one-key command to the master that owns the key. Not thread-safe;
 * {@link #close()} stops every node.
 */
public final class ClusterHarness implements AutoCloseable {

    private static final String DEFAULT_VERSION = "7.0.15";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final List<RedisServer> nodes = new ArrayList<>();
    private final Map<RedisEndpoint, RedisConnection> connections = new HashMap<>();
    private Topology topology;

    private ClusterHarness() {
    }

    /** Starts a cluster of {@code masters} nodes covering every slot; {@code args} go to every node ("--requirepass", "x"). */
    public static ClusterHarness start(int masters, String... args) {
        return start(masters, -1, -1, args);
    }

    /** Starts a cluster of {@code masters} redis-server {@code version} nodes covering every slot. */
    public static ClusterHarness start(String version, int masters, String... args) {
        return start(version, masters, -1, -1, args);
    }

    /**
     * Starts a cluster of {@code masters} redis-server {@code version} nodes covering every slot, the boundaries
     * between masters moved up by {@code skew} slots: two clusters of as many masters then split their slots
     * differently, and one master's keys land on several masters of the other.
     */
    public static ClusterHarness startSkewed(String version, int masters, int skew, String... args) {
        return start(version, masters, -1, -1, skew, args);
    }

    /**
     * Starts a cluster of {@code masters} nodes that leaves slots {@code uncoveredFirst..uncoveredLast} unassigned
     * (-1 for none), and waits until every node knows every other and sees every assigned slot.
     */
    public static ClusterHarness start(int masters, int uncoveredFirst, int uncoveredLast, String... args) {
        return start(DEFAULT_VERSION, masters, uncoveredFirst, uncoveredLast, args);
    }

    private static ClusterHarness start(String version, int masters, int uncoveredFirst, int uncoveredLast, String... args) {
        return start(version, masters, uncoveredFirst, uncoveredLast, 0, args);
    }

    private static ClusterHarness start(String version, int masters, int uncoveredFirst, int uncoveredLast, int skew,
                                        String... args) {
        ClusterHarness cluster = new ClusterHarness();
        try {
            for (int i = 0; i < masters; i++) {
                RedisServer.Builder b = RedisServer.builder().version(version)
                        .arg("--cluster-enabled", "yes")
                        // Each server runs in a temporary directory of its own, so the name cannot clash.
                        .arg("--cluster-config-file", "nodes.conf")
                        .arg("--cluster-node-timeout", "5000");
                for (int a = 0; a < args.length; a += 2) {
                    b.arg(args[a], args[a + 1]);
                }
                cluster.nodes.add(b.start());
            }
            cluster.assignSlots(uncoveredFirst, uncoveredLast, skew);
            cluster.meet();
            int expected = SlotHash.SLOTS - (uncoveredFirst < 0 ? 0 : uncoveredLast - uncoveredFirst + 1);
            cluster.awaitReady(expected);
            cluster.topology = Topology.discover(cluster.endpoint());
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    /** The first node: how a deployment is named on the command line. */
    public RedisEndpoint endpoint() {
        return nodes.get(0).endpoint();
    }

    public String uri() {
        RedisEndpoint e = endpoint();
        return "redis://" + (e.password() == null ? "" : ":" + e.password() + "@") + e.address();
    }

    /** Sends a command whose first argument is its key to the master that owns the key, and checks the reply. */
    public RespValue call(Object... command) {
        byte[] key = command[1] instanceof byte[] b ? b : command[1].toString().getBytes(StandardCharsets.UTF_8);
        return connectionFor(key).callChecked(command);
    }

    /** The harness's connection to the master that owns {@code key} (closed with the harness). */
    public RedisConnection connectionFor(byte[] key) {
        return connections.computeIfAbsent(topology.nodeFor(key), RedisConnection::open);
    }

    /** Deletes every key on every node. */
    public void flushAll() {
        for (RedisServer node : nodes) {
            try (RedisConnection conn = node.connect()) {
                conn.callChecked("FLUSHALL");
            }
        }
    }

    private void assignSlots(int uncoveredFirst, int uncoveredLast, int skew) {
        int per = SlotHash.SLOTS / nodes.size();
        for (int i = 0; i < nodes.size(); i++) {
            int first = i == 0 ? 0 : i * per + skew;
            int last = i == nodes.size() - 1 ? SlotHash.SLOTS - 1 : (i + 1) * per + skew - 1;
            boolean ranges = nodes.get(i).parsedVersion().atLeast(7, 0);
            List<Object> command = new ArrayList<>(List.of("CLUSTER", ranges ? "ADDSLOTSRANGE" : "ADDSLOTS"));
            for (int[] range : without(first, last, uncoveredFirst, uncoveredLast)) {
                if (ranges) {
                    command.add(range[0]);
                    command.add(range[1]);
                } else {
                    for (int slot = range[0]; slot <= range[1]; slot++) {
                        command.add(slot);
                    }
                }
            }
            if (command.size() > 2) {
                try (RedisConnection conn = nodes.get(i).connect()) {
                    conn.callChecked(command.toArray());
                }
            }
        }
    }

    /** {@code first..last} minus {@code holeFirst..holeLast}, as up to two ranges. */
    private static List<int[]> without(int first, int last, int holeFirst, int holeLast) {
        List<int[]> ranges = new ArrayList<>();
        if (holeFirst < 0 || holeLast < first || holeFirst > last) {
            ranges.add(new int[] {first, last});
            return ranges;
        }
        if (holeFirst > first) {
            ranges.add(new int[] {first, holeFirst - 1});
        }
        if (holeLast < last) {
            ranges.add(new int[] {holeLast + 1, last});
        }
        return ranges;
    }

    private void meet() {
        try (RedisConnection conn = nodes.get(0).connect()) {
            for (int i = 1; i < nodes.size(); i++) {
                conn.callChecked("CLUSTER", "MEET", nodes.get(i).endpoint().host(), nodes.get(i).port());
            }
        }
    }

    private void awaitReady(int expectedSlots) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            boolean ready = true;
            for (RedisServer node : nodes) {
                try (RedisConnection conn = node.connect()) {
                    String info = conn.callChecked("CLUSTER", "INFO").asText();
                    int known = Integer.parseInt(field(info, "cluster_known_nodes"));
                    int assigned = Integer.parseInt(field(info, "cluster_slots_assigned"));
                    String state = field(info, "cluster_state");
                    last = node + ": known nodes " + known + ", slots assigned " + assigned + ", state " + state;
                    boolean full = expectedSlots == SlotHash.SLOTS;
                    if (known != nodes.size() || assigned != expectedSlots || (full && !state.equals("ok"))) {
                        ready = false;
                        break;
                    }
                }
            }
            if (ready) {
                return;
            }
            sleep(50);
        }
        throw new FerryException("cluster not ready after " + READY_TIMEOUT.toMillis() + " ms: " + last);
    }

    private static String field(String info, String name) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        throw new FerryException("CLUSTER INFO without " + name);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted", e);
        }
    }

    @Override
    public void close() {
        connections.values().forEach(RedisConnection::close);
        connections.clear();
        for (RedisServer node : nodes) {
            node.stop();
        }
    }
}
