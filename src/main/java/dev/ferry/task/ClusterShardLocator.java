package dev.ferry.task;

import dev.ferry.cluster.Topology;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisConnectionException;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;

import java.time.Duration;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Finds the master of one cluster source task's replication history after a failover: the node it reads from, while
 * {@code ROLE} says it is a master (whatever slots it serves: resharding is the cluster sync's business); the master
 * it now replicates, when it was demoted (a graceful failover); and when it does not answer, the master that serves
 * the task's slots now, according to any node of the cluster it has heard of, replicas included (a dead master knows
 * nothing). Not thread-safe: one task's threads, one call at a time.
 */
final class ClusterShardLocator implements SourceLocator {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final Supplier<BitSet> slots;
    private final Predicate<RedisEndpoint> readByAnotherTask;
    private final Set<RedisEndpoint> known = new LinkedHashSet<>();
    private RedisConnection conn;

    /**
     * @param slots the slots the task copies now
     * @param nodes every node of the cluster as first seen, replicas included
     * @param readByAnotherTask whether another task reads a master: its slots moved there, it is no failover
     */
    ClusterShardLocator(Supplier<BitSet> slots, Collection<RedisEndpoint> nodes, Predicate<RedisEndpoint> readByAnotherTask) {
        this.slots = slots;
        this.readByAnotherTask = readByAnotherTask;
        known.addAll(nodes);
    }

    @Override
    public RedisEndpoint locate(RedisEndpoint current) {
        try {
            List<RespValue> role = ((RespValue.Array) connection(current).callChecked("ROLE")).items();
            String kind = role.get(0).asText();
            if (kind.equals("master")) {
                return current;
            }
            if (kind.equals("slave") && role.size() >= 3) {
                // Demoted: it replicates the master that took over from it.
                return current.withHostPort(role.get(1).asText(), (int) role.get(2).asLong());
            }
        } catch (RuntimeException e) {
            closeConnection();
        }
        BitSet owned = slots.get();
        int first = owned == null ? -1 : owned.nextSetBit(0);
        RuntimeException last = null;
        for (RedisEndpoint node : List.copyOf(known)) {
            if (node.equals(current)) {
                continue;
            }
            try {
                Topology view = Topology.read(connection(node));
                known.addAll(view.nodes());
                RedisEndpoint owner = first < 0 ? null : view.ownerOf(first);
                if (owner != null && readByAnotherTask.test(owner)) {
                    throw new RedisConnectionException("the source master " + current.address() + " does not answer,"
                            + " and its " + describe() + " moved to " + owner.address() + ", another master", null);
                }
                if (owner != null) {
                    return owner;
                }
            } catch (RuntimeException e) {
                closeConnection();
                last = e;
            }
        }
        throw new RedisConnectionException("the source master " + current.address() + " does not answer and no other"
                + " node names a master for " + describe() + (last == null ? "" : " (" + last.getMessage() + ")"), last);
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
        BitSet owned = slots.get();
        return owned == null || owned.isEmpty() ? "no slots" : "slots " + SyncTask.ranges(owned);
    }

    @Override
    public void close() {
        closeConnection();
    }
}
