package dev.ferry.testing;

import dev.ferry.cluster.SlotHash;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A write load on a standalone source whose keys a cluster spreads over slots, at a steady pace: non-idempotent
 * INCR and LPUSH, MSET and DEL over several keys, RENAME (some with an expiry), SUNIONSTORE, LMOVE, PFMERGE,
 * SMOVE, COPY, ZUNIONSTORE, BITOP between keys of different names, MULTI blocks mixing them, and scripts writing
 * two keys (replicated as their effects, in a transaction). It tallies, per command name, the cross-slot
 * commands the source applied and so put in its replication stream, for those whose reply tells. One thread.
 */
public final class CrossSlotLoad extends LoadThread {

    private static final String SCRIPT = "redis.call('INCR', KEYS[1]); redis.call('RPUSH', KEYS[2], ARGV[1]); return 1";

    private final AtomicLong steps = new AtomicLong();
    private final Map<String, Long> crossSlot = new ConcurrentHashMap<>();

    /** Starts writing to {@code source}'s database 0 with a fixed seed. */
    public CrossSlotLoad(RedisServer source, long seed) {
        start("cross-slot-load", () -> {
            Random r = new Random(seed);
            try (RedisConnection w = source.connect()) {
                long seq = 0;
                while (running()) {
                    for (int i = 0; i < 10; i++, seq++) {
                        step(w, r, seq);
                        steps.incrementAndGet();
                    }
                    // A steady pace: the source's backlog must cover what a killed Ferry misses.
                    Thread.sleep(40);
                }
            }
        });
    }

    private void step(RedisConnection w, Random r, long seq) {
        w.callChecked("INCR", "c:" + r.nextInt(300));
        w.callChecked("LPUSH", "l:" + r.nextInt(60), Long.toString(seq));
        if (seq % 4 == 0) {
            w.callChecked("MSET", "m:" + r.nextInt(200), "x" + seq, "m:" + r.nextInt(200), "y" + seq, "m:" + r.nextInt(200), "z");
        }
        if (seq % 7 == 0) {
            w.callChecked("DEL", "m:" + r.nextInt(200), "m:" + r.nextInt(200), "c:" + r.nextInt(300));
        }
        if (seq % 5 == 0) {
            String from = "r:" + seq;
            String to = "rn:" + r.nextInt(80);
            w.callChecked("SET", from, "renamed " + seq);
            if (seq % 10 == 0) {
                // Absolute: a relative PEXPIRE from a source before 7.0 is replicated as it is, and a resumed task
                // applying it again would move the expiry.
                w.callChecked("PEXPIREAT", from, Long.toString(System.currentTimeMillis() + 600_000 + r.nextInt(100_000)));
            }
            applied(w, "RENAME", from, to);
        }
        if (seq % 6 == 0) {
            String a = "s:" + r.nextInt(40);
            String b = "s:" + r.nextInt(40);
            w.callChecked("SADD", a, "m" + r.nextInt(100), "m" + r.nextInt(100));
            w.callChecked("SADD", b, "m" + r.nextInt(100));
            applied(w, "SUNIONSTORE", "su:" + r.nextInt(30), a, b);
        }
        if (seq % 8 == 0) {
            applied(w, "LMOVE", "l:" + r.nextInt(60), "l:" + r.nextInt(60), "RIGHT", "LEFT");
        }
        if (seq % 9 == 0) {
            String a = "h:" + r.nextInt(20);
            w.callChecked("PFADD", a, "e" + seq, "e" + (seq * 7));
            applied(w, "PFMERGE", "hm:" + r.nextInt(10), a, "h:" + r.nextInt(20));
        }
        if (seq % 10 == 3) {
            String from = "l:" + r.nextInt(60);
            String to = "l:" + r.nextInt(60);
            w.callChecked("MULTI");
            w.callChecked("INCR", "c:" + r.nextInt(300));
            w.callChecked("LPUSH", "l:" + r.nextInt(60), "tx" + seq);
            w.callChecked("LMOVE", from, to, "LEFT", "RIGHT");
            w.callChecked("SET", "t:" + r.nextInt(50), Long.toString(seq));
            RespValue exec = w.callChecked("EXEC");
            tally("LMOVE", ((RespValue.Array) exec).items().get(2), from, to);
        }
        if (seq % 11 == 0) {
            w.callChecked("EVAL", SCRIPT, "2", "c:" + r.nextInt(300), "l:" + r.nextInt(60), "script " + seq);
        }
        if (seq % 12 == 0) {
            applied(w, "SMOVE", "s:" + r.nextInt(40), "s:" + r.nextInt(40), "m" + r.nextInt(100));
            applied(w, "COPY", "rn:" + r.nextInt(80), "cp:" + r.nextInt(20), "REPLACE");
            w.callChecked("ZADD", "z:" + r.nextInt(10), Integer.toString(r.nextInt(100)), "z" + r.nextInt(50));
            w.callChecked("ZUNIONSTORE", "zu:" + r.nextInt(5), "2", "z:" + r.nextInt(10), "z:" + r.nextInt(10),
                    "WEIGHTS", "1", "2");
            w.callChecked("SET", "b:" + r.nextInt(10), "bits " + seq);
            w.callChecked("BITOP", "OR", "bo:" + r.nextInt(5), "b:" + r.nextInt(10), "b:" + r.nextInt(10));
        }
    }

    /** Runs a command (its arguments start with its keys), tallying it when it wrote and its keys span slots. */
    private void applied(RedisConnection w, String command, String... args) {
        Object[] argv = new Object[args.length + 1];
        argv[0] = command;
        System.arraycopy(args, 0, argv, 1, args.length);
        RespValue reply = w.callChecked(argv);
        int keys = switch (command) {
            case "LMOVE", "SMOVE", "COPY" -> 2;
            default -> args.length;
        };
        tally(command, reply, java.util.Arrays.copyOf(args, keys));
    }

    /** A command with these keys answered {@code reply}: it wrote unless the reply is nil or 0. */
    private void tally(String command, RespValue reply, String... keys) {
        boolean wrote = !(reply instanceof RespValue.Bulk bulk && bulk.bytes() == null)
                && !(reply instanceof RespValue.Integer n && n.value() == 0);
        int slot = SlotHash.slot(keys[0].getBytes(StandardCharsets.UTF_8));
        boolean across = false;
        for (String key : keys) {
            across |= SlotHash.slot(key.getBytes(StandardCharsets.UTF_8)) != slot;
        }
        if (wrote && across) {
            crossSlot.merge(command, 1L, Long::sum);
        }
    }

    /** Steps done so far. */
    public long steps() {
        return steps.get();
    }

    /**
     * The cross-slot RENAME, SUNIONSTORE, LMOVE (in transactions too), PFMERGE, SMOVE and COPY the source applied,
     * by name: each reached its replication stream once.
     */
    public Map<String, Long> crossSlotCommands() {
        return new TreeMap<>(crossSlot);
    }
}
