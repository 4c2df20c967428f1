package dev.ferry.cluster;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;

import java.util.List;

/**
 * How many databases a cluster node has: Valkey 9 gives a cluster {@code cluster-databases} of them (1 by
 * default; {@code databases} then says nothing about cluster mode), a Redis Cluster and an older Valkey one. Read
 * with {@code CONFIG GET cluster-databases}; where CONFIG is refused (managed services rename it), probed with
 * {@code SELECT}, which a cluster answers with an error past its last database. Blocking; the connection is left
 * in database 0.
 */
public final class ClusterDatabases {

    private ClusterDatabases() {
    }

    /** The number of databases of the cluster node {@code conn} is connected to (at least 1). */
    public static int count(RedisConnection conn) {
        RespValue reply = conn.call("CONFIG", "GET", "cluster-databases");
        if (!reply.isError() && reply instanceof RespValue.Array a) {
            List<RespValue> items = a.items();
            if (items.isEmpty()) {
                return 1;
            }
            if (items.size() == 2) {
                try {
                    return Math.max(1, Integer.parseInt(items.get(1).asText().trim()));
                } catch (NumberFormatException e) {
                    // Read by probing below.
                }
            }
        }
        return probe(conn);
    }

    /** The first database {@code SELECT} refuses, found by halving: a cluster's databases are 0..n-1. */
    private static int probe(RedisConnection conn) {
        if (conn.call("SELECT", 1).isError()) {
            return 1;
        }
        int low = 1;
        int high = 1;
        while (high < (1 << 20) && !conn.call("SELECT", high).isError()) {
            low = high;
            high *= 2;
        }
        while (high - low > 1) {
            int mid = (low + high) >>> 1;
            if (conn.call("SELECT", mid).isError()) {
                high = mid;
            } else {
                low = mid;
            }
        }
        conn.callChecked("SELECT", 0);
        return low + 1;
    }
}
