package dev.ferry.precheck;

import dev.ferry.FerryException;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisConnectionException;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RedisReplyException;
import dev.ferry.cluster.SlotHash;

import java.util.ArrayList;
import java.util.List;

/** Can Ferry reach and log in to each side, and to every node of a cluster; does a cluster serve every slot. */
final class ConnectionChecks {

    private ConnectionChecks() {
    }

    static CheckResult connection(String name, Side side, String option) {
        if (side.connected()) {
            long keys = side.keysPerDb().values().stream().mapToLong(Long::longValue).sum();
            String shape = side.isCluster() ? "cluster of " + side.topology().masters().size() + " masters" : "standalone";
            return CheckResult.pass(name, side.endpoint().address() + ": Redis " + side.version() + ", " + shape + ", "
                    + keys + " keys" + (side.endpoint().password() == null ? "" : ", authenticated"
                    + (side.endpoint().user() == null ? "" : " as " + side.endpoint().user())));
        }
        FerryException e = side.failure();
        return CheckResult.fail(name, e.getMessage(), fixFor(e, option));
    }

    private static String fixFor(FerryException e, String option) {
        if (e instanceof RedisConnectionException) {
            return "check the host and port in " + option + ", that the server runs, and that no firewall blocks this machine";
        }
        if (e instanceof RedisReplyException r && (r.isAuthFailure() || r.code().equals("NOAUTH"))) {
            return "check the credentials in " + option + ": redis://user:password@host:port (ACL user) or redis://:password@host:port";
        }
        return "check " + option + " (" + e.getClass().getSimpleName() + ")";
    }

    /** Every node {@code CLUSTER SLOTS} names accepts a connection with the credentials of the URI. */
    static CheckResult clusterNodes(String name, Side side, String option) {
        if (!side.isCluster()) {
            return CheckResult.skip(name, "the " + side.role() + " is not a cluster");
        }
        List<RedisEndpoint> nodes = side.topology().nodes();
        List<String> failed = new ArrayList<>();
        for (RedisEndpoint node : nodes) {
            try (RedisConnection conn = RedisConnection.open(node)) {
                conn.callChecked("PING");
            } catch (FerryException e) {
                failed.add(node.address() + " (" + e.getMessage() + ")");
            }
        }
        if (failed.isEmpty()) {
            return CheckResult.pass(name, "all " + nodes.size() + " nodes reachable with the credentials of " + option);
        }
        return CheckResult.fail(name, failed.size() + " of " + nodes.size() + " nodes unreachable with the credentials of "
                + option + ": " + String.join("; ", failed),
                "give every node the same user and password, and let this machine reach every node's address and port");
    }

    /** Every one of the 16384 slots is served by a master. */
    static CheckResult clusterSlots(String name, Side side) {
        if (!side.isCluster()) {
            return CheckResult.skip(name, "the " + side.role() + " is not a cluster");
        }
        List<int[]> holes = side.topology().uncoveredRanges();
        if (holes.isEmpty()) {
            return CheckResult.pass(name, "all " + SlotHash.SLOTS + " slots served by " + side.topology().masters().size() + " masters");
        }
        int missing = 0;
        List<String> ranges = new ArrayList<>();
        for (int[] hole : holes) {
            missing += hole[1] - hole[0] + 1;
            ranges.add(hole[0] == hole[1] ? Integer.toString(hole[0]) : hole[0] + "-" + hole[1]);
        }
        return CheckResult.fail(name, missing + " of " + SlotHash.SLOTS + " slots are not served by any node: "
                + String.join(", ", ranges.subList(0, Math.min(5, ranges.size()))) + (ranges.size() > 5 ? ", ..." : ""),
                "assign the slots to masters (redis-cli --cluster fix " + side.endpoint().address() + ")");
    }
}
