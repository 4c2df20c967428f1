package dev.ferry.task;

import dev.ferry.checkpoint.Checkpoint;
import dev.ferry.checkpoint.CheckpointStore;
import dev.ferry.checkpoint.ControlKeys;
import dev.ferry.cluster.Topology;
import dev.ferry.pipeline.Filters;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tasks one cluster sync has run, recorded in the target ({@code __ferry:shards:<cluster task id>}, a set), so
 * that a restart finds each master's checkpoint even when the master's slots changed since (a master's task is named
 * by its slots when it starts): a master continues the recorded task whose checkpoint belongs to its replication
 * history ({@code master_replid}, or {@code master_replid2} after a failover). Blocking; not thread-safe.
 */
final class ShardRegistry {

    private static final Logger log = LoggerFactory.getLogger(ShardRegistry.class);

    private final RedisEndpoint target;
    private final boolean clusterTarget;
    private final byte[] key;

    private ShardRegistry(RedisEndpoint target, boolean clusterTarget, String clusterTaskId) {
        this.target = target;
        this.clusterTarget = clusterTarget;
        String name = Filters.CONTROL_PREFIX + "shards:" + (clusterTarget ? "{" + clusterTaskId + "}" : clusterTaskId);
        this.key = name.getBytes(StandardCharsets.US_ASCII);
    }

    /** The registry of the cluster sync {@code clusterTaskId} into {@code target}. */
    static ShardRegistry of(RedisEndpoint target, String clusterTaskId) {
        boolean cluster;
        try (RedisConnection conn = RedisConnection.open(target)) {
            cluster = ServerInfo.fetch(conn).isCluster();
        }
        return new ShardRegistry(target, cluster, clusterTaskId);
    }

    /** Records that the cluster sync runs task {@code taskId}. */
    void add(String taskId) {
        try (RedisConnection conn = open(key)) {
            conn.callChecked("SADD", key, taskId);
        }
    }

    /**
     * For each of {@code masters}, the recorded task whose checkpoint continues that master's replication history, if
     * any; a task goes to one master at most.
     */
    Map<RedisEndpoint, String> match(Collection<RedisEndpoint> masters) {
        List<String> ids = new ArrayList<>();
        try (RedisConnection conn = open(key)) {
            for (RespValue v : ((RespValue.Array) conn.callChecked("SMEMBERS", key)).items()) {
                ids.add(v.asText());
            }
        }
        Map<String, String> historyOf = new HashMap<>();
        for (String id : ids) {
            ControlKeys keys = clusterTarget ? ControlKeys.cluster(id) : ControlKeys.standalone(id);
            try (RedisConnection conn = open(keys.checkpointBytes())) {
                Checkpoint cp = new CheckpointStore(keys).load(conn);
                if (cp != null) {
                    historyOf.put(id, cp.position().replId());
                }
            }
        }
        Map<RedisEndpoint, String> found = new HashMap<>();
        Set<String> taken = new HashSet<>();
        for (RedisEndpoint master : masters) {
            ServerInfo info;
            try (RedisConnection conn = RedisConnection.open(master)) {
                info = ServerInfo.fetch(conn);
            }
            for (Map.Entry<String, String> e : historyOf.entrySet()) {
                String history = e.getValue();
                if (!taken.contains(e.getKey())
                        && (history.equals(info.get("master_replid")) || history.equals(info.get("master_replid2")))) {
                    found.put(master, e.getKey());
                    taken.add(e.getKey());
                    break;
                }
            }
        }
        log.debug("cluster tasks recorded in the target: {}; matched to masters: {}", ids, found);
        return found;
    }

    /** A connection to where {@code keyBytes} lives in the target, in the database of Ferry's keys. */
    private RedisConnection open(byte[] keyBytes) {
        RedisEndpoint home = clusterTarget ? Topology.discover(target).nodeFor(keyBytes) : target;
        RedisConnection conn = RedisConnection.open(home);
        if (!clusterTarget) {
            conn.callChecked("SELECT", Integer.toString(CheckpointStore.DB));
        }
        return conn;
    }
}
