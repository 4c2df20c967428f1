package dev.ferry.precheck;

import dev.ferry.resp.KeyText;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;

import java.util.ArrayList;
import java.util.List;

import static dev.ferry.precheck.ReplicationChecks.bytes;

/**
 * Keys too big for the target's {@code proto-max-bulk-len}, found by sampling: {@code SCAN} the source's
 * copied databases until the key or time budget is spent, and size each key ({@code STRLEN} for strings,
 * which is exact; {@code MEMORY USAGE}, an estimate, for the rest on 4.0+). A string longer than the limit
 * cannot be written to the target at all (fail); a bigger collection is rewritten as commands in chunks
 * (pass, noted). The result says how many keys were sampled: a clean sample is not a proof.
 */
final class BigKeyCheck {

    private static final int BATCH = 200;

    private BigKeyCheck() {
    }

    static CheckResult run(String name, Check.Context ctx) {
        long limit = CapacityChecks.protoMaxBulkLen(ctx.target());
        boolean memoryUsage = ctx.source().version().atLeast(4, 0);
        long[] largest = {-1};
        byte[][] largestKey = {null};
        List<byte[]> tooBigStrings = new ArrayList<>();
        int[] rewritten = {0};
        KeySample.Result result = KeySample.scan(ctx, BATCH, (conn, keys) -> {
            List<long[]> sizes = sizes(conn, keys, memoryUsage);
            for (int i = 0; i < keys.size(); i++) {
                long size = sizes.get(i)[0];
                boolean string = sizes.get(i)[1] == 1;
                if (size > largest[0]) {
                    largest[0] = size;
                    largestKey[0] = keys.get(i);
                }
                if (size > limit) {
                    if (string) {
                        tooBigStrings.add(keys.get(i));
                    } else {
                        rewritten[0]++;
                    }
                }
            }
        });
        String sample = result.describe();
        String biggest = largestKey[0] == null ? "" : "; largest " + KeyText.shortQuoted(largestKey[0], 40) + " about " + bytes(largest[0]);
        String limitText = "the target's proto-max-bulk-len " + bytes(limit);
        if (!tooBigStrings.isEmpty()) {
            return CheckResult.fail(name, sample + ": " + tooBigStrings.size() + " string(s) longer than " + limitText + ", e.g. "
                            + KeyText.shortQuoted(tooBigStrings.get(0), 40),
                    "raise proto-max-bulk-len on the target (CONFIG SET proto-max-bulk-len ...) above the longest string");
        }
        return CheckResult.pass(name, sample + biggest + (rewritten[0] > 0
                ? "; " + rewritten[0] + " collection(s) above " + limitText + " will be copied as commands, in chunks"
                : "; none above " + limitText));
    }

    /** For each key {size, 1 if a string}: pipelined TYPE, then STRLEN or MEMORY USAGE. */
    private static List<long[]> sizes(RedisConnection conn, List<byte[]> keys, boolean memoryUsage) {
        List<Object[]> types = new ArrayList<>();
        keys.forEach(k -> types.add(new Object[] {"TYPE", k}));
        List<RespValue> typeReplies = conn.pipeline(types);
        List<Object[]> sizing = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            boolean string = typeReplies.get(i).asText().equals("string");
            sizing.add(string || !memoryUsage ? new Object[] {"STRLEN", keys.get(i)} : new Object[] {"MEMORY", "USAGE", keys.get(i)});
        }
        List<RespValue> sizeReplies = conn.pipeline(sizing);
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            boolean string = typeReplies.get(i).asText().equals("string");
            RespValue r = sizeReplies.get(i);
            // Without MEMORY USAGE (before 4.0) only strings can be sized; other types count as 0, and WRONGTYPE too.
            long size = r instanceof RespValue.Integer n ? n.value() : 0;
            out.add(new long[] {size, string ? 1 : 0});
        }
        return out;
    }
}
