package dev.ferry.precheck;

import dev.ferry.pipeline.Filters;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A sample of the source's copied keys within the precheck's budget ({@code --sample-keys}, and a time limit):
 * {@code SCAN} over every master and copied database, Ferry's own keys left out, one page at a time handed to
 * a visitor with the page's connection. Blocking; one use per check.
 */
final class KeySample {

    /** Looks at one page of keys, on the connection they were read from (in their database). */
    @FunctionalInterface
    interface Page {
        void visit(RedisConnection conn, List<byte[]> keys);
    }

    /** How many keys were looked at, of how many, and whether that was all of them. */
    record Result(long sampled, long total, boolean complete) {
        String describe() {
            return "sampled " + sampled + " of " + total + " keys";
        }
    }

    private KeySample() {
    }

    /** Visits pages of {@code batch} keys until the budget is spent or every copied key was seen. */
    static Result scan(Check.Context ctx, int batch, Page page) {
        Side source = ctx.source();
        long deadline = System.nanoTime() + ctx.options().sampleTime().toNanos();
        int budget = ctx.options().sampleKeys();
        Set<Integer> dbs = new TreeSet<>(ctx.options().dbs() != null ? ctx.options().dbs() : source.keysPerDb().keySet());
        long total = source.keysPerDb().entrySet().stream().filter(e -> dbs.contains(e.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
        List<RedisEndpoint> nodes = source.isCluster() ? source.topology().masters() : List.of(source.endpoint());
        long sampled = 0;
        for (RedisEndpoint node : nodes) {
            try (RedisConnection conn = RedisConnection.open(node)) {
                for (int db : dbs) {
                    conn.callChecked("SELECT", db);
                    String cursor = "0";
                    do {
                        if (sampled >= budget || System.nanoTime() > deadline) {
                            return new Result(sampled, total, false);
                        }
                        List<RespValue> reply = ((RespValue.Array) conn.callChecked("SCAN", cursor, "COUNT", batch)).items();
                        cursor = reply.get(0).asText();
                        List<byte[]> keys = new ArrayList<>();
                        for (RespValue k : ((RespValue.Array) reply.get(1)).items()) {
                            byte[] key = ((RespValue.Bulk) k).bytes();
                            if (!Filters.isControlKey(key)) {
                                keys.add(key);
                            }
                        }
                        page.visit(conn, keys);
                        sampled += keys.size();
                    } while (!cursor.equals("0"));
                }
            }
        }
        return new Result(sampled, total, true);
    }
}
