package dev.ferry.verify;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The same data written to both sides of a test, then a difference of every kind seeded into the
 * target: a missing key, an extra key, a changed value in every type (small and big, all of the same
 * size, so only a full comparison sees them), a changed expiry and a changed type.
 */
public final class Seeds {

    /** Sends one command with its key as the first argument, to whichever node holds that key. */
    @FunctionalInterface
    public interface Writer {
        void call(Object... command);
    }

    public static final long EXPIRY = 4_102_444_800_000L;
    public static final byte[] BINARY_KEY = {'b', 'i', 'n', ':', (byte) 0xff, 0, '"'};
    private static final int BIG = 1200;

    private Seeds() {
    }

    /** Writes the base data set. */
    public static void base(Writer w) {
        w.call("SET", "s:same", "unchanged");
        w.call("SET", "s:val", "v1");
        w.call("RPUSH", "l:val", "a", "b", "c");
        w.call("HSET", "h:val", "f1", "v1", "f2", "v2");
        w.call("SADD", "set:val", "a", "b", "c");
        w.call("ZADD", "z:val", "1", "a", "2.5", "b");
        w.call("XADD", "x:val", "1-1", "f", "v1");
        w.call("XADD", "x:val", "2-1", "f", "v2");
        w.call("SET", "ttl:key", "v", "PXAT", EXPIRY);
        w.call("SET", "type:key", "a string");
        w.call("SET", "missing:key", "v");
        w.call("SET", BINARY_KEY, "v1");
        w.call("SET", "same:ttl", "v", "PXAT", EXPIRY);
        w.call(with("RPUSH", "big:list", range("e", BIG)));
        w.call(with("HSET", "big:hash", pairs("f", "v", BIG)));
        w.call(with("SADD", "big:set", range("m", BIG)));
        w.call(with("ZADD", "big:zset", scored(BIG)));
        w.call("SET", "big:str", "x".repeat(600_000));
        for (int i = 1; i <= BIG; i++) {
            w.call("XADD", "big:stream", i + "-0", "f", "v" + i);
        }
    }

    /**
     * Seeds one difference per key into the target.
     *
     * @return the key names and the kind of difference verify must report for each
     */
    public static Map<String, Difference.Kind> damage(Writer target) {
        Map<String, Difference.Kind> expected = new LinkedHashMap<>();
        target.call("DEL", "missing:key");
        expected.put("missing:key", Difference.Kind.MISSING);
        target.call("SET", "extra:key", "v");
        expected.put("extra:key", Difference.Kind.EXTRA);
        target.call("SET", "s:val", "v2");
        expected.put("s:val", Difference.Kind.VALUE);
        target.call("LSET", "l:val", "1", "B");
        expected.put("l:val", Difference.Kind.VALUE);
        target.call("HSET", "h:val", "f2", "V2");
        expected.put("h:val", Difference.Kind.VALUE);
        target.call("SREM", "set:val", "b");
        target.call("SADD", "set:val", "B");
        expected.put("set:val", Difference.Kind.VALUE);
        target.call("ZADD", "z:val", "3", "b");
        expected.put("z:val", Difference.Kind.VALUE);
        target.call("XDEL", "x:val", "2-1");
        target.call("XADD", "x:val", "3-1", "f", "v2");
        expected.put("x:val", Difference.Kind.VALUE);
        target.call("PEXPIREAT", "ttl:key", EXPIRY + 3_600_000);
        expected.put("ttl:key", Difference.Kind.EXPIRY);
        target.call("DEL", "type:key");
        target.call("RPUSH", "type:key", "a string");
        expected.put("type:key", Difference.Kind.TYPE);
        target.call("SET", BINARY_KEY, "v2");
        expected.put(new String(BINARY_KEY, StandardCharsets.ISO_8859_1), Difference.Kind.VALUE);
        target.call("LSET", "big:list", "1100", "changed");
        expected.put("big:list", Difference.Kind.VALUE);
        target.call("HSET", "big:hash", "f1100", "changed");
        expected.put("big:hash", Difference.Kind.VALUE);
        target.call("SREM", "big:set", "m1100");
        target.call("SADD", "big:set", "changed");
        expected.put("big:set", Difference.Kind.VALUE);
        target.call("ZADD", "big:zset", "-1", "m1100");
        expected.put("big:zset", Difference.Kind.VALUE);
        target.call("SETRANGE", "big:str", "599000", "y");
        expected.put("big:str", Difference.Kind.VALUE);
        target.call("XDEL", "big:stream", "1100-0");
        target.call("XADD", "big:stream", "*", "f", "v1100");
        expected.put("big:stream", Difference.Kind.VALUE);
        return expected;
    }

    /** Keys {@link #damage} changes in a way that keeps sizes: only a full comparison tells them apart. */
    public static boolean sameSize(String key) {
        return !key.startsWith("missing") && !key.startsWith("extra") && !key.startsWith("ttl") && !key.startsWith("type");
    }

    private static Object[] with(String command, String key, Object[] rest) {
        Object[] all = new Object[rest.length + 2];
        all[0] = command;
        all[1] = key;
        System.arraycopy(rest, 0, all, 2, rest.length);
        return all;
    }

    private static Object[] range(String prefix, int n) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + i);
        }
        return out.toArray();
    }

    private static Object[] pairs(String f, String v, int n) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(f + i);
            out.add(v + i);
        }
        return out.toArray();
    }

    private static Object[] scored(int n) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i / 3.0);
            out.add("m" + i);
        }
        return out.toArray();
    }
}
