package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.cluster.Topology;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisConnectionException;
import dev.ferry.resp.RedisEndpoint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the master that serves one task's slots of a cluster source, asking the node it reads from first (a
 * demoted master knows its successor) and then every node of the cluster it has heard of, replicas included
 * (a dead master knows nothing). Slots of the task now served by another master as well are a resharding of
 * the source, which a task cannot follow: that stops the sync with what happened, instead of leaving the moved
 * keys deleted on the target. Not thread-safe: one task's threads, one call at a time.
 */
final class ClusterShardLocator implements SourceLocator {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final BitSet slots;
    private final String describe;
    private final Set<RedisEndpoint> known = new LinkedHashSet<>();
    private RedisConnection conn;

    /** @param nodes every node of the cluster as first seen, replicas included */
    ClusterShardLocator(BitSet slots, Collection<RedisEndpoint> nodes) {
        this.slots = (BitSet) slots.clone();
        this.describe = "slots " + SyncTask.ranges(slots);
        known.addAll(nodes);
    }

    @Override
    public RedisEndpoint locate(RedisEndpoint current) {
        List<RedisEndpoint> candidates = new ArrayList<>();
        candidates.add(current);
        for (RedisEndpoint node : known) {
            if (!node.equals(current)) {
                candidates.add(node);
            }
        }
        RuntimeException last = null;
        for (RedisEndpoint node : candidates) {
            Topology view;
            try {
                view = Topology.read(connection(node));
            } catch (RuntimeException e) {
                closeConnection();
                last = e;
                continue;
            }
            known.addAll(view.nodes());
            RedisEndpoint owner = owner(view, current);
            if (owner != null) {
                return owner;
            }
        }
        throw new RedisConnectionException("no node of the source cluster serves " + describe + " now"
                + (last == null ? "" : " (" + last.getMessage() + ")"), last);
    }

    /**
     * The one master of {@code view} that serves every slot of the task ({@code current} if it still serves any of
     * them), or null when the first is served by none.
     */
    private RedisEndpoint owner(Topology view, RedisEndpoint current) {
        RedisEndpoint owner = view.masters().contains(current) && view.slotsOf(current).intersects(slots) ? current
                : view.masters().stream().filter(m -> view.slotsOf(m).get(slots.nextSetBit(0))).findFirst().orElse(null);
        if (owner == null) {
            return null;
        }
        BitSet moved = (BitSet) slots.clone();
        moved.andNot(view.slotsOf(owner));
        if (!moved.isEmpty()) {
            RedisEndpoint to = view.masters().stream().filter(m -> view.slotsOf(m).get(moved.nextSetBit(0))).findFirst()
                    .orElse(null);
            throw new FerryException("the source cluster moved slots " + SyncTask.ranges(moved) + " of the master "
                    + owner.address() + " (" + describe + ") to " + (to == null ? "no master" : to.address())
                    + " while syncing: Ferry does not follow a resharding of the source yet, and the target may now lack"
                    + " keys of those slots. Copy again with --mode full into an emptied target once the resharding is"
                    + " over (ferry verify shows the differences)");
        }
        return owner;
    }

    private RedisConnection connection(RedisEndpoint node) {
        if (conn != null && !conn.endpoint().equals(node)) {
            closeConnection();
        }
        if (conn == null || conn.isClosed()) {
            conn = RedisConnection.open(node, TIMEOUT, TIMEOUT);
        }
        return conn;
    }

    private void closeConnection() {
        if (conn != null) {
            conn.close();
            conn = null;
        }
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public void close() {
        closeConnection();
    }
}
