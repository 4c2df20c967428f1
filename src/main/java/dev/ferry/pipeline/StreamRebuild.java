package dev.ferry.pipeline;

import dev.ferry.rdb.StreamId;
import dev.ferry.rdb.StreamInfo;
import dev.ferry.sink.Command;
import dev.ferry.sink.TargetProfile;
import dev.ferry.sink.WriteSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import static dev.ferry.pipeline.ValueRewriter.ascii;

/**
 * Rebuilds one stream with commands, for a target that cannot {@code RESTORE} it: {@code XADD} per entry, then
 * each consumer group ({@code XGROUP CREATE}, its consumers, {@code XCLAIM ... TIME ... RETRYCOUNT ... FORCE
 * JUSTID} per pending entry), then {@code XSETID} with the source's last ID and, on 7.0+, its
 * {@code entries-added} and {@code max-deleted-entry-id}.
 *
 * <p>{@code XCLAIM} takes only IDs present in the stream (7.0+ even drops the others from the pending list), so a
 * pending entry whose message was deleted ({@code XDEL}) or trimmed away on the source is recreated as a
 * placeholder message at its exact ID, in ID order among the entries, claimed, and removed again once every group
 * is built: by {@code XTRIM} for placeholders before the first live entry (trimming leaves 7.0's
 * {@code max-deleted-entry-id} alone, as it does on the source), by {@code XDEL} for the others. An empty stream
 * is built the same way around one placeholder at its last ID.
 *
 * <p>The RDB stores the groups after the entries, so the pending IDs are known in time only when the caller read
 * the value's metadata first ({@link StreamInfo#read}, for a value held in memory): then the rebuild is exact,
 * except for what no command sets (consumers' {@code seen-time} and {@code active-time} become the time of the
 * copy), and what an older server has no place for: Redis 8.6's idempotent-producer state and 8.8's NACKed entries
 * ({@link NewerStreamState}). For a value streamed through, placeholders can be added only after the last live entry; pending entries
 * of messages deleted before it are not recreated, and one warning per key names them.
 *
 * <p>Not thread-safe: one value, on the parser's thread.
 */
final class StreamRebuild {

    private static final Logger log = LoggerFactory.getLogger(StreamRebuild.class);
    private static final int MAX_IDS_PER_COMMAND = 512;
    private static final int EXAMPLES = 3;
    private static final byte[][] PLACEHOLDER_FIELDS = {ascii("ferry-placeholder"), ascii("1")};

    private final byte[] key;
    private final TargetProfile target;
    private final WriteSink sink;
    private final Consumer<String> warnings;
    /** The pending IDs of every group, sorted and distinct, when known before the entries; else null. */
    private final List<StreamId> knownPending;
    private int nextPending;

    private StreamId firstLive;
    private StreamId lastLive;
    private long liveCount;
    /** Some ID present in the stream while groups are built (to create consumers on targets before 6.2). */
    private StreamId present;
    private final List<StreamId> placeholdersBeforeFirst = new ArrayList<>();
    private final List<StreamId> placeholdersAfterFirst = new ArrayList<>();

    /**
     * @param known    the stream's metadata read before its entries, or null when the value is streamed through
     * @param warnings where a warning about what could not be reproduced goes (one message per key at most)
     */
    StreamRebuild(byte[] key, TargetProfile target, WriteSink sink, StreamInfo known, Consumer<String> warnings) {
        this.key = key;
        this.target = target;
        this.sink = sink;
        this.warnings = warnings;
        this.knownPending = known == null ? null : pendingIds(known);
    }

    StreamRebuild(byte[] key, TargetProfile target, WriteSink sink, StreamInfo known) {
        this(key, target, sink, known, log::warn);
    }

    /** A live entry, in ID order. */
    void entry(StreamId id, byte[][] fieldsAndValues) {
        if (knownPending != null) {
            while (nextPending < knownPending.size() && knownPending.get(nextPending).compareTo(id) <= 0) {
                StreamId pending = knownPending.get(nextPending++);
                if (pending.compareTo(id) < 0) {
                    placeholder(pending);
                }
            }
        }
        xadd(id, fieldsAndValues);
        if (firstLive == null) {
            firstLive = id;
        }
        lastLive = id;
        liveCount++;
    }

    /** After the last entry: groups, consumers, pending entries, then the counters. */
    void end(StreamInfo info) {
        List<StreamId> pending = knownPending != null ? knownPending : pendingIds(info);
        Set<StreamId> lost = new HashSet<>();
        Set<StreamId> unsure = new HashSet<>();
        if (knownPending == null) {
            classifyStreamed(pending, info, lost, unsure);
        }
        List<StreamId> unreachable = new ArrayList<>();
        for (; nextPending < pending.size(); nextPending++) {
            StreamId id = pending.get(nextPending);
            if (id.compareTo(info.lastId()) > 0) {
                // Past the last ID: no message ever had it, and XSETID could not go back below it.
                unreachable.add(id);
            } else {
                placeholder(id);
            }
        }
        if (present == null) {
            placeholder(info.lastId().compareTo(StreamId.ZERO) > 0 ? info.lastId() : new StreamId(0, 1));
        }
        Set<StreamId> notClaimable = new HashSet<>(lost);
        notClaimable.addAll(unreachable);
        for (StreamInfo.Group g : info.groups()) {
            group(g, notClaimable);
        }
        removePlaceholders();
        setId(info);
        warn(info, lost, unsure, unreachable);
    }

    /**
     * For a value streamed through: which pending IDs up to the last live entry had no message. Those before the
     * first live entry were surely trimmed or deleted; between the first and the last, a message was deleted only
     * if its ID is at most the source's max-deleted-entry-id (known in RDB 10+), since trimming cuts the front.
     * (Blind spot: a 7.0+ source that loaded the stream from an older RDB starts that counter at 0-0, so a message
     * deleted before that upgrade, and no XDEL since, goes unnoticed.)
     */
    private void classifyStreamed(List<StreamId> pending, StreamInfo info, Set<StreamId> lost, Set<StreamId> unsure) {
        if (lastLive == null) {
            return;
        }
        boolean deletionsKnown = info.entriesAdded() >= 0 && info.maxDeletedId() != null;
        for (; nextPending < pending.size() && pending.get(nextPending).compareTo(lastLive) <= 0; nextPending++) {
            StreamId id = pending.get(nextPending);
            if (id.compareTo(firstLive) < 0) {
                lost.add(id);
            } else if (!id.equals(firstLive) && !id.equals(lastLive)
                    && (!deletionsKnown || id.compareTo(info.maxDeletedId()) <= 0)) {
                unsure.add(id);
            }
        }
    }

    private void group(StreamInfo.Group g, Set<StreamId> notClaimable) {
        List<byte[]> create = new ArrayList<>(List.of(ascii("XGROUP"), ascii("CREATE"), key, g.name(),
                ascii(g.lastDeliveredId().toString())));
        if (target.version().atLeast(7, 0) && g.entriesRead() >= 0) {
            create.add(ascii("ENTRIESREAD"));
            create.add(ascii(Long.toString(g.entriesRead())));
        }
        send(create.toArray(new byte[0][]));
        Set<String> owners = new HashSet<>();
        for (StreamInfo.PendingEntry p : g.pending()) {
            if (p.owned()) {
                owners.add(new String(p.consumer(), StandardCharsets.ISO_8859_1));
            }
        }
        for (StreamInfo.Consumer c : g.consumers()) {
            if (target.version().atLeast(6, 2)) {
                send(args("XGROUP", ascii("CREATECONSUMER"), key, g.name(), c.name()));
            } else if (!owners.contains(new String(c.name(), StandardCharsets.ISO_8859_1))) {
                // No CREATECONSUMER before 6.2: claiming a message creates the consumer, acking it leaves the
                // consumer with nothing pending. The group's pending list is still empty here.
                byte[] id = ascii(present.toString());
                send(args("XCLAIM", key, g.name(), c.name(), ascii("0"), id, ascii("FORCE"), ascii("JUSTID")));
                send(args("XACK", key, g.name(), id));
            }
        }
        claim(g, notClaimable);
    }

    /** XCLAIM per run of pending entries sharing consumer, delivery time and count (one XREADGROUP's batch). */
    private void claim(StreamInfo.Group g, Set<StreamId> notClaimable) {
        List<StreamInfo.PendingEntry> run = new ArrayList<>();
        for (StreamInfo.PendingEntry p : g.pending()) {
            if (!p.owned() || notClaimable.contains(p.id())) {
                // No command makes an entry pending without an owner (a NACKed one, stream v5): warned about.
                continue;
            }
            if (!run.isEmpty() && (run.size() == MAX_IDS_PER_COMMAND || !sameDelivery(run.get(0), p))) {
                sendClaim(g.name(), run);
                run.clear();
            }
            run.add(p);
        }
        if (!run.isEmpty()) {
            sendClaim(g.name(), run);
        }
    }

    private static boolean sameDelivery(StreamInfo.PendingEntry a, StreamInfo.PendingEntry b) {
        return Arrays.equals(a.consumer(), b.consumer()) && a.deliveryTimeMs() == b.deliveryTimeMs()
                && a.deliveryCount() == b.deliveryCount();
    }

    private void sendClaim(byte[] group, List<StreamInfo.PendingEntry> run) {
        StreamInfo.PendingEntry first = run.get(0);
        List<byte[]> argv = new ArrayList<>(List.of(ascii("XCLAIM"), key, group, first.consumer(), ascii("0")));
        for (StreamInfo.PendingEntry p : run) {
            argv.add(ascii(p.id().toString()));
        }
        argv.addAll(List.of(ascii("TIME"), ascii(Long.toString(first.deliveryTimeMs())),
                ascii("RETRYCOUNT"), ascii(Long.toString(first.deliveryCount())), ascii("FORCE"), ascii("JUSTID")));
        send(argv.toArray(new byte[0][]));
    }

    private void removePlaceholders() {
        for (int from = 0; from < placeholdersAfterFirst.size(); from += MAX_IDS_PER_COMMAND) {
            List<StreamId> chunk = placeholdersAfterFirst.subList(from,
                    Math.min(placeholdersAfterFirst.size(), from + MAX_IDS_PER_COMMAND));
            List<byte[]> argv = new ArrayList<>(List.of(ascii("XDEL"), key));
            chunk.forEach(id -> argv.add(ascii(id.toString())));
            send(argv.toArray(new byte[0][]));
        }
        if (!placeholdersBeforeFirst.isEmpty()) {
            // Exact trimming (no "~"): what is left is the live entries, the placeholders were the oldest.
            send(args("XTRIM", key, ascii("MAXLEN"), ascii(Long.toString(liveCount))));
        }
    }

    private void setId(StreamInfo info) {
        List<byte[]> setId = new ArrayList<>(List.of(ascii("XSETID"), key, ascii(info.lastId().toString())));
        if (target.version().atLeast(7, 0)) {
            // A source before 7.0 has no counters: count as 7.0 does when it loads such a stream.
            long entriesAdded = info.entriesAdded() >= 0 ? info.entriesAdded() : liveCount;
            setId.add(ascii("ENTRIESADDED"));
            setId.add(ascii(Long.toString(entriesAdded)));
            if (info.maxDeletedId() != null && info.maxDeletedId().compareTo(StreamId.ZERO) > 0) {
                setId.add(ascii("MAXDELETEDID"));
                setId.add(ascii(info.maxDeletedId().toString()));
            }
        }
        send(setId.toArray(new byte[0][]));
    }

    private void warn(StreamInfo info, Set<StreamId> lost, Set<StreamId> unsure, List<StreamId> unreachable) {
        List<String> parts = new ArrayList<>();
        if (!lost.isEmpty()) {
            parts.add(entries(lost.size()) + " whose message was trimmed or deleted before the stream's first entry "
                    + firstLive + (lost.size() == 1 ? " is" : " are") + " not on the target (" + byGroup(info, lost) + ")");
        }
        if (!unsure.isEmpty()) {
            parts.add(entries(unsure.size()) + " between its first and last entries "
                    + (unsure.size() == 1 ? "is" : "are") + " there only if their message was not deleted ("
                    + byGroup(info, unsure) + ")");
        }
        if (!parts.isEmpty()) {
            parts.add("the stream is larger than --raw-limit, so it was rewritten as it was read, before its pending"
                    + " entries were known; raise --raw-limit above its size to copy them exactly");
        }
        if (!unreachable.isEmpty()) {
            parts.add(entries(unreachable.size()) + " past the stream's last ID " + info.lastId()
                    + " cannot be recreated by any command (" + byGroup(info, new HashSet<>(unreachable)) + ")");
        }
        boolean counters = target.version().atLeast(7, 0) && info.entriesAdded() >= 0;
        if (counters && !placeholdersAfterFirst.isEmpty() && info.maxDeletedId().equals(StreamId.ZERO)) {
            // XDEL of a placeholder raised it; XSETID cannot set it back to 0-0.
            parts.add("its max-deleted-entry-id reads " + placeholdersAfterFirst.get(placeholdersAfterFirst.size() - 1)
                    + " on the target, 0-0 on the source");
        }
        parts.addAll(NewerStreamState.lost(info));
        if (!parts.isEmpty()) {
            warnings.accept("stream " + Command.printable(key) + " rewritten for target " + target.version()
                    + " differs from the source: " + String.join("; ", parts));
        }
    }

    private static String entries(int n) {
        return n + (n == 1 ? " pending entry" : " pending entries");
    }

    /** "group 'g': 1-1, 2-1 and 3 more; group 'h': 5-1" for the pending entries in {@code ids}. */
    private static String byGroup(StreamInfo info, Set<StreamId> ids) {
        Map<String, List<StreamId>> perGroup = new LinkedHashMap<>();
        for (StreamInfo.Group g : info.groups()) {
            for (StreamInfo.PendingEntry p : g.pending()) {
                if (ids.contains(p.id())) {
                    perGroup.computeIfAbsent(Command.printable(g.name()), n -> new ArrayList<>()).add(p.id());
                }
            }
        }
        List<String> out = new ArrayList<>();
        perGroup.forEach((group, list) -> {
            List<String> shown = list.stream().limit(EXAMPLES).map(StreamId::toString).toList();
            out.add("group " + group + ": " + String.join(", ", shown)
                    + (list.size() > EXAMPLES ? " and " + (list.size() - EXAMPLES) + " more" : ""));
        });
        return String.join("; ", out);
    }

    private void placeholder(StreamId id) {
        xadd(id, PLACEHOLDER_FIELDS);
        (firstLive == null ? placeholdersBeforeFirst : placeholdersAfterFirst).add(id);
    }

    private void xadd(StreamId id, byte[][] fieldsAndValues) {
        byte[][] argv = new byte[3 + fieldsAndValues.length][];
        argv[0] = ascii("XADD");
        argv[1] = key;
        argv[2] = ascii(id.toString());
        System.arraycopy(fieldsAndValues, 0, argv, 3, fieldsAndValues.length);
        send(argv);
        if (present == null) {
            present = id;
        }
    }

    private static List<StreamId> pendingIds(StreamInfo info) {
        TreeSet<StreamId> ids = new TreeSet<>();
        for (StreamInfo.Group g : info.groups()) {
            for (StreamInfo.PendingEntry p : g.pending()) {
                if (p.owned()) {
                    ids.add(p.id());
                }
            }
        }
        return List.copyOf(ids);
    }

    private void send(byte[][] argv) {
        sink.write(argv, -1);
    }

    private static byte[][] args(String name, byte[]... rest) {
        byte[][] argv = new byte[1 + rest.length][];
        argv[0] = ascii(name);
        System.arraycopy(rest, 0, argv, 1, rest.length);
        return argv;
    }
}
