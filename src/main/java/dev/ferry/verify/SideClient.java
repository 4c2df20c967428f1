package dev.ferry.verify;

import dev.ferry.Throttle;
import dev.ferry.cluster.Redirect;
import dev.ferry.cluster.SlotHash;
import dev.ferry.cluster.Topology;
import dev.ferry.resp.KeyText;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/**
 * Reads from one deployment for one worker thread: routes each command to the node that holds its key,
 * pipelines a batch to every node at once, follows {@code MOVED} and {@code ASK}, and keeps every
 * command under the run's {@link Throttle}. Databases are named as on the source; the target's side
 * selects where each lands ({@code --db-map}). Owns one connection per node; not thread-safe.
 */
final class SideClient implements Closeable {

    private static final int MAX_REDIRECTS = 5;

    private final Topology topology;
    private final Throttle limiter;
    private final IntUnaryOperator database;
    private final Map<RedisEndpoint, Node> nodes = new HashMap<>();
    private long commands;

    /** One connection and the database it has selected. */
    private static final class Node {
        final RedisConnection conn;
        int db;

        Node(RedisConnection conn) {
            this.conn = conn;
            this.db = 0;
        }
    }

    /** A batch sent and not yet read: which node answers which command, in order. */
    final class Pending {
        private final int db;
        private final List<byte[]> keys;
        private final List<Object[]> commands;
        private final Map<Node, List<Integer>> byNode;

        private Pending(int db, List<byte[]> keys, List<Object[]> commands, Map<Node, List<Integer>> byNode) {
            this.db = db;
            this.keys = keys;
            this.commands = commands;
            this.byNode = byNode;
        }

        /** Reads the replies, in the order of the commands. Error replies other than redirects are returned as they are. */
        List<RespValue> await() {
            RespValue[] replies = new RespValue[commands.size()];
            for (Map.Entry<Node, List<Integer>> e : byNode.entrySet()) {
                for (int index : e.getValue()) {
                    replies[index] = e.getKey().conn.read();
                }
            }
            for (int i = 0; i < replies.length; i++) {
                if (replies[i] instanceof RespValue.Error error && redirectOf(error) != null) {
                    replies[i] = redirected(db, keys.get(i), commands.get(i), error);
                }
            }
            return List.of(replies);
        }
    }

    SideClient(Topology topology, Throttle limiter) {
        this(topology, limiter, IntUnaryOperator.identity());
    }

    /** @param database the database of this side a source database number means */
    SideClient(Topology topology, Throttle limiter, IntUnaryOperator database) {
        this.topology = topology;
        this.limiter = limiter;
        this.database = database;
    }

    Topology topology() {
        return topology;
    }

    /** Commands sent so far. */
    long commands() {
        return commands;
    }

    /**
     * Sends {@code commands[i]}, which touches {@code keys[i]}, to the node that holds that key, in database
     * {@code db}, and flushes every node. Read the replies with {@link Pending#await()} before the next call.
     */
    Pending submit(int db, List<byte[]> keys, List<Object[]> commands) {
        limiter.acquireOps(commands.size());
        this.commands += commands.size();
        Map<Node, List<Integer>> byNode = new LinkedHashMap<>();
        for (int i = 0; i < commands.size(); i++) {
            Node node = node(route(keys.get(i)), db);
            node.conn.send(commands.get(i));
            byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(i);
        }
        for (Node node : byNode.keySet()) {
            node.conn.flush();
        }
        return new Pending(db, keys, commands, byNode);
    }

    /** Sends the batch and waits for its replies. */
    List<RespValue> call(int db, List<byte[]> keys, List<Object[]> commands) {
        return submit(db, keys, commands).await();
    }

    /** One command about one key. */
    RespValue call(int db, byte[] key, Object... command) {
        return call(db, List.of(key), List.<Object[]>of(command)).get(0);
    }

    /** A connection to {@code endpoint} with {@code db} selected, for commands that are not about one key (SCAN). */
    RedisConnection connection(RedisEndpoint endpoint, int db) {
        return node(endpoint, db).conn;
    }

    /** Counts commands sent outside {@link #submit} against the rate limit. */
    void charge(int permits) {
        limiter.acquireOps(permits);
        commands += permits;
    }

    private RedisEndpoint route(byte[] key) {
        RedisEndpoint endpoint = topology.nodeFor(key);
        if (endpoint == null) {
            topology.refresh();
            endpoint = topology.nodeFor(key);
            if (endpoint == null) {
                throw new VerifyException("no node of " + topology.seed().address() + " serves the slot of key "
                        + KeyText.quoted(key) + " (slot " + SlotHash.slot(key) + ")");
            }
        }
        return endpoint;
    }

    private RespValue redirected(int db, byte[] key, Object[] command, RespValue.Error error) {
        RespValue reply = error;
        Redirect redirect;
        for (int attempt = 0; attempt < MAX_REDIRECTS && (redirect = redirectOf(reply)) != null; attempt++) {
            RedisEndpoint target = redirect.node();
            limiter.acquireOps(1);
            commands++;
            if (!redirect.moved()) {
                // The slot is migrating: ask the importing node for this one command, and keep the slot map.
                Node node = node(target, db);
                node.conn.send("ASKING");
                node.conn.send(command);
                node.conn.flush();
                node.conn.read();
                reply = node.conn.read();
            } else {
                topology.refresh();
                Node node = node(target, db);
                node.conn.send(command);
                node.conn.flush();
                reply = node.conn.read();
            }
        }
        if (reply instanceof RespValue.Error e && redirectOf(reply) != null) {
            throw new VerifyException("key " + KeyText.quoted(key) + " still redirected after " + MAX_REDIRECTS
                    + " attempts: " + e.message());
        }
        return reply;
    }

    private Redirect redirectOf(RespValue reply) {
        return reply instanceof RespValue.Error e ? Redirect.parse(e.message(), topology.seed()) : null;
    }

    private Node node(RedisEndpoint endpoint, int sourceDb) {
        int db = database.applyAsInt(sourceDb);
        Node node = nodes.get(endpoint);
        if (node == null) {
            node = new Node(RedisConnection.open(endpoint));
            nodes.put(endpoint, node);
        }
        if (node.db != db) {
            node.conn.callChecked("SELECT", db);
            node.db = db;
        }
        return node;
    }

    @Override
    public void close() {
        for (Node node : nodes.values()) {
            node.conn.close();
        }
        nodes.clear();
    }
}
