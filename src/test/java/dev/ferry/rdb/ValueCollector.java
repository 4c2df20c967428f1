package dev.ferry.rdb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Collects one decoded value into the canonical form of the fixture manifests (base64 bytes, sets sorted,
 * zsets in rank order, hashes as sorted maps, streams as nested maps), checking the visitor protocol as it
 * goes: begin first, end last, string chunks contiguous, announced sizes kept.
 */
final class ValueCollector implements ValueVisitor {

    private static final Base64.Encoder B64 = Base64.getEncoder();

    private final RdbType type;
    private boolean begun;
    private boolean ended;
    private long announced = -1;
    private long elements;
    private final ByteArrayOutputStream string = new ByteArrayOutputStream();
    private final List<String> items = new ArrayList<>();
    private final List<Object[]> zset = new ArrayList<>();
    private final Map<String, String> hash = new TreeMap<>();
    private final Map<String, Long> fieldExpiry = new TreeMap<>();
    private final List<Object> streamEntries = new ArrayList<>();
    private StreamInfo streamInfo;

    ValueCollector(RdbType type) {
        this.type = type;
    }

    @Override
    public void begin(RdbType t, long size) {
        assertThat(begun).as("begin called twice").isFalse();
        assertThat(t).isEqualTo(type);
        begun = true;
        announced = size;
    }

    @Override
    public void string(byte[] chunk, long offset, long totalLength) {
        started();
        assertThat(offset).as("chunk offset").isEqualTo(string.size());
        assertThat(offset + chunk.length).isLessThanOrEqualTo(totalLength);
        string.writeBytes(chunk);
        elements = totalLength;
    }

    @Override
    public void listItem(byte[] item) {
        started();
        items.add(b64(item));
        elements++;
    }

    @Override
    public void setMember(byte[] member) {
        started();
        items.add(b64(member));
        elements++;
    }

    @Override
    public void zsetEntry(byte[] member, double score) {
        started();
        zset.add(new Object[] {member, Fixtures.normalize(score)});
        elements++;
    }

    @Override
    public void hashEntry(byte[] field, byte[] value, long expireAtMs) {
        started();
        assertThat(hash.put(b64(field), b64(value))).as("duplicate hash field").isNull();
        if (expireAtMs != -1) {
            fieldExpiry.put(b64(field), expireAtMs);
        }
        elements++;
    }

    @Override
    public void streamEntry(StreamId id, byte[][] fieldsAndValues) {
        started();
        List<String> fv = new ArrayList<>();
        for (byte[] b : fieldsAndValues) {
            fv.add(b64(b));
        }
        streamEntries.add(List.of(id.toString(), fv));
    }

    @Override
    public void streamEnd(StreamInfo info) {
        started();
        assertThat(streamInfo).isNull();
        streamInfo = info;
    }

    @Override
    public void end() {
        started();
        ended = true;
        if (announced >= 0 && type.kind() != RdbType.Kind.STREAM) {
            assertThat(elements).as("elements delivered vs size announced by begin").isEqualTo(announced);
        }
    }

    private void started() {
        assertThat(begun).as("begin must come first").isTrue();
        assertThat(ended).as("nothing may follow end").isFalse();
    }

    /** Puts the canonical value (and hash field expiries) into {@code record}. */
    void into(Map<String, Object> record) {
        assertThat(ended).as("end was called").isTrue();
        switch (type.kind()) {
            case STRING -> record.put("value", b64(string.toByteArray()));
            case LIST -> record.put("value", items);
            case SET -> {
                List<String> sorted = new ArrayList<>(items);
                sorted.sort(Comparator.naturalOrder());
                record.put("value", sorted);
            }
            case ZSET -> {
                zset.sort((a, b) -> {
                    int c = Double.compare((Double) a[1], (Double) b[1]);
                    return c != 0 ? c : Arrays.compareUnsigned((byte[]) a[0], (byte[]) b[0]);
                });
                List<Object> out = new ArrayList<>();
                for (Object[] e : zset) {
                    out.add(List.of(b64((byte[]) e[0]), e[1]));
                }
                record.put("value", out);
            }
            case HASH -> {
                record.put("value", hash);
                record.put("field_expire_ms", fieldExpiry);
            }
            case STREAM -> record.put("value", stream());
            default -> throw new IllegalStateException("unexpected kind " + type.kind());
        }
    }

    private Map<String, Object> stream() {
        assertThat(streamInfo).as("streamEnd was called").isNotNull();
        boolean v2 = type != RdbType.STREAM_LISTPACKS;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entries", streamEntries);
        m.put("last_id", streamInfo.lastId().toString());
        m.put("length", streamInfo.length());
        if (v2) {
            m.put("entries_added", streamInfo.entriesAdded());
            m.put("max_deleted_entry_id", streamInfo.maxDeletedId().toString());
            m.put("recorded_first_entry_id", streamInfo.firstId().toString());
        }
        List<Map<String, Object>> groups = new ArrayList<>();
        for (StreamInfo.Group g : streamInfo.groups()) {
            Map<String, Object> gm = new LinkedHashMap<>();
            gm.put("name", utf8(g.name()));
            gm.put("last_delivered_id", g.lastDeliveredId().toString());
            List<StreamInfo.PendingEntry> pel = new ArrayList<>(g.pending());
            pel.sort(Comparator.comparing(StreamInfo.PendingEntry::id));
            List<Object> pending = new ArrayList<>();
            for (StreamInfo.PendingEntry p : pel) {
                pending.add(List.of(p.id().toString(), p.consumer() == null ? "<none>" : utf8(p.consumer()),
                        p.deliveryCount()));
            }
            gm.put("pending", pending);
            List<String> consumers = new ArrayList<>();
            for (StreamInfo.Consumer c : g.consumers()) {
                consumers.add(utf8(c.name()));
            }
            consumers.sort(Comparator.naturalOrder());
            gm.put("consumers", consumers);
            if (v2) {
                gm.put("entries_read", g.entriesRead() == -1 ? null : g.entriesRead());
            }
            groups.add(gm);
        }
        groups.sort(Comparator.comparing(g -> (String) g.get("name")));
        m.put("groups", groups);
        return m;
    }

    static String b64(byte[] b) {
        return B64.encodeToString(b);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
