package dev.ferry.testing;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;

/**
 * Gives a Redis Cluster the data of a standalone server's selected database, key by key with {@code DUMP} and
 * {@code RESTORE ... ABSTTL}, keeping every type and encoding (stream groups included) and absolute expiry
 * times: how a test fills a cluster source with the sample data set, which is written through one connection.
 * Both sides must run the same Redis version (a DUMP payload is refused by older servers). Blocking.
 */
public final class ClusterSeed {

    private ClusterSeed() {
    }

    /**
     * Copies every key of {@code from}'s selected database into {@code to}, replacing keys of the same name.
     *
     * @return how many keys were copied
     */
    public static int copy(RedisConnection from, ClusterHarness to) {
        boolean expireTime = ServerInfo.fetch(from).version().atLeast(7, 0);
        int[] copied = {0};
        DataComparison.forEachKey(from, key -> {
            RespValue payload = from.callChecked("DUMP", key.bytes());
            long expiresAt = expireTime ? from.callChecked("PEXPIRETIME", key.bytes()).asLong() : absolute(from, key);
            to.call("RESTORE", key.bytes(), Long.toString(Math.max(expiresAt, 0)), ((RespValue.Bulk) payload).bytes(),
                    "ABSTTL", "REPLACE");
            copied[0]++;
        });
        return copied[0];
    }

    /** The key's absolute expiry time in ms from PTTL (good to a millisecond or two), or -1 for none. */
    private static long absolute(RedisConnection conn, Key key) {
        long ttl = conn.callChecked("PTTL", key.bytes()).asLong();
        return ttl < 0 ? -1 : System.currentTimeMillis() + ttl;
    }
}
