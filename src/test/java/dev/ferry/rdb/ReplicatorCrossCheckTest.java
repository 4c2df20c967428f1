package dev.ferry.rdb;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.moilioncircle.redis.replicator.Configuration;
import com.moilioncircle.redis.replicator.FileType;
import com.moilioncircle.redis.replicator.RedisReplicator;
import com.moilioncircle.redis.replicator.rdb.datatype.ExpiredType;
import com.moilioncircle.redis.replicator.rdb.datatype.KeyStringValueHash;
import com.moilioncircle.redis.replicator.rdb.datatype.KeyStringValueList;
import com.moilioncircle.redis.replicator.rdb.datatype.KeyStringValueSet;
import com.moilioncircle.redis.replicator.rdb.datatype.KeyStringValueStream;
import com.moilioncircle.redis.replicator.rdb.datatype.KeyStringValueString;
import com.moilioncircle.redis.replicator.rdb.datatype.KeyStringValueTTLHash;
import com.moilioncircle.redis.replicator.rdb.datatype.KeyStringValueZSet;
import com.moilioncircle.redis.replicator.rdb.datatype.KeyValuePair;
import com.moilioncircle.redis.replicator.rdb.datatype.TTLValue;
import com.moilioncircle.redis.replicator.rdb.datatype.ZSetEntry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An independent implementation, redis-replicator 3.11.0, reads every fixture to the same keys and values.
 * Fixtures it cannot read are skipped, saying why.
 */
class ReplicatorCrossCheckTest {

    static Stream<String> fixtures() {
        return Fixtures.NAMES.stream();
    }

    /**
     * Each key is re-packed alone into a small RDB from the raw value our parser captured (so this also checks
     * raw capture against an independent reader), read by redis-replicator and compared with our decoding.
     * redis-replicator 3.11.0 throws NumberFormatException on two fixture keys: {@code zset:small} (it cannot
     * parse the text score "-inf" of a ziplist/listpack sorted set) and {@code stream:main} (it reads an entry
     * value "ok" as a number); those two are skipped, and only those.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void redisReplicatorReadsTheSameKeysAndValues(String name) throws IOException {
        byte[] rdb = Fixtures.rdb(name);
        CollectingHandler h = new CollectingHandler(CollectingHandler.Mode.RAW_UNLIMITED_THEN_DECODE);
        new RdbParser(new ByteArrayInputStream(rdb)).parse(h);
        List<String> skipped = new ArrayList<>();
        int compared = 0;
        for (Map<String, Object> k : h.keys) {
            Object[] raw = h.raws.get(k.get("key") + "@" + k.get("db"));
            byte[] single = singleKeyRdb(h.version, k, (RdbType) raw[0], (byte[]) raw[1]);
            Map<String, Object> theirs;
            try {
                theirs = readWithReplicator(single);
            } catch (Exception e) {
                skipped.add(new String(java.util.Base64.getDecoder().decode((String) k.get("key")),
                        java.nio.charset.StandardCharsets.UTF_8));
                continue;
            }
            Map<String, Object> ours = new LinkedHashMap<>(k);
            ours.remove("rdb_type");
            ours.remove("slot");
            ours.put("db", 0L);
            if ("stream".equals(ours.get("type"))) {
                ours.put("value", comparableStream(ours.get("value")));
            }
            assertThat(ours).as("key %s of %s", k.get("key"), name).isEqualTo(theirs);
            compared++;
        }
        assertThat(skipped).as("keys redis-replicator cannot read").isSubsetOf("zset:small", "stream:main");
        assertThat(compared).isEqualTo(h.keys.size() - skipped.size()).isGreaterThan(60);
    }

    /** A one-key RDB of the same version: SELECTDB 0, the expiry, the type, the key, the raw value. */
    private static byte[] singleKeyRdb(int version, Map<String, Object> key, RdbType type, byte[] raw) {
        RdbBuilder b = RdbBuilder.redis(version).selectDb(0);
        if (key.get("expire_ms") != null) {
            b.op(RdbOpcode.EXPIRETIME_MS).le((Long) key.get("expire_ms"), 8);
        }
        return b.type(type).string(java.util.Base64.getDecoder().decode((String) key.get("key"))).bytes(raw).build();
    }

    private static Map<String, Object> readWithReplicator(byte[] rdb) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        RedisReplicator replicator = new RedisReplicator(new ByteArrayInputStream(rdb), FileType.RDB,
                Configuration.defaultSetting());
        replicator.addExceptionListener((rep, error, event) -> errors.add(error));
        replicator.addEventListener((rep, event) -> {
            if (event instanceof KeyValuePair<?, ?> kv) {
                out.add(canonical(kv));
            }
        });
        try {
            replicator.open();
        } finally {
            replicator.close();
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException(errors.get(0));
        }
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> canonical(KeyValuePair<?, ?> kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("db", kv.getDb().getDbNumber());
        m.put("key", ValueCollector.b64((byte[]) kv.getKey()));
        Long expire = kv.getExpiredType() == ExpiredType.MS ? kv.getExpiredMs()
                : kv.getExpiredType() == ExpiredType.SECOND ? kv.getExpiredSeconds() * 1000L : null;
        Object value = kv.getValue();
        if (kv instanceof KeyStringValueString) {
            put(m, "string", expire, ValueCollector.b64((byte[]) value));
        } else if (kv instanceof KeyStringValueList) {
            List<String> items = new ArrayList<>();
            ((List<byte[]>) value).forEach(b -> items.add(ValueCollector.b64(b)));
            put(m, "list", expire, items);
        } else if (kv instanceof KeyStringValueSet) {
            List<String> members = new ArrayList<>();
            ((Iterable<byte[]>) value).forEach(b -> members.add(ValueCollector.b64(b)));
            members.sort(Comparator.naturalOrder());
            put(m, "set", expire, members);
        } else if (kv instanceof KeyStringValueZSet) {
            List<ZSetEntry> entries = new ArrayList<>((java.util.Collection<ZSetEntry>) value);
            entries.sort(Comparator.comparingDouble(ZSetEntry::getScore)
                    .thenComparing(ZSetEntry::getElement, Arrays::compareUnsigned));
            List<Object> out = new ArrayList<>();
            entries.forEach(e -> out.add(List.of(ValueCollector.b64(e.getElement()), Fixtures.normalize(e.getScore()))));
            put(m, "zset", expire, out);
        } else if (kv instanceof KeyStringValueHash) {
            Map<String, String> h = new TreeMap<>();
            ((Map<byte[], byte[]>) value).forEach((f, v) -> h.put(ValueCollector.b64(f), ValueCollector.b64(v)));
            put(m, "hash", expire, h);
            m.put("field_expire_ms", new TreeMap<>());
        } else if (kv instanceof KeyStringValueTTLHash) {
            Map<String, String> h = new TreeMap<>();
            Map<String, Long> ttl = new TreeMap<>();
            ((Map<byte[], TTLValue>) value).forEach((f, v) -> {
                h.put(ValueCollector.b64(f), ValueCollector.b64(v.getValue()));
                if (v.getExpires() != null && v.getExpires() > 0) {
                    ttl.put(ValueCollector.b64(f), v.getExpires());
                }
            });
            put(m, "hash", expire, h);
            m.put("field_expire_ms", ttl);
        } else if (kv instanceof KeyStringValueStream s) {
            put(m, "stream", expire, stream(s.getValue()));
        } else {
            put(m, kv.getClass().getSimpleName(), expire, null);
        }
        return m;
    }

    private static void put(Map<String, Object> m, String type, Long expire, Object value) {
        m.put("type", type);
        m.put("expire_ms", expire);
        m.put("value", value);
    }

    /** Entries (fields as sorted pairs), last ID, length, and groups with pending entries and consumers. */
    private static Map<String, Object> stream(com.moilioncircle.redis.replicator.rdb.datatype.Stream s) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> entries = new ArrayList<>();
        s.getEntries().values().forEach(e -> {
            if (!e.isDeleted()) {
                List<String> pairs = new ArrayList<>();
                e.getFields().forEach((f, v) -> pairs.add(ValueCollector.b64(f) + "=" + ValueCollector.b64(v)));
                pairs.sort(Comparator.naturalOrder());
                entries.add(List.of(id(e.getId()), pairs));
            }
        });
        // redis-replicator orders IDs as signed numbers; compare in true (unsigned) ID order.
        entries.sort(Comparator.comparing(e -> StreamId.parse((String) ((List<?>) e).get(0))));
        m.put("entries", entries);
        m.put("last_id", id(s.getLastId()));
        m.put("length", s.getLength());
        List<Object> groups = new ArrayList<>();
        for (var g : s.getGroups()) {
            List<Object> pending = new ArrayList<>();
            g.getPendingEntries().values().forEach(n -> pending.add(List.of(id(n.getId()),
                    new String(n.getConsumer().getName(), java.nio.charset.StandardCharsets.UTF_8), n.getDeliveryCount())));
            pending.sort(Comparator.comparing(e -> StreamId.parse((String) ((List<?>) e).get(0))));
            List<String> consumers = new ArrayList<>();
            g.getConsumers().forEach(c -> consumers.add(new String(c.getName(), java.nio.charset.StandardCharsets.UTF_8)));
            consumers.sort(Comparator.naturalOrder());
            groups.add(List.of(new String(g.getName(), java.nio.charset.StandardCharsets.UTF_8), id(g.getLastId()),
                    pending, consumers));
        }
        groups.sort(Comparator.comparing(g -> (String) ((List<?>) g).get(0)));
        m.put("groups", groups);
        return m;
    }

    /** Our canonical stream reduced to what {@link #stream} compares. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> comparableStream(Object value) {
        Map<String, Object> s = (Map<String, Object>) value;
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> entries = new ArrayList<>();
        for (Object e : (List<Object>) s.get("entries")) {
            List<Object> entry = (List<Object>) e;
            List<String> fv = (List<String>) entry.get(1);
            List<String> pairs = new ArrayList<>();
            for (int i = 0; i < fv.size(); i += 2) {
                pairs.add(fv.get(i) + "=" + fv.get(i + 1));
            }
            pairs.sort(Comparator.naturalOrder());
            entries.add(List.of(entry.get(0), pairs));
        }
        m.put("entries", entries);
        m.put("last_id", s.get("last_id"));
        m.put("length", s.get("length"));
        List<Object> groups = new ArrayList<>();
        for (Object g : (List<Object>) s.get("groups")) {
            Map<String, Object> gm = (Map<String, Object>) g;
            groups.add(List.of(gm.get("name"), gm.get("last_delivered_id"), gm.get("pending"), gm.get("consumers")));
        }
        m.put("groups", groups);
        return m;
    }

    private static String id(com.moilioncircle.redis.replicator.rdb.datatype.Stream.ID id) {
        return Long.toUnsignedString(id.getMs()) + "-" + Long.toUnsignedString(id.getSeq());
    }
}
