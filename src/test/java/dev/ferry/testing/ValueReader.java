package dev.ferry.testing;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a key's value as a canonical list of printable items that does not depend on the encoding or
 * the server version: the same data on two servers reads the same. Sets and hashes are sorted; sorted-set
 * scores are parsed (6.2 prints {@code 0.10000000000000001} where 7.2 prints {@code 0.1}); streams add
 * their consumer groups, consumers and pending entries, which {@code DEBUG DIGEST-VALUE} leaves out.
 * The connection must have the key's database selected.
 */
final class ValueReader {

    private static final int PAGE = 1000;

    private final RedisConnection conn;
    private final boolean streamCounters;
    private final boolean fieldTtls;

    /**
     * @param streamCounters also compare the 7.0+ stream fields {@code entries-added} and {@code max-deleted-entry-id}
     * @param fieldTtls also compare hash field expiry times (7.4+)
     */
    ValueReader(RedisConnection conn, boolean streamCounters, boolean fieldTtls) {
        this.conn = conn;
        this.streamCounters = streamCounters;
        this.fieldTtls = fieldTtls;
    }

    List<String> read(String type, Key key) {
        return switch (type) {
            case "string" -> List.of(text(conn.callChecked("GET", key.bytes())));
            case "list" -> list(key);
            case "hash" -> hash(key);
            case "set" -> sorted(items(conn.callChecked("SMEMBERS", key.bytes())));
            case "zset" -> zset(key);
            case "stream" -> {
                List<String> items = streamEntries(key);
                items.addAll(streamMeta(key));
                yield items;
            }
            case "none" -> List.of("(no such key)");
            // Module types and anything newer: the serialized form is the best we can compare.
            default -> List.of("DUMP " + text(conn.callChecked("DUMP", key.bytes())));
        };
    }

    /** What a stream holds besides its entries: counters, groups, consumers, pending entries. */
    List<String> streamMeta(Key key) {
        List<String> items = new ArrayList<>();
        Map<String, RespValue> info = map(conn.callChecked("XINFO", "STREAM", key.bytes()));
        items.add("length " + plain(info.get("length")));
        items.add("last-generated-id " + plain(info.get("last-generated-id")));
        if (streamCounters) {
            items.add("max-deleted-entry-id " + plain(info.get("max-deleted-entry-id")));
            items.add("entries-added " + plain(info.get("entries-added")));
        }
        List<String> groups = new ArrayList<>();
        for (RespValue g : array(conn.callChecked("XINFO", "GROUPS", key.bytes()))) {
            Map<String, RespValue> group = map(g);
            String name = plain(group.get("name"));
            groups.add("group " + Printable.of(name) + " last-delivered-id=" + plain(group.get("last-delivered-id"))
                    + " pending=" + plain(group.get("pending")));
            for (RespValue c : array(conn.callChecked("XINFO", "CONSUMERS", key.bytes(), name))) {
                Map<String, RespValue> consumer = map(c);
                groups.add("group " + Printable.of(name) + " consumer " + Printable.of(plain(consumer.get("name")))
                        + " pending=" + plain(consumer.get("pending")));
            }
            for (RespValue p : array(conn.callChecked("XPENDING", key.bytes(), name, "-", "+", "1000000"))) {
                List<RespValue> entry = array(p);
                groups.add("group " + Printable.of(name) + " pending " + plain(entry.get(0)) + " consumer "
                        + Printable.of(plain(entry.get(1))) + " deliveries=" + plain(entry.get(3)));
            }
        }
        items.addAll(sorted(groups));
        return items;
    }

    private List<String> list(Key key) {
        List<String> items = new ArrayList<>();
        for (long start = 0; ; start += PAGE) {
            List<String> page = items(conn.callChecked("LRANGE", key.bytes(), start, start + PAGE - 1));
            items.addAll(page);
            if (page.size() < PAGE) {
                return items;
            }
        }
    }

    private List<String> hash(Key key) {
        List<RespValue> flat = array(conn.callChecked("HGETALL", key.bytes()));
        List<String> items = new ArrayList<>();
        List<byte[]> fields = new ArrayList<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            byte[] field = bytes(flat.get(i));
            fields.add(field);
            items.add(Printable.of(field) + " = " + text(flat.get(i + 1)));
        }
        if (fieldTtls) {
            items.addAll(fieldExpiries(key, fields));
        }
        return sorted(items);
    }

    private List<String> fieldExpiries(Key key, List<byte[]> fields) {
        List<String> items = new ArrayList<>();
        for (int from = 0; from < fields.size(); from += PAGE) {
            List<byte[]> chunk = fields.subList(from, Math.min(fields.size(), from + PAGE));
            List<Object> cmd = new ArrayList<>(List.of("HPEXPIRETIME", key.bytes(), "FIELDS", chunk.size()));
            cmd.addAll(chunk);
            List<RespValue> times = array(conn.callChecked(cmd.toArray()));
            for (int i = 0; i < chunk.size(); i++) {
                long at = times.get(i).asLong();
                if (at >= 0) {
                    items.add("field expiry " + Printable.of(chunk.get(i)) + " at " + at);
                }
            }
        }
        return items;
    }

    private List<String> zset(Key key) {
        List<RespValue> flat = array(conn.callChecked("ZRANGE", key.bytes(), "0", "-1", "WITHSCORES"));
        List<String> items = new ArrayList<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            items.add(text(flat.get(i)) + " " + score(flat.get(i + 1).asText()));
        }
        return items;
    }

    private List<String> streamEntries(Key key) {
        List<String> items = new ArrayList<>();
        String start = "-";
        while (true) {
            List<RespValue> page = array(conn.callChecked("XRANGE", key.bytes(), start, "+", "COUNT", PAGE));
            String last = null;
            for (RespValue e : page) {
                List<RespValue> entry = array(e);
                last = plain(entry.get(0));
                StringBuilder sb = new StringBuilder("entry ").append(last);
                for (RespValue part : array(entry.get(1))) {
                    sb.append(' ').append(text(part));
                }
                items.add(sb.toString());
            }
            if (page.size() < PAGE) {
                return items;
            }
            start = nextId(last);
        }
    }

    /** The smallest stream ID after {@code id} ("5-1" gives "5-2"): 6.2's exclusive "(" ranges are not in 5.0. */
    private static String nextId(String id) {
        int dash = id.indexOf('-');
        long ms = Long.parseUnsignedLong(id.substring(0, dash));
        long seq = Long.parseUnsignedLong(id.substring(dash + 1));
        return seq == -1L ? Long.toUnsignedString(ms + 1) + "-0" : Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq + 1);
    }

    private static String score(String text) {
        double d = switch (text) {
            case "inf", "+inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
        return Double.toString(d);
    }

    static Map<String, RespValue> map(RespValue reply) {
        List<RespValue> flat = array(reply);
        Map<String, RespValue> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            map.put(flat.get(i).asText(), flat.get(i + 1));
        }
        return map;
    }

    static List<RespValue> array(RespValue reply) {
        if (reply instanceof RespValue.Array a) {
            return a.items() == null ? List.of() : a.items();
        }
        throw new IllegalStateException("expected an array reply, got " + reply);
    }

    private static List<String> items(RespValue reply) {
        List<String> items = new ArrayList<>();
        for (RespValue v : array(reply)) {
            items.add(text(v));
        }
        return items;
    }

    private static List<String> sorted(List<String> items) {
        List<String> copy = new ArrayList<>(items);
        copy.sort(null);
        return copy;
    }

    private static byte[] bytes(RespValue v) {
        if (v instanceof RespValue.Bulk b && b.bytes() != null) {
            return b.bytes();
        }
        return String.valueOf(v.asText()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A value as an unambiguous printable item; null bulk strings print as {@code (nil)}. */
    private static String text(RespValue v) {
        if (v instanceof RespValue.Bulk b) {
            return b.bytes() == null ? "(nil)" : Printable.of(b.bytes());
        }
        return v == null ? "(absent)" : Printable.of(v.asText());
    }

    /** A value as plain text (IDs, counters, names). */
    private static String plain(RespValue v) {
        return v == null ? "(absent)" : v instanceof RespValue.Bulk b && b.bytes() == null ? "(nil)" : v.asText();
    }
}
