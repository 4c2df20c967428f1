package dev.ferry.verify;

import dev.ferry.Throttle;
import dev.ferry.pipeline.Filters;
import dev.ferry.pipeline.KeyFilter;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Walks every key of one database of one server with {@code SCAN} and passes them on in batches,
 * leaving out Ferry's own keys. {@code SCAN} guarantees every key present for the whole walk is seen
 * (some maybe twice, which only costs a second comparison). Each {@code SCAN} is charged to the rate
 * limit once per key it returns, as that is the work it makes the server do.
 */
final class KeyScanner {

    private final RedisEndpoint node;
    private final int db;
    private final boolean target;
    private final Throttle limiter;
    private final int count;
    private final AtomicLong seen;
    private final KeyFilter keyFilter;

    KeyScanner(RedisEndpoint node, int db, boolean target, Throttle limiter, int count, AtomicLong seen, KeyFilter keyFilter) {
        this.node = node;
        this.db = db;
        this.target = target;
        this.limiter = limiter;
        this.count = count;
        this.seen = seen;
        this.keyFilter = keyFilter;
    }

    /**
     * Scans to the end, or until {@code stop} says so.
     *
     * @param sink receives each batch; may block (back-pressure from the workers)
     */
    void scan(Consumer<KeyBatch> sink, java.util.function.BooleanSupplier stop) {
        try (RedisConnection conn = RedisConnection.open(node)) {
            conn.callChecked("SELECT", db);
            String cursor = "0";
            do {
                limiter.acquireOps(count);
                List<RespValue> reply = ((RespValue.Array) conn.callChecked("SCAN", cursor, "COUNT", count)).items();
                cursor = reply.get(0).asText();
                List<RespValue> names = ((RespValue.Array) reply.get(1)).items();
                List<byte[]> keys = new ArrayList<>(names.size());
                for (RespValue name : names) {
                    byte[] key = ((RespValue.Bulk) name).bytes();
                    if (!Filters.isControlKey(key) && keyFilter.matches(key)) {
                        keys.add(key);
                    }
                }
                if (!keys.isEmpty()) {
                    seen.addAndGet(keys.size());
                    sink.accept(new KeyBatch(db, keys, target));
                }
            } while (!cursor.equals("0") && !stop.getAsBoolean());
        }
    }

    @Override
    public String toString() {
        return (target ? "target " : "source ") + node.address() + " db " + db;
    }
}
