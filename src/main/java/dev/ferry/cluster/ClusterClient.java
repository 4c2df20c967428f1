package dev.ferry.cluster;

import dev.ferry.FerryException;
import dev.ferry.resp.ErrorKind;
import dev.ferry.resp.KeyText;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisConnectionException;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;

import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small synchronous client for a Redis Cluster (or a standalone server, which serves every slot): each
 * command goes to the master of its routing key's slot, over one connection per master opened on first use.
 * {@code MOVED} refreshes the {@link Topology} and resends, {@code ASK} resends once to the importing node
 * after {@code ASKING} (the slot map is kept), both at most {@value #MAX_REDIRECTS} times; {@code TRYAGAIN}
 * and {@code CLUSTERDOWN} are retried with a short backoff for a bounded time. Any other error reply is
 * returned to the caller, as is the last transient one once the time is up.
 *
 * <p>Commands run in the database last {@link #select selected} (0 at first): a Valkey 9 cluster has
 * {@code cluster-databases} of them; each connection is switched with {@code SELECT} before its next command.
 *
 * <p>Blocking and not thread-safe: one thread owns a client. A lost connection is closed and dropped (the
 * next call opens a new one) and its exception ({@link RedisConnectionException} for a lost link) is thrown:
 * whether the command ran is unknown, so resending is the caller's decision.
 */
public final class ClusterClient implements Closeable {

    static final int MAX_REDIRECTS = 5;
    private static final Duration DEFAULT_RETRY_FOR = Duration.ofSeconds(10);
    private static final long FIRST_BACKOFF_MS = 10;
    private static final long MAX_BACKOFF_MS = 200;

    private final Topology topology;
    private final Duration retryFor;
    private final Map<RedisEndpoint, RedisConnection> connections = new HashMap<>();
    /** The database each open connection is in. */
    private final Map<RedisEndpoint, Integer> connectionDbs = new HashMap<>();
    private int db;
    private long redirects;
    private long retries;

    /** A client that retries {@code TRYAGAIN} and {@code CLUSTERDOWN} for up to 10 seconds. */
    public ClusterClient(Topology topology) {
        this(topology, DEFAULT_RETRY_FOR);
    }

    /** @param retryFor how long a command answered {@code TRYAGAIN} or {@code CLUSTERDOWN} is retried */
    public ClusterClient(Topology topology, Duration retryFor) {
        if (retryFor.isNegative()) {
            throw new IllegalArgumentException("retryFor: " + retryFor + " (expected: >= 0)");
        }
        this.topology = topology;
        this.retryFor = retryFor;
    }

    public Topology topology() {
        return topology;
    }

    /** The following commands run in database {@code db} of whichever master they go to. */
    public void select(int db) {
        if (db < 0) {
            throw new IllegalArgumentException("db: " + db + " (expected: >= 0)");
        }
        this.db = db;
    }

    /** Redirections followed so far ({@code MOVED} and {@code ASK}). */
    public long redirects() {
        return redirects;
    }

    /** Commands resent after {@code TRYAGAIN} or {@code CLUSTERDOWN} so far. */
    public long retries() {
        return retries;
    }

    /**
     * Sends {@code args} (strings, numbers or byte arrays; a {@code byte[][]} argv works as is) to the master of
     * {@code routingKey}'s slot and returns its reply; error replies other than the handled ones are returned.
     *
     * @throws RedisConnectionException the connection was lost (whether the command ran is unknown)
     * @throws FerryException no node serves the key's slot, or the redirections did not end
     */
    public RespValue call(byte[] routingKey, Object... args) {
        return exchange(routingKey, List.<Object[]>of(args), false);
    }

    /**
     * Runs {@code commands} in one {@code MULTI}/{@code EXEC} on the master of {@code routingKey}'s slot (every
     * key they name must be in that slot) and returns the {@code EXEC} reply, an array of the replies. A
     * command refused when queued is returned as that error rather than {@code EXECABORT}.
     */
    public RespValue transaction(byte[] routingKey, List<Object[]> commands) {
        List<Object[]> all = new ArrayList<>(commands.size() + 2);
        all.add(new Object[] {"MULTI"});
        all.addAll(commands);
        all.add(new Object[] {"EXEC"});
        return exchange(routingKey, all, true);
    }

    private RespValue exchange(byte[] routingKey, List<Object[]> commands, boolean transaction) {
        RedisEndpoint node = ownerOf(routingKey);
        boolean asking = false;
        int redirected = 0;
        long retryUntil = System.nanoTime() + retryFor.toNanos();
        long backoff = FIRST_BACKOFF_MS;
        while (true) {
            RespValue reply = send(node, asking, commands, transaction);
            asking = false;
            RespValue.Error error = reply instanceof RespValue.Error e ? e : null;
            ErrorKind kind = error == null ? null : ErrorKind.of(error.code());
            if (kind != null && kind.isRedirect()) {
                Redirect redirect = Redirect.parse(error.message(), topology.seed());
                if (redirect == null || ++redirected > MAX_REDIRECTS) {
                    throw new FerryException("key " + KeyText.quoted(routingKey) + " is still redirected after "
                            + MAX_REDIRECTS + " attempts (" + error.message() + "): the cluster's slot map is not settling");
                }
                redirects++;
                if (redirect.moved()) {
                    topology.refresh();
                }
                node = redirect.node();
                asking = !redirect.moved();
            } else if ((kind == ErrorKind.TRYAGAIN || kind == ErrorKind.CLUSTERDOWN) && System.nanoTime() < retryUntil) {
                retries++;
                pause(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            } else {
                return reply;
            }
        }
    }

    private RespValue send(RedisEndpoint node, boolean asking, List<Object[]> commands, boolean transaction) {
        RedisConnection conn = connection(node);
        try {
            if (connectionDbs.getOrDefault(node, 0) != db) {
                conn.callChecked("SELECT", db);
                connectionDbs.put(node, db);
            }
            if (asking) {
                conn.send("ASKING");
            }
            for (Object[] command : commands) {
                conn.send(command);
            }
            conn.flush();
            if (asking) {
                conn.read();
            }
            List<RespValue> replies = new ArrayList<>(commands.size());
            for (int i = 0; i < commands.size(); i++) {
                replies.add(conn.read());
            }
            return transaction ? outcome(replies) : replies.get(0);
        } catch (RuntimeException e) {
            // A lost link, or a reply that could not be parsed: the stream is out of step either way.
            conn.close();
            connections.remove(node);
            connectionDbs.remove(node);
            throw e;
        }
    }

    /** The {@code EXEC} reply, or the first error of a command refused when queued (a redirection among them). */
    private static RespValue outcome(List<RespValue> replies) {
        RespValue exec = replies.get(replies.size() - 1);
        if (exec instanceof RespValue.Error) {
            for (int i = 1; i < replies.size() - 1; i++) {
                if (replies.get(i) instanceof RespValue.Error queued) {
                    return queued;
                }
            }
        }
        return exec;
    }

    private RedisEndpoint ownerOf(byte[] key) {
        RedisEndpoint node = topology.nodeFor(key);
        if (node == null) {
            topology.refresh();
            node = topology.nodeFor(key);
            if (node == null) {
                throw new FerryException("no node of " + topology.seed().address() + " serves the slot of key "
                        + KeyText.quoted(key) + " (slot " + SlotHash.slot(key) + "): is the cluster complete?");
            }
        }
        return node;
    }

    private RedisConnection connection(RedisEndpoint node) {
        RedisConnection conn = connections.get(node);
        if (conn == null) {
            conn = RedisConnection.open(node);
            connections.put(node, conn);
        }
        return conn;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while waiting for the cluster to serve a slot", e);
        }
    }

    @Override
    public void close() {
        connections.values().forEach(RedisConnection::close);
        connections.clear();
        connectionDbs.clear();
    }
}
