package dev.ferry.precheck;

import dev.ferry.FerryException;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;
import dev.ferry.cluster.Topology;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One side of a sync as the checks see it: a connection to the named server (or why there is none), its
 * {@code INFO}, and for a cluster the {@code INFO} of every master. Holds connections; not thread-safe.
 */
final class Side implements Closeable {

    private final String role;
    private final RedisEndpoint endpoint;
    private RedisConnection conn;
    private FerryException failure;
    private ServerInfo info;
    private Topology topology;
    private List<ServerInfo> masterInfos;

    private Side(String role, RedisEndpoint endpoint) {
        this.role = role;
        this.endpoint = endpoint;
    }

    /** Connects (and authenticates) to {@code endpoint}; a failure is kept for the connection check to report. */
    static Side connect(String role, RedisEndpoint endpoint) {
        Side side = new Side(role, endpoint);
        try {
            side.conn = RedisConnection.open(endpoint);
            // A server with a password that was given none answers the first command with NOAUTH.
            side.conn.callChecked("PING");
            side.info = ServerInfo.fetch(side.conn);
            if (side.info.isCluster()) {
                side.topology = Topology.discover(endpoint);
            }
        } catch (FerryException e) {
            side.failure = e;
            side.close();
        }
        return side;
    }

    /** "source" or "target". */
    String role() {
        return role;
    }

    RedisEndpoint endpoint() {
        return endpoint;
    }

    boolean connected() {
        return failure == null;
    }

    FerryException failure() {
        return failure;
    }

    RedisConnection conn() {
        return conn;
    }

    ServerInfo info() {
        return info;
    }

    ServerInfo.Version version() {
        return info.version();
    }

    boolean isCluster() {
        return topology != null;
    }

    /** The cluster topology, or null for a standalone server. */
    Topology topology() {
        return topology;
    }

    /** {@code INFO} of every server that holds keys: the server itself, or every cluster master. */
    List<ServerInfo> masterInfos() {
        if (masterInfos == null) {
            masterInfos = new ArrayList<>();
            if (topology == null) {
                masterInfos.add(info);
            } else {
                for (RedisEndpoint node : topology.masters()) {
                    try (RedisConnection c = RedisConnection.open(node)) {
                        masterInfos.add(ServerInfo.fetch(c));
                    }
                }
            }
        }
        return masterInfos;
    }

    /** Keys per database, summed over the masters. */
    Map<Integer, Long> keysPerDb() {
        Map<Integer, Long> keys = new TreeMap<>();
        for (ServerInfo i : masterInfos()) {
            i.keysPerDb().forEach((db, n) -> keys.merge(db, n, Long::sum));
        }
        return keys;
    }

    /** A number field of {@code INFO} summed over the masters, or -1 when a master does not report it. */
    long sum(String field) {
        long total = 0;
        for (ServerInfo i : masterInfos()) {
            long v = i.getLong(field, -1);
            if (v < 0) {
                return -1;
            }
            total += v;
        }
        return total;
    }

    /**
     * A configuration value ({@code CONFIG GET name}) of the named server.
     *
     * @throws FerryException CONFIG is refused (managed services often disable or rename it) or unknown
     */
    String config(String name) {
        RespValue reply = conn.callChecked("CONFIG", "GET", name);
        List<RespValue> items = ((RespValue.Array) reply).items();
        if (items == null || items.size() < 2) {
            throw new FerryException(endpoint.address() + " does not know the setting " + name);
        }
        return items.get(1).asText();
    }

    /** "the source 127.0.0.1:6379" for messages. */
    String describe() {
        return "the " + role + " " + endpoint.address();
    }

    @Override
    public void close() {
        if (conn != null) {
            conn.close();
        }
    }
}
