package dev.ferry.testing;

import dev.ferry.FerryException;
import dev.ferry.cluster.Topology;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;

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

    public FailoverLoad(ClusterHarness cluster, long seed) {
        List<RedisEndpoint> nodes = cluster.nodes().stream().map(RedisServer::endpoint).toList();
        start("failover-load", () -> run(nodes, new Random(seed)));
    }

    private void run(List<RedisEndpoint> nodes, Random random) throws InterruptedException {
        Topology topology = discover(nodes, null);
        Map<RedisEndpoint, RedisConnection> open = new HashMap<>();
        try {
            while (running()) {
                int n = random.nextInt(KEYS);
                Object[] command = switch (n % 4) {
                    case 0 -> new Object[] {"INCR", "fo:c:" + n};
                    case 1 -> new Object[] {"LPUSH", "fo:l:" + n, Long.toString(writes.get())};
                    case 2 -> new Object[] {"APPEND", "fo:a:" + n, n + ";"};
                    default -> new Object[] {"XADD", "fo:x:" + n, "*", "n", Long.toString(writes.get())};
                };
                RedisEndpoint node = topology.nodeFor(((String) command[1]).getBytes(StandardCharsets.UTF_8));
                try {
                    open.computeIfAbsent(node, e -> RedisConnection.open(e, TIMEOUT, TIMEOUT)).callChecked(command);
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
