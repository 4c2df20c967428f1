package dev.ferry.testing;

import dev.ferry.cluster.Topology;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A load of {@code SET key:<i> <value of i>} on a cluster, pipelined per master, and the check that a
 * standalone server holds exactly those values. Each value is {@code size} bytes made of {@code i}, so a value
 * that arrived under the wrong key is seen.
 */
public final class ClusterValues {

    private static final int PIPELINE = 200;
    private static final int CHECK_BATCH = 1000;

    private ClusterValues() {
    }

    public static byte[] key(int i) {
        return ("key:" + i).getBytes(StandardCharsets.US_ASCII);
    }

    public static byte[] value(int i, int size) {
        byte[] v = new byte[size];
        byte[] digits = (i + "|").getBytes(StandardCharsets.US_ASCII);
        for (int p = 0; p < size; p++) {
            v[p] = digits[p % digits.length];
        }
        return v;
    }

    /** Writes keys {@code from} (inclusive) to {@code to} (exclusive) on the master of each key. */
    public static void write(RedisEndpoint seed, int from, int to, int size) {
        Topology topology = Topology.discover(seed);
        Map<RedisEndpoint, RedisConnection> conns = new HashMap<>();
        Map<RedisEndpoint, Integer> pending = new HashMap<>();
        try {
            for (int i = from; i < to; i++) {
                byte[] key = key(i);
                RedisEndpoint node = topology.nodeFor(key);
                RedisConnection c = conns.computeIfAbsent(node, RedisConnection::open);
                c.send("SET", key, value(i, size));
                if (pending.merge(node, 1, Integer::sum) >= PIPELINE) {
                    drain(c, pending.put(node, 0));
                }
            }
            for (Map.Entry<RedisEndpoint, Integer> e : pending.entrySet()) {
                drain(conns.get(e.getKey()), e.getValue());
            }
        } finally {
            conns.values().forEach(RedisConnection::close);
        }
    }

    private static void drain(RedisConnection c, int replies) {
        c.flush();
        for (int i = 0; i < replies; i++) {
            RespValue r = c.read();
            if (r instanceof RespValue.Error e) {
                throw new AssertionError("the load's SET failed: " + e);
            }
        }
    }

    /** The keys {@code 0..count-1} that {@code target} lacks or holds with another value, at most 5 named. */
    public static List<String> wrong(RedisConnection target, int count, int size) {
        List<String> wrong = new ArrayList<>();
        int total = 0;
        for (int start = 0; start < count; start += CHECK_BATCH) {
            int end = Math.min(count, start + CHECK_BATCH);
            List<Object> mget = new ArrayList<>(List.of("MGET"));
            for (int i = start; i < end; i++) {
                mget.add(key(i));
            }
            List<RespValue> values = ((RespValue.Array) target.callChecked(mget.toArray())).items();
            for (int i = start; i < end; i++) {
                RespValue v = values.get(i - start);
                if (!(v instanceof RespValue.Bulk b) || !Arrays.equals(b.bytes(), value(i, size))) {
                    total++;
                    if (wrong.size() < 5) {
                        wrong.add("key:" + i + (v instanceof RespValue.Bulk ? " differs" : " missing"));
                    }
                }
            }
        }
        if (total > wrong.size()) {
            wrong.add("and " + (total - wrong.size()) + " more");
        }
        return wrong;
    }
}
