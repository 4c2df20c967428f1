package dev.ferry.precheck;

import dev.ferry.FerryException;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.ServerInfo;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Are the source and the target two servers that do not replicate each other, and does the target accept
 * writes. One server under two names is found by its {@code run_id}; a replica anywhere down the other side's
 * chain by the replication id it shares with it ({@code master_replid}, 4.0+), and on older servers, one hop
 * only, by its {@code master_host}/{@code master_port}.
 */
final class RoleChecks {

    private static final String NO_REPLID = "0".repeat(40);

    private RoleChecks() {
    }

    /** A server that holds keys on one side, with its {@code INFO}. */
    private record Node(RedisEndpoint endpoint, ServerInfo info) {

        boolean isReplica() {
            return "slave".equals(info.get("role"));
        }

        /** The replication ids this node's history carries: its own and the one it continued from. */
        Set<String> replIds() {
            Set<String> ids = new HashSet<>();
            for (String field : List.of("master_replid", "master_replid2")) {
                String id = info.get(field);
                if (id != null && !id.isBlank() && !id.equals(NO_REPLID)) {
                    ids.add(id);
                }
            }
            return ids;
        }

        /** Whether this node is a replica whose configured master is {@code other} (as seen from this node). */
        boolean replicatesFrom(RedisEndpoint other) {
            String host = info.get("master_host");
            long port = info.getLong("master_port", -1);
            if (!isReplica() || host == null || port != other.port()) {
                return false;
            }
            Set<InetAddress> master = resolve(host);
            // A loopback master address means this node's own machine.
            if (master.stream().anyMatch(InetAddress::isLoopbackAddress)) {
                master = resolve(endpoint.host());
            }
            Set<InetAddress> wanted = resolve(other.host());
            return master.stream().anyMatch(wanted::contains)
                    || isLoopback(master) && isLoopback(wanted);
        }
    }

    static CheckResult sameServer(String name, Side source, Side target) {
        for (Node s : nodes(source)) {
            for (Node t : nodes(target)) {
                CheckResult refused = compare(name, s, t);
                if (refused != null) {
                    return refused;
                }
            }
        }
        return CheckResult.pass(name, "two different servers, neither a replica of the other");
    }

    private static CheckResult compare(String name, Node s, Node t) {
        String runId = s.info().get("run_id");
        if (runId != null && runId.equals(t.info().get("run_id"))) {
            return CheckResult.fail(name, "the source " + s.endpoint().address() + " and the target " + t.endpoint().address()
                            + " are one server (run_id " + runId + "): Ferry would read back every write it applies, for ever",
                    "give another server as --target (localhost and 127.0.0.1, or a host name and its address, name the same one)");
        }
        String tid = t.info().get("master_replid");
        if (t.isReplica() && tid != null && s.replIds().contains(tid) || t.replicatesFrom(s.endpoint())) {
            return CheckResult.fail(name, "the target " + t.endpoint().address() + " is a replica in the replication chain of the"
                            + " source " + s.endpoint().address() + " (" + why(t, s) + "): it gets the source's writes already,"
                            + " and what Ferry writes is refused or overwritten",
                    "sync into a server that does not replicate from the source (REPLICAOF NO ONE on it makes it independent)");
        }
        String sid = s.info().get("master_replid");
        if (s.isReplica() && sid != null && t.replIds().contains(sid) || s.replicatesFrom(t.endpoint())) {
            return CheckResult.fail(name, "the source " + s.endpoint().address() + " is a replica in the replication chain of the"
                            + " target " + t.endpoint().address() + " (" + why(s, t) + "): every write Ferry applies would come"
                            + " back through the source, for ever",
                    "copy from a server that does not replicate from the target");
        }
        return null;
    }

    private static String why(Node replica, Node other) {
        return replica.replicatesFrom(other.endpoint())
                ? "its master is " + replica.info().get("master_host") + ":" + replica.info().get("master_port")
                : "both carry replication id " + replica.info().get("master_replid");
    }

    /** A target that is a replica refuses writes ({@code replica-read-only yes}, the default) or loses them to its master. */
    static CheckResult targetWritable(String name, Side target) {
        if (target.isCluster()) {
            return CheckResult.pass(name, "Ferry writes to the cluster's masters");
        }
        ServerInfo info = target.info();
        if (!"slave".equals(info.get("role"))) {
            return CheckResult.pass(name, "the target is a master: it accepts writes");
        }
        String master = info.get("master_host") + ":" + info.get("master_port");
        String readOnly = readOnly(target);
        if (!"no".equalsIgnoreCase(readOnly)) {
            return CheckResult.fail(name, "the target is a read-only replica of " + master + " ("
                            + (readOnly == null ? "replica-read-only cannot be read; replicas are read-only by default" : "replica-read-only yes")
                            + "): it refuses every write, which would be found only after the source made its snapshot",
                    "give a master as --target, or make this server independent with REPLICAOF NO ONE");
        }
        return CheckResult.warn(name, "the target is a writable replica of " + master + ": what Ferry writes is overwritten by"
                        + " its master's writes and erased by its next full resync",
                "make it independent with REPLICAOF NO ONE on the target, or give a master as --target");
    }

    /** "yes", "no", or null when CONFIG cannot tell (refused, or neither name known). */
    private static String readOnly(Side target) {
        for (String setting : List.of("replica-read-only", "slave-read-only")) {
            try {
                return target.config(setting).trim();
            } catch (FerryException e) {
                // 2.8 knows only the old name; a managed service may refuse CONFIG: try the next, then give up.
            }
        }
        return null;
    }

    private static List<Node> nodes(Side side) {
        if (!side.isCluster()) {
            return List.of(new Node(side.endpoint(), side.info()));
        }
        List<RedisEndpoint> masters = side.topology().masters();
        List<ServerInfo> infos = side.masterInfos();
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < masters.size(); i++) {
            nodes.add(new Node(masters.get(i), infos.get(i)));
        }
        return nodes;
    }

    private static Set<InetAddress> resolve(String host) {
        try {
            return new HashSet<>(Arrays.asList(InetAddress.getAllByName(host)));
        } catch (UnknownHostException e) {
            return Set.of();
        }
    }

    private static boolean isLoopback(Set<InetAddress> addresses) {
        return !addresses.isEmpty() && addresses.stream().allMatch(InetAddress::isLoopbackAddress);
    }
}
