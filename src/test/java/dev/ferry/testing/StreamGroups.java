package dev.ferry.testing;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams whose consumer groups hold pending entries of deleted or trimmed messages, and their comparison:
 * {@code XINFO STREAM key FULL} field by field, delivery times and counts included, except what no command sets on
 * a target (consumers' seen-time and active-time, the radix tree's shape) and the 7.0 fields an older target lacks.
 */
public final class StreamGroups {

    /** The keys {@link #populate} writes. */
    public static final List<String> KEYS = List.of("deleted", "trimmed", "groups", "lonely", "emptied", "fresh");

    private static final Set<String> NOT_SETTABLE = Set.of("radix-tree-keys", "radix-tree-nodes", "seen-time",
            "active-time");
    private static final Set<String> SINCE_7_0 = Set.of("max-deleted-entry-id", "entries-added",
            "recorded-first-entry-id", "entries-read", "lag");

    private StreamGroups() {
    }

    /**
     * Writes streams whose groups hold pending entries of deleted or trimmed messages (the last two are empty).
     * Delivery times are the source's clock at XREADGROUP: the target must get them as they are.
     */
    public static void populate(RedisConnection c) {
        // Issue 11's reproduction: 2-1 delivered to alice, not acked, then deleted.
        for (int i = 1; i <= 3; i++) {
            c.callChecked("XADD", "deleted", i + "-1", "f", "v");
        }
        c.callChecked("XGROUP", "CREATE", "deleted", "g", "0");
        c.callChecked("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "deleted", ">");
        c.callChecked("XACK", "deleted", "g", "1-1");
        c.callChecked("XDEL", "deleted", "2-1");

        // Six delivered, then all but the last three messages trimmed away.
        for (int i = 1; i <= 10; i++) {
            c.callChecked("XADD", "trimmed", i + "-1", "f", "v" + i);
        }
        c.callChecked("XGROUP", "CREATE", "trimmed", "g", "0");
        c.callChecked("XREADGROUP", "GROUP", "g", "alice", "COUNT", "6", "STREAMS", "trimmed", ">");
        c.callChecked("XTRIM", "trimmed", "MAXLEN", "3");

        // Several groups and consumers, delivery counts above 1, deletions in the middle and a trimmed front.
        for (int i = 1; i <= 20; i++) {
            c.callChecked("XADD", "groups", i + "-1", "n", Integer.toString(i), "other", "field");
        }
        c.callChecked("XGROUP", "CREATE", "groups", "g1", "0");
        c.callChecked("XGROUP", "CREATE", "groups", "g2", "0");
        c.callChecked("XGROUP", "CREATE", "groups", "g3", "$");
        c.callChecked("XGROUP", "CREATE", "groups", "g4", "5-1");
        c.callChecked("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "groups", ">");
        c.callChecked("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "5", "STREAMS", "groups", ">");
        c.callChecked("XCLAIM", "groups", "g1", "carol", "0", "2-1", "3-1", "7-1");
        c.callChecked("XREADGROUP", "GROUP", "g1", "alice", "STREAMS", "groups", "0");
        c.callChecked("XREADGROUP", "GROUP", "g2", "dave", "COUNT", "15", "STREAMS", "groups", ">");
        c.callChecked("XACK", "groups", "g2", "1-1", "10-1", "11-1");
        c.callChecked("XGROUP", "CREATECONSUMER", "groups", "g3", "idle");
        c.callChecked("XREADGROUP", "GROUP", "g4", "erin", "COUNT", "3", "STREAMS", "groups", ">");
        c.callChecked("XDEL", "groups", "4-1", "9-1", "13-1", "20-1");
        c.callChecked("XTRIM", "groups", "MAXLEN", "12");

        // ghost's only pending entries are of deleted messages.
        for (int i = 1; i <= 4; i++) {
            c.callChecked("XADD", "lonely", i + "-1", "f", "v");
        }
        c.callChecked("XGROUP", "CREATE", "lonely", "g", "0");
        c.callChecked("XREADGROUP", "GROUP", "g", "ghost", "COUNT", "2", "STREAMS", "lonely", ">");
        c.callChecked("XREADGROUP", "GROUP", "g", "main", "COUNT", "1", "STREAMS", "lonely", ">");
        c.callChecked("XDEL", "lonely", "1-1", "2-1");

        // Every message deleted, both still pending.
        c.callChecked("XADD", "emptied", "5-1", "f", "v");
        c.callChecked("XADD", "emptied", "6-1", "f", "v");
        c.callChecked("XGROUP", "CREATE", "emptied", "g", "0");
        c.callChecked("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "emptied", ">");
        c.callChecked("XDEL", "emptied", "5-1", "6-1");

        // Never had a message.
        c.callChecked("XGROUP", "CREATE", "fresh", "g", "$", "MKSTREAM");
        c.callChecked("XGROUP", "CREATECONSUMER", "fresh", "g", "waiting");
    }

    public static void assertSame(RedisConnection src, RedisConnection tgt, List<String> keys, String targetVersion) {
        assertSame(src, tgt, keys, targetVersion, Set.of());
    }

    /**
     * As above, not comparing {@code ignored} fields either: a group's {@code lag}, which each server computes its
     * own way (7.0 and 7.2+ differ on a stream trimmed past a group's read position).
     */
    public static void assertSame(RedisConnection src, RedisConnection tgt, List<String> keys, String targetVersion,
                                  Set<String> ignored) {
        boolean counters = !targetVersion.startsWith("6.");
        for (String key : keys) {
            List<String> expected = without(full(src, key, counters), ignored);
            assertThat(without(full(tgt, key, counters), ignored)).as("XINFO STREAM %s FULL on %s", key, targetVersion)
                    .isEqualTo(expected);
            if (!key.equals("fresh")) {
                // The comparison proves something only if the source has pending entries of deleted messages.
                Set<String> entries = new HashSet<>();
                Set<String> pending = new HashSet<>();
                for (String line : expected) {
                    if (line.startsWith("entry [")) {
                        entries.add(line.substring(7, line.indexOf(',')));
                    } else if (line.matches("group \\S+ pending \\[.*")) {
                        pending.add(line.substring(line.indexOf('[') + 1, line.indexOf(',')));
                    }
                }
                pending.removeAll(entries);
                assertThat(pending).as("pending entries of deleted messages in %s", key).isNotEmpty();
            }
        }
    }

    private static List<String> without(List<String> lines, Set<String> fields) {
        return lines.stream().filter(l -> fields.stream().noneMatch(f -> l.matches(".* " + f + " = .*"))).toList();
    }

    /** {@code XINFO STREAM key FULL} as "path = value" lines, without what no command can set on a target. */
    private static List<String> full(RedisConnection conn, String key, boolean counters) {
        List<String> lines = new ArrayList<>();
        Map<String, RespValue> stream = ValueReader.map(conn.callChecked("XINFO", "STREAM", key, "FULL"));
        stream.forEach((field, value) -> {
            if (!keep(field, counters)) {
                return;
            }
            switch (field) {
                case "entries" -> ValueReader.array(value).forEach(e -> lines.add("entry " + render(e)));
                case "groups" -> ValueReader.array(value).forEach(g -> group(lines, ValueReader.map(g), counters));
                default -> lines.add(field + " = " + render(value));
            }
        });
        return lines;
    }

    private static void group(List<String> lines, Map<String, RespValue> group, boolean counters) {
        String name = "group " + render(group.get("name"));
        group.forEach((field, value) -> {
            if (!keep(field, counters)) {
                return;
            }
            switch (field) {
                case "pending" -> ValueReader.array(value).forEach(p -> lines.add(name + " pending " + render(p)));
                case "consumers" -> ValueReader.array(value).forEach(c -> {
                    Map<String, RespValue> consumer = ValueReader.map(c);
                    String who = name + " consumer " + render(consumer.get("name"));
                    consumer.forEach((f, v) -> {
                        if (keep(f, counters)) {
                            lines.add(who + (f.equals("pending") ? " pending " : " " + f + " = ") + render(v));
                        }
                    });
                });
                default -> lines.add(name + " " + field + " = " + render(value));
            }
        });
    }

    private static boolean keep(String field, boolean counters) {
        return !NOT_SETTABLE.contains(field) && (counters || !SINCE_7_0.contains(field));
    }

    private static String render(RespValue v) {
        if (v instanceof RespValue.Array a) {
            return a.items() == null ? "nil" : a.items().stream().map(StreamGroups::render).toList().toString();
        }
        String text = v.asText();
        return text == null ? "nil" : text;
    }
}
