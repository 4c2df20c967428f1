package dev.ferry.testing;

import dev.ferry.FerryException;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;
import dev.ferry.cluster.SlotHash;
import dev.ferry.cluster.SlotTags;
import dev.ferry.cluster.Topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Redis Cluster of real redis-server processes (7.0.15 unless told) for integration tests: N masters, no
 * replicas, slots spread evenly with {@code CLUSTER ADDSLOTSRANGE} (or {@code ADDSLOTS} before 7.0), joined
 * with {@code CLUSTER MEET}. A range of
 * slots can be left unassigned, to test what happens when a cluster does not cover them all. A cluster can also
 * have replicas ({@link #startWithReplicas}) and change while a test runs: slots migrated with their keys
 * ({@link #migrateSlots}), a node added, a graceful failover, a master killed.
 *
 * <p>{@link #call(Object...)} sends a one-key command to the master that owns the key. Not thread-safe;
 * {@link #close()} stops every node.
 */
public final class ClusterHarness implements AutoCloseable {

    private static final String DEFAULT_VERSION = "7.0.15";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final List<RedisServer> nodes = new ArrayList<>();
    private final Map<RedisEndpoint, RedisConnection> connections = new HashMap<>();
    private final List<Integer> tlsPorts = new ArrayList<>();
    private String[] tls;
    private Topology topology;

    private ClusterHarness() {
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first node's TLS address as a {@code rediss://} URI (a cluster from {@link #startTls} only). */
    public String tlsUri() {
        if (tlsPorts.isEmpty()) {
            throw new IllegalStateException("not a TLS cluster: start it with startTls");
        }
        return "rediss://127.0.0.1:" + tlsPorts.get(0);
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
        return start(version, masters, uncoveredFirst, uncoveredLast, skew, new ClusterHarness(), args);
    }

    /**
     * Starts a cluster of {@code masters} nodes that also listen on TLS, with the certificate {@code certificate}
     * (certificate and key files) signed by {@code caCert}: the cluster bus and replication run over TLS too, so a
     * client that connects with TLS is told the nodes' TLS ports ({@link #tlsUri()}), a plain one their plain ports.
     */
    public static ClusterHarness startTls(String version, int masters, Path caCert, Path[] certificate) {
        ClusterHarness cluster = new ClusterHarness();
        cluster.tls = new String[] {"--tls-cluster", "yes", "--tls-replication", "yes",
                "--tls-cert-file", certificate[0].toString(), "--tls-key-file", certificate[1].toString(),
                "--tls-ca-cert-file", caCert.toString(), "--tls-auth-clients", "no"};
        return start(version, masters, -1, -1, 0, cluster);
    }

    private static ClusterHarness start(String version, int masters, int uncoveredFirst, int uncoveredLast, int skew,
                                        ClusterHarness cluster, String... args) {
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
                if (cluster.tls != null) {
                    int port = freePort();
                    // The bus listens on the TLS port + 10000 unless told: that may be past 65535.
                    b.arg("--tls-port", Integer.toString(port)).arg("--cluster-port", Integer.toString(freePort()));
                    for (int a = 0; a < cluster.tls.length; a += 2) {
                        b.arg(cluster.tls[a], cluster.tls[a + 1]);
                    }
                    cluster.tlsPorts.add(port);
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
                RedisServer node = nodes.get(i);
                if (tls == null) {
                    conn.callChecked("CLUSTER", "MEET", node.endpoint().host(), node.port());
                } else {
                    // Over TLS the nodes know each other by their TLS ports, and the bus port is the one set.
                    try (RedisConnection other = node.connect()) {
                        String busPort = ((RespValue.Array) other.callChecked("CONFIG", "GET", "cluster-port")).items().get(1).asText();
                        conn.callChecked("CLUSTER", "MEET", node.endpoint().host(), tlsPorts.get(i), busPort);
                    }
                }
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
                    // A killed node stays known to the others: at least every live node must be.
                    if (known < nodes.size() || assigned != expectedSlots || (full && !state.equals("ok"))) {
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

    /**
     * Starts a cluster of {@code masters} masters with {@code replicas} replicas each (node timeout
     * {@code nodeTimeoutMs}, so a killed master fails over that fast), and waits until every replica is in sync.
     */
    public static ClusterHarness startWithReplicas(String version, int masters, int replicas, int nodeTimeoutMs) {
        ClusterHarness cluster = new ClusterHarness();
        try {
            for (int i = 0; i < masters * (1 + replicas); i++) {
                cluster.nodes.add(clusterNode(version, nodeTimeoutMs));
            }
            List<RedisServer> all = List.copyOf(cluster.nodes);
            cluster.nodes.subList(masters, all.size()).clear();
            cluster.assignSlots(-1, -1, 0);
            cluster.nodes.clear();
            cluster.nodes.addAll(all);
            cluster.meet();
            cluster.awaitReady(SlotHash.SLOTS);
            for (int i = masters; i < all.size(); i++) {
                String masterId = id(all.get((i - masters) % masters));
                try (RedisConnection conn = all.get(i).connect()) {
                    conn.callChecked("CLUSTER", "REPLICATE", masterId);
                }
            }
            for (int i = masters; i < all.size(); i++) {
                awaitField(all.get(i), "INFO", "replication", "master_link_status", "up");
            }
            cluster.awaitReady(SlotHash.SLOTS);
            cluster.topology = Topology.discover(cluster.endpoint());
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private static RedisServer clusterNode(String version, int nodeTimeoutMs) {
        return RedisServer.builder().version(version)
                .arg("--cluster-enabled", "yes")
                .arg("--cluster-config-file", "nodes.conf")
                .arg("--cluster-node-timeout", Integer.toString(nodeTimeoutMs))
                .start();
    }

    /** Starts an empty node of {@code version}, joins it to the cluster and waits until every node knows it. */
    public RedisServer addNode(String version) {
        RedisServer node = clusterNode(version, 5000);
        nodes.add(node);
        meet();
        awaitReady(SlotHash.SLOTS);
        return node;
    }

    /** The nodes that are masters now, serving slots or not. */
    public List<RedisServer> masters() {
        List<RedisServer> masters = new ArrayList<>();
        for (RedisServer node : nodes) {
            try (RedisConnection conn = node.connect()) {
                if (((RespValue.Array) conn.callChecked("ROLE")).items().get(0).asText().equals("master")) {
                    masters.add(node);
                }
            }
        }
        return masters;
    }

    /** The slots {@code master} serves now. */
    public List<Integer> slotsOf(RedisServer master) {
        refreshTopology();
        return topology.slotsOf(master.endpoint()).stream().boxed().toList();
    }

    /**
     * Removes {@code node} (a master that serves no slot, or a replica) from the cluster, as {@code redis-cli --cluster
     * del-node} does: every other node forgets it, then it shuts down.
     */
    public void removeNode(RedisServer node) {
        removeNode(node, false);
    }

    /** Kills {@code node} (a replica, or a master that serves no slot) with SIGKILL, then every other node forgets it. */
    public void killAndForget(RedisServer node) {
        removeNode(node, true);
    }

    private void removeNode(RedisServer node, boolean kill) {
        String nodeId = id(node);
        if (kill) {
            ProcessHandle.of(node.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
        nodes.remove(node);
        for (RedisServer other : nodes) {
            call(other, "CLUSTER", "FORGET", nodeId);
        }
        node.stop();
        connections.values().forEach(RedisConnection::close);
        connections.clear();
        awaitReady(SlotHash.SLOTS);
        refreshTopology();
    }

    /** The node serving {@code slot} now. */
    public RedisServer ownerOf(int slot) {
        refreshTopology();
        RedisEndpoint owner = topology.nodeFor(SlotTags.tagOf(slot));
        return nodes.stream().filter(n -> n.endpoint().equals(owner)).findFirst()
                .orElseThrow(() -> new FerryException("no node serves slot " + slot));
    }

    /** The replicas of {@code master}. */
    public List<RedisServer> replicasOf(RedisServer master) {
        String masterId = id(master);
        List<RedisServer> replicas = new ArrayList<>();
        for (RedisServer node : nodes) {
            String[] fields = myselfLine(node).split(" ");
            if (node != master && fields.length > 3 && fields[3].equals(masterId)) {
                replicas.add(node);
            }
        }
        return replicas;
    }

    /**
     * Moves {@code slots} from their owner to {@code to} with their keys, as {@code redis-cli --cluster reshard}
     * does: IMPORTING / MIGRATING, {@code MIGRATE} in batches while clients keep writing, then the slot given to
     * its new owner on every master.
     */
    public void migrateSlots(Collection<Integer> slots, RedisServer to) {
        String toId = id(to);
        for (int slot : slots) {
            RedisServer from = ownerOf(slot);
            if (from == to) {
                continue;
            }
            String s = Integer.toString(slot);
            call(to, "CLUSTER", "SETSLOT", s, "IMPORTING", id(from));
            call(from, "CLUSTER", "SETSLOT", s, "MIGRATING", toId);
            while (true) {
                List<RespValue> keys = ((RespValue.Array) call(from, "CLUSTER", "GETKEYSINSLOT", s, "10")).items();
                if (keys.isEmpty()) {
                    break;
                }
                List<Object> migrate = new ArrayList<>(List.of("MIGRATE", to.endpoint().host(), to.port(), "", 0, 5000, "KEYS"));
                keys.forEach(k -> migrate.add(((RespValue.Bulk) k).bytes()));
                call(from, migrate.toArray());
            }
            call(to, "CLUSTER", "SETSLOT", s, "NODE", toId);
            setSlotNode(from, s, toId);
            for (RedisServer master : masters()) {
                if (master != to && master != from) {
                    setSlotNode(master, s, toId);
                }
            }
        }
        refreshTopology();
    }

    /** A graceful {@code CLUSTER FAILOVER} on {@code replica}; returns once it is a master every node sees. */
    public void failover(RedisServer replica) {
        failover(replica, false);
    }

    /**
     * A failover to {@code replica}: graceful (the master stops taking writes, the replica catches up, then takes
     * over) or, with {@code force}, without asking the master ({@code CLUSTER FAILOVER FORCE}); returns once the
     * cluster is healthy with {@code replica} a master.
     */
    public void failover(RedisServer replica, boolean force) {
        if (force) {
            call(replica, "CLUSTER", "FAILOVER", "FORCE");
        } else {
            call(replica, "CLUSTER", "FAILOVER");
        }
        awaitField(replica, "INFO", "replication", "role", "master");
        awaitReady(SlotHash.SLOTS);
        // A forced failover reaches the other nodes by gossip: wait until each names the new master.
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        for (RedisServer node : nodes) {
            while (true) {
                try (RedisConnection conn = node.connect()) {
                    if (Topology.read(conn).masters().contains(replica.endpoint())) {
                        break;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new FerryException(node + " does not see " + replica + " as a master");
                }
                sleep(20);
            }
        }
        refreshTopology();
    }

    /**
     * Kills master {@code node} with SIGKILL and forgets it; returns once the cluster has promoted one of its
     * replicas by itself and is healthy again.
     */
    public void killMaster(RedisServer node) {
        List<RedisServer> replicas = replicasOf(node);
        if (replicas.isEmpty()) {
            throw new FerryException(node + " has no replica to fail over to");
        }
        ProcessHandle.of(node.pid()).ifPresent(ProcessHandle::destroyForcibly);
        nodes.remove(node);
        connections.values().forEach(RedisConnection::close);
        connections.clear();
        node.stop();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (replicas.stream().noneMatch(r -> field(call(r, "INFO", "replication").asText(), "role").equals("master"))) {
            if (System.nanoTime() > deadline) {
                throw new FerryException("no replica of the killed " + node + " was promoted within " + READY_TIMEOUT.toSeconds() + " s");
            }
            sleep(50);
        }
        awaitHealthy();
    }

    /** Waits until every live node sees every slot served and the cluster state ok again, and re-reads the slot map. */
    public void awaitHealthy() {
        awaitReady(SlotHash.SLOTS);
        refreshTopology();
    }

    /** Reads the slot map again from the first live node (after slots moved). */
    public void refreshTopology() {
        connections.values().forEach(RedisConnection::close);
        connections.clear();
        topology = Topology.discover(endpoint());
    }

    private static String myselfLine(RedisServer node) {
        for (String line : call(node, "CLUSTER", "NODES").asText().split("\r?\n")) {
            if (line.contains("myself")) {
                return line;
            }
        }
        throw new FerryException(node + ": CLUSTER NODES without myself");
    }

    private static String id(RedisServer node) {
        return call(node, "CLUSTER", "MYID").asText();
    }

    /**
     * {@code CLUSTER SETSLOT slot NODE id} on a master that may have stopped being one: a master that loses its last
     * slot becomes a replica of the node that took it (Redis 7+, cluster-allow-replica-migration) as soon as the new
     * owner's announcement reaches it, possibly before this call; a replica needs no SETSLOT, its master's config holds.
     */
    private static void setSlotNode(RedisServer node, String slot, String toId) {
        try (RedisConnection conn = node.connect()) {
            RespValue reply = conn.call("CLUSTER", "SETSLOT", slot, "NODE", toId);
            if (reply instanceof RespValue.Error error) {
                boolean nowReplica = ((RespValue.Array) conn.callChecked("ROLE")).items().get(0).asText().equals("slave");
                if (!nowReplica) {
                    throw new FerryException(node + " refused CLUSTER SETSLOT " + slot + " NODE: " + error.message());
                }
            }
        }
    }

    private static RespValue call(RedisServer node, Object... command) {
        try (RedisConnection conn = node.connect()) {
            return conn.callChecked(command);
        }
    }

    /** Waits until {@code field} of the INFO {@code section} of {@code node} reads {@code value}. */
    private static void awaitField(RedisServer node, String info, String section, String field, String value) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = field(call(node, info, section).asText(), field);
            } catch (FerryException e) {
                last = e.getMessage();
            }
            if (value.equals(last)) {
                return;
            }
            sleep(50);
        }
        throw new FerryException(node + ": " + field + " is " + last + ", not " + value + ", after " + READY_TIMEOUT.toSeconds() + " s");
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
