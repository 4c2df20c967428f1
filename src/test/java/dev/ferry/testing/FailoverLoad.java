package dev.ferry.testing;

import dev.ferry.FerryException;
import dev.ferry.cluster.Redirect;
import dev.ferry.cluster.SlotTags;
import dev.ferry.cluster.Topology;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RedisReplyException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Non-idempotent writes ({@code INCR}, {@code LPUSH}, {@code APPEND}, {@code XADD}) on keys spread over every slot of
 * a cluster, carrying on through failovers: a write that fails (its master gone, the cluster down, {@code MOVED}) is
 * not sent again, since the cluster holds what it holds whatever happened to it, and the slot map is read again from
 * any node that answers. About 5,000 writes a second at most.
 */
public final class FailoverLoad extends LoadThread {

    private static final int KEYS = 400;
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    private final List<Integer> slots;

    /** Writes to keys spread over every slot. */
    public FailoverLoad(ClusterHarness cluster, long seed) {
        this(cluster, seed, null);
    }

    /** Writes to keys of {@code slots} only (hash-tagged into them), e.g. slots about to be migrated. */
    public FailoverLoad(ClusterHarness cluster, long seed, List<Integer> slots) {
        this.slots = slots == null ? null : List.copyOf(slots);
        List<RedisEndpoint> nodes = cluster.nodes().stream().map(RedisServer::endpoint).toList();
        start("failover-load", () -> run(nodes, new Random(seed)));
    }

    private String key(String kind, int n, Random random) {
        if (slots == null) {
            return "fo:" + kind + ":" + n;
        }
        int slot = slots.get(n % slots.size());
        return "fo:{" + new String(SlotTags.tagOf(slot), StandardCharsets.US_ASCII) + "}:" + kind + ":" + n;
    }

    private void run(List<RedisEndpoint> nodes, Random random) throws InterruptedException {
        Topology topology = discover(nodes, null);
        Map<RedisEndpoint, RedisConnection> open = new HashMap<>();
        try {
            while (running()) {
                int n = random.nextInt(KEYS);
                Object[] command = switch (n % 4) {
                    case 0 -> new Object[] {"INCR", key("c", n, random)};
                    case 1 -> new Object[] {"LPUSH", key("l", n, random), Long.toString(writes.get())};
                    case 2 -> new Object[] {"APPEND", key("a", n, random), n + ";"};
                    default -> new Object[] {"XADD", key("x", n, random), "*", "n", Long.toString(writes.get())};
                };
                RedisEndpoint node = topology.nodeFor(((String) command[1]).getBytes(StandardCharsets.UTF_8));
                try {
                    send(open, node, command, nodes.get(0));
                    writes.incrementAndGet();
                } catch (FerryException e) {
                    failed.incrementAndGet();
                    RedisConnection broken = open.remove(node);
                    if (broken != null) {
                        broken.close();
                    }
                    Thread.sleep(20);
                    topology = discover(nodes, topology);
                }
                if (writes.get() % 10 == 0) {
                    Thread.sleep(2);
                }
            }
        } finally {
            open.values().forEach(RedisConnection::close);
        }
    }

    /**
     * Sends {@code command} to {@code node}, following one {@code ASK} (a key of a migrating slot already moved: sent
     * again with {@code ASKING} where it went) or {@code MOVED}: neither ran the command, so sending it again is safe.
     */
    private static void send(Map<RedisEndpoint, RedisConnection> open, RedisEndpoint node, Object[] command,
            RedisEndpoint seed) {
        try {
            connection(open, node).callChecked(command);
        } catch (RedisReplyException e) {
            if (!e.reply().startsWith("ASK ") && !e.reply().startsWith("MOVED ")) {
                throw e;
            }
            Redirect redirect = Redirect.parse(e.reply(), seed);
            RedisConnection there = connection(open, redirect.node());
            if (!redirect.moved()) {
                there.callChecked("ASKING");
            }
            there.callChecked(command);
        }
    }

    private static RedisConnection connection(Map<RedisEndpoint, RedisConnection> open, RedisEndpoint node) {
        return open.computeIfAbsent(node, e -> RedisConnection.open(e, TIMEOUT, TIMEOUT));
    }

    /** The slot map from the first node that answers, or {@code last} when none does. */
    private static Topology discover(List<RedisEndpoint> nodes, Topology last) {
        for (RedisEndpoint node : nodes) {
            try (RedisConnection conn = RedisConnection.open(node, TIMEOUT, TIMEOUT)) {
                return Topology.read(conn);
            } catch (FerryException e) {
                // Dead, or not a cluster node any more: ask the next.
            }
        }
        if (last == null) {
            throw new AssertionError("no node of the cluster answers");
        }
        return last;
    }

    /** Waits until {@code more} writes more have succeeded; fails if the load stopped, or after {@code timeout}. */
    public void awaitMoreWrites(long more, Duration timeout) throws InterruptedException {
        awaitMore(writes::get, more, timeout, "writes");
    }

    /** Writes the cluster took. */
    public long writes() {
        return writes.get();
    }

    /** Writes that failed while the cluster changed (not sent again). */
    public long failed() {
        return failed.get();
    }
}
