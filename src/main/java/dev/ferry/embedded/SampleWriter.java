package dev.ferry.embedded;

import dev.ferry.resp.ServerInfo;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Writes the keys of {@link SampleData} into one database (already selected). Names are fixed; values
 * depend on the database and the seed, so a key landing in the wrong database shows.
 */
final class SampleWriter {

    private static final int CHUNK = 100;

    private final CheckedPipeline pipeline;
    private final ServerInfo.Version version;
    private final int db;
    private final Random random;
    private final int largeSize;
    private final Set<ByteBuffer> keys = new HashSet<>();
    private final List<SampleData.Expiry> expiries = new ArrayList<>();
    private int nextExpiry;

    SampleWriter(CheckedPipeline pipeline, ServerInfo.Version version, int db, long seed, int largeSize) {
        this.pipeline = pipeline;
        this.version = version;
        this.db = db;
        this.random = new Random(seed);
        this.largeSize = largeSize;
    }

    int keyCount() {
        return keys.size();
    }

    List<SampleData.Expiry> expiries() {
        return expiries;
    }

    void writeAll() {
        strings();
        binaryKeyNames();
        lists();
        hashes();
        sets();
        sortedSets();
        hyperLogLogs();
        bitmap();
        if (version.atLeast(3, 2)) {
            geo();
        }
        if (version.atLeast(5, 0)) {
            streams();
        }
        expiring();
        if (version.hashFieldTtls()) {
            hashFieldTtls();
        }
    }

    /** A list of incompressible 16 KB elements, more than {@code bytes} in all. Returns its name. */
    byte[] writeBigList(long bytes) {
        byte[] key = key("big:list");
        long written = 0;
        while (written <= bytes) {
            List<Object> cmd = command("RPUSH", key);
            for (int i = 0; i < 16 && written <= bytes; i++) {
                cmd.add(randomBytes(16 * 1024));
                written += 16 * 1024;
            }
            pipeline.send(cmd.toArray());
        }
        return key;
    }

    private void strings() {
        set("string:int", Integer.toString(1000 + db));
        set("string:negative", Integer.toString(-42 - db));
        set("string:long-max", Long.toString(Long.MAX_VALUE));
        set("string:float", "3.14159" + db);
        set("string:utf8", "h\u00e9llo w\u00f6rld \u2713 db" + db);
        set("string:empty", "");
        byte[] all = new byte[513];
        for (int i = 0; i < 512; i++) {
            all[i] = (byte) i;
        }
        all[512] = (byte) db;
        set("string:binary", all);
        set("string:random", randomBytes(4096));
        set("string:big", ("lorem ipsum dolor sit amet " + db + " ").repeat(4000));
        set("key:" + "x".repeat(1000), "a long key name, db " + db);
        pipeline.send("INCRBY", key("string:counter"), 10 + db);
    }

    private void binaryKeyNames() {
        set(new byte[] {'b', 'i', 'n', 0, 'k', 'e', 'y'}, "nul in name");
        set("bin\r\nkey".getBytes(StandardCharsets.US_ASCII), "crlf in name");
        set(new byte[] {(byte) 0xff, (byte) 0xfe, 'k'}, "high bytes in name");
        byte[] everyByte = new byte[256];
        for (int i = 0; i < 256; i++) {
            everyByte[i] = (byte) i;
        }
        set(everyByte, "every byte value in name");
    }

    private void lists() {
        pipeline.send("RPUSH", key("list:small"), "a", "b", "c", "1", "2", "-3", "", "db" + db);
        List<Object> ints = command("RPUSH", key("list:ints"));
        for (long v : new long[] {0, 1, -1, 12, 127, 128, -129, 32767, 32768, 8388607, 8388608,
                2147483647L, 2147483648L, -2147483649L, Long.MAX_VALUE, Long.MIN_VALUE, db}) {
            ints.add(v);
        }
        pipeline.send(ints.toArray());
        pipeline.send("LPUSH", key("list:lpush"), "first", "second", "third");
        byte[] large = key("list:large");
        for (int start = 0; start < largeSize; start += CHUNK) {
            List<Object> cmd = command("RPUSH", large);
            for (int i = start; i < Math.min(largeSize, start + CHUNK); i++) {
                cmd.add(i % 7 == 0 ? Integer.toString(i) : "element-" + i + "-" + "p".repeat(random.nextInt(60)));
            }
            pipeline.send(cmd.toArray());
        }
        List<Object> big = command("RPUSH", key("list:big-elements"));
        for (int i = 0; i < 8; i++) {
            big.add(randomBytes(10_000));
        }
        pipeline.send(big.toArray());
    }

    private void hashes() {
        pipeline.send("HMSET", key("hash:small"), "f1", "v1", "empty", "", "int", "12345", "neg", "-7",
                "float", "1.5", "db", Integer.toString(db));
        byte[] large = key("hash:large");
        int fields = largeSize / 5;
        for (int start = 0; start < fields; start += CHUNK) {
            List<Object> cmd = command("HMSET", large);
            for (int i = start; i < Math.min(fields, start + CHUNK); i++) {
                cmd.add("field:" + i);
                cmd.add("value:" + i + ":" + random.nextInt(1_000_000));
            }
            pipeline.send(cmd.toArray());
        }
        pipeline.send("HMSET", key("hash:long-value"), "short", "s", "long", "v".repeat(200) + db);
        pipeline.send("HMSET", key("hash:binary"), new byte[] {0, 1, 2}, new byte[] {(byte) 0xff, 0, '\r', '\n'},
                "plain", randomBytes(100));
    }

    private void sets() {
        pipeline.send("SADD", key("set:intset"), "1", "2", "3", "-5", "100000", Long.toString(Long.MAX_VALUE),
                Integer.toString(db));
        pipeline.send("SADD", key("set:small"), "a", "b", "c", "", "db" + db);
        List<Object> ints = command("SADD", key("set:intset-large"));
        for (int i = 0; i < 300; i++) {
            ints.add((long) i * 1_000_003L - 150_000_000L);
        }
        pipeline.send(ints.toArray());
        byte[] large = key("set:large");
        int members = largeSize / 5;
        for (int start = 0; start < members; start += CHUNK) {
            List<Object> cmd = command("SADD", large);
            for (int i = start; i < Math.min(members, start + CHUNK); i++) {
                cmd.add("member:" + i + ":" + db);
            }
            pipeline.send(cmd.toArray());
        }
    }

    private void sortedSets() {
        pipeline.send("ZADD", key("zset:small"), "1", "a", "2", "b", "2", "c", "3.5", "d", Integer.toString(db), "db");
        pipeline.send("ZADD", key("zset:special"), "inf", "pos-inf", "-inf", "neg-inf", "0.1", "tenth",
                "1e300", "huge", "-1e-300", "tiny", "0", "zero", "1.7976931348623157e308", "max",
                "-123456789.125", "negative", Integer.toString(db), "db");
        byte[] large = key("zset:large");
        int members = largeSize / 5;
        for (int start = 0; start < members; start += CHUNK) {
            List<Object> cmd = command("ZADD", large);
            for (int i = start; i < Math.min(members, start + CHUNK); i++) {
                cmd.add(Double.toString(random.nextDouble() * 1000 - 500));
                cmd.add("member:" + i);
            }
            pipeline.send(cmd.toArray());
        }
    }

    private void hyperLogLogs() {
        pipeline.send("PFADD", key("hll:sparse"), "a", "b", "c", "db" + db);
        byte[] dense = key("hll:dense");
        for (int start = 0; start < 3000; start += CHUNK) {
            List<Object> cmd = command("PFADD", dense);
            for (int i = start; i < start + CHUNK; i++) {
                cmd.add("visitor:" + i + ":" + db);
            }
            pipeline.send(cmd.toArray());
        }
    }

    private void bitmap() {
        byte[] key = key("bitmap");
        for (long offset : new long[] {0, 7, 8, 1000 + db, 100_000}) {
            pipeline.send("SETBIT", key, offset, "1");
        }
    }

    private void geo() {
        pipeline.send("GEOADD", key("geo:cities"), "13.361389", "38.115556", "Palermo",
                "15.087269", "37.502669", "Catania", "2.3522", "48.8566", "Paris", Integer.toString(db), "0", "db");
    }

    private void streams() {
        byte[] events = key("stream:events");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String id = (1_700_000_000_000L + i / 10) + "-" + (i % 10);
            ids.add(id);
            if (i % 3 == 0) {
                pipeline.send("XADD", events, id, "n", Integer.toString(i), "kind", "tick", "db", Integer.toString(db));
            } else {
                pipeline.send("XADD", events, id, "n", Integer.toString(i), "other", "field-" + random.nextInt(1000));
            }
        }
        pipeline.send("XGROUP", "CREATE", events, "workers", "0");
        pipeline.send("XGROUP", "CREATE", events, "auditors", "$");
        pipeline.send("XREADGROUP", "GROUP", "workers", "alice", "COUNT", "5", "STREAMS", events, ">");
        pipeline.send("XREADGROUP", "GROUP", "workers", "bob", "COUNT", "3", "STREAMS", events, ">");
        pipeline.send("XACK", events, "workers", ids.get(0), ids.get(1));
        pipeline.send("XDEL", events, ids.get(50), ids.get(51), ids.get(52), ids.get(150));

        byte[] emptied = key("stream:emptied");
        pipeline.send("XADD", emptied, "5-1", "f", "v");
        pipeline.send("XADD", emptied, "5-2", "f", "v");
        pipeline.send("XGROUP", "CREATE", emptied, "g", "0");
        pipeline.send("XDEL", emptied, "5-1", "5-2");

        byte[] trimmed = key("stream:trimmed");
        for (int i = 1; i <= 50; i++) {
            pipeline.send("XADD", trimmed, "10-" + i, "i", Integer.toString(i));
        }
        pipeline.send("XTRIM", trimmed, "MAXLEN", "10");
    }

    private void expiring() {
        expire(set("ttl:string", "expires db" + db));
        byte[] list = key("ttl:list");
        pipeline.send("RPUSH", list, "a", "b");
        expire(list);
        byte[] hash = key("ttl:hash");
        pipeline.send("HMSET", hash, "f", "v");
        expire(hash);
        byte[] set = key("ttl:set");
        pipeline.send("SADD", set, "m1", "m2");
        expire(set);
        byte[] zset = key("ttl:zset");
        pipeline.send("ZADD", zset, "1", "m");
        expire(zset);
        if (version.atLeast(5, 0)) {
            byte[] stream = key("ttl:stream");
            pipeline.send("XADD", stream, "1-1", "f", "v");
            expire(stream);
        }
    }

    private void hashFieldTtls() {
        byte[] key = key("hash:field-ttl");
        pipeline.send("HSET", key, "f1", "v1", "f2", "v2", "f3", "v3");
        pipeline.send("HPEXPIREAT", key, SampleData.EXPIRY_BASE_MILLIS + 500_123, "FIELDS", "2", "f1", "f2");
    }

    /** Sets an absolute expiry, a whole number of seconds apart per key plus an odd millisecond part. */
    private void expire(byte[] key) {
        long at = SampleData.EXPIRY_BASE_MILLIS + (++nextExpiry) * 1000L + db * 7L + 123;
        pipeline.send("PEXPIREAT", key, at);
        expiries.add(new SampleData.Expiry(db, key, at));
    }

    private byte[] set(String name, Object value) {
        return set(name.getBytes(StandardCharsets.UTF_8), value);
    }

    private byte[] set(byte[] name, Object value) {
        byte[] key = key(name);
        pipeline.send("SET", key, value);
        return key;
    }

    private byte[] key(String name) {
        return key(name.getBytes(StandardCharsets.UTF_8));
    }

    /** Registers a key and deletes what it held, so writers start from nothing. */
    private byte[] key(byte[] name) {
        if (keys.add(ByteBuffer.wrap(name))) {
            pipeline.send("DEL", name);
        }
        return name;
    }

    private static List<Object> command(String name, byte[] key) {
        List<Object> cmd = new ArrayList<>();
        cmd.add(name);
        cmd.add(key);
        return cmd;
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
