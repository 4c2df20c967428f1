package dev.ferry.rdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stream values, RDB types 15, 19, 21, 26 and 27 ({@code rdbLoadObject} and {@code t_stream.c}): listpack nodes
 * keyed by a master ID, then the metadata, then the consumer groups with their pending entries, then (v4+) the
 * idempotent-producer state. What each version adds is in docs/DECISIONS.md.
 *
 * <p>Entries go to the visitor one by one; the metadata and consumer groups are held in memory.
 */
final class StreamDecoder {

    private static final long FLAG_DELETED = 1;
    private static final long FLAG_SAME_FIELDS = 2;
    private static final int ID_BYTES = 16;

    private StreamDecoder() {
    }

    static void decode(RdbReader r, RdbType type, ValueVisitor visitor) throws IOException {
        visitor.begin(type, -1);
        long nodes = r.readLength();
        for (long n = 0; n < nodes; n++) {
            byte[] master = r.readString();
            if (master.length != ID_BYTES) {
                throw r.fail("stream node key has " + master.length + " bytes, expected " + ID_BYTES);
            }
            decodeNode(new Listpack(r.readString(), r), Packed.signedBE(master, 0, 8), Packed.signedBE(master, 8, 8),
                    visitor);
        }
        visitor.streamEnd(readMetadata(r, type));
        visitor.end();
    }

    /** Walks the value without decoding entries; returns what follows them. */
    static StreamInfo skip(RdbReader r, RdbType type) throws IOException {
        long nodes = r.readLength();
        for (long n = 0; n < nodes; n++) {
            r.skipString();
            r.skipString();
        }
        return readMetadata(r, type);
    }

    /**
     * One node: the master entry {@code count, deleted, n, field_1..field_n, 0}, then entries
     * {@code flags, ms-delta, seq-delta, (values | n, field, value...), lp-count}. IDs are the master ID plus
     * the deltas, wrapping as unsigned 64-bit numbers.
     */
    private static void decodeNode(Listpack lp, long masterMs, long masterSeq, ValueVisitor visitor) throws IOException {
        lp.nextInteger("master entry count");
        lp.nextInteger("master entry deleted count");
        int masterFieldCount = elementCount(lp, lp.nextInteger("master field count"));
        byte[][] masterFields = new byte[masterFieldCount][];
        for (int i = 0; i < masterFieldCount; i++) {
            masterFields[i] = lp.nextBytes("master field");
        }
        if (lp.nextInteger("master entry terminator") != 0) {
            throw lp.failure("master entry does not end with 0");
        }
        while (lp.next()) {
            long flags = lp.isInteger() ? lp.integer() : -1;
            if (flags < 0) {
                throw lp.failure("entry flags are not an integer");
            }
            StreamId id = new StreamId(masterMs + lp.nextInteger("ID ms delta"), masterSeq + lp.nextInteger("ID seq delta"));
            byte[][] fieldsAndValues;
            if ((flags & FLAG_SAME_FIELDS) != 0) {
                fieldsAndValues = new byte[masterFieldCount * 2][];
                for (int i = 0; i < masterFieldCount; i++) {
                    fieldsAndValues[2 * i] = masterFields[i].clone();
                    fieldsAndValues[2 * i + 1] = lp.nextBytes("entry value");
                }
            } else {
                int count = elementCount(lp, lp.nextInteger("entry field count"));
                fieldsAndValues = new byte[count * 2][];
                for (int i = 0; i < count * 2; i++) {
                    fieldsAndValues[i] = lp.nextBytes("entry field or value");
                }
            }
            lp.nextInteger("entry lp-count");
            if ((flags & FLAG_DELETED) == 0) {
                visitor.streamEntry(id, fieldsAndValues);
            }
        }
    }

    /** A count of listpack elements, checked against what the listpack could hold before allocating. */
    private static int elementCount(Listpack lp, long count) {
        // Every element takes at least two bytes (encoding and back-length).
        if (count < 0 || count > lp.byteLength() / 2) {
            throw lp.failure("field count " + count + " is out of range");
        }
        return (int) count;
    }

    /** The stream format generation of a type: 1 (type 15) to 5 (type 27). */
    static int generation(RdbType type) {
        return switch (type) {
            case STREAM_LISTPACKS -> 1;
            case STREAM_LISTPACKS_2 -> 2;
            case STREAM_LISTPACKS_3 -> 3;
            case STREAM_LISTPACKS_4 -> 4;
            case STREAM_LISTPACKS_5 -> 5;
            default -> throw new IllegalArgumentException("not a stream type: " + type);
        };
    }

    private static StreamInfo readMetadata(RdbReader r, RdbType type) throws IOException {
        int generation = generation(type);
        long length = r.readLength();
        StreamId lastId = readId(r);
        StreamId firstId = null;
        StreamId maxDeletedId = null;
        long entriesAdded = -1;
        if (generation >= 2) {
            firstId = readId(r);
            maxDeletedId = readId(r);
            entriesAdded = r.readLength();
        }
        long groupCount = r.readLength();
        List<StreamInfo.Group> groups = new ArrayList<>();
        for (long g = 0; g < groupCount; g++) {
            groups.add(readGroup(r, generation));
        }
        StreamIdmp idmp = generation >= 4 ? readIdmp(r) : null;
        return new StreamInfo(length, lastId, firstId, maxDeletedId, entriesAdded, List.copyOf(groups), idmp);
    }

    private static StreamInfo.Group readGroup(RdbReader r, int generation) throws IOException {
        byte[] name = r.readString();
        StreamId lastDelivered = readId(r);
        // Stored unsigned; 2^64-1 (SCG_INVALID_ENTRIES_READ) means unknown and reads as -1.
        long entriesRead = generation >= 2 ? r.readLength() : -1;
        long pelSize = r.readLength();
        List<StreamId> ids = new ArrayList<>();
        List<long[]> deliveries = new ArrayList<>();
        Map<StreamId, Integer> index = new HashMap<>();
        for (long p = 0; p < pelSize; p++) {
            StreamId id = readRawId(r);
            long deliveryTime = r.readMillis();
            long deliveryCount = r.readLength();
            if (index.putIfAbsent(id, ids.size()) != null) {
                throw r.fail("duplicate pending entry " + id + " in a consumer group");
            }
            ids.add(id);
            deliveries.add(new long[] {deliveryTime, deliveryCount});
        }
        byte[][] owners = new byte[ids.size()][];
        long consumerCount = r.readLength();
        List<StreamInfo.Consumer> consumers = new ArrayList<>();
        for (long c = 0; c < consumerCount; c++) {
            byte[] consumerName = r.readString();
            long seen = r.readMillis();
            long active = generation >= 3 ? r.readMillis() : -1;
            consumers.add(new StreamInfo.Consumer(consumerName, seen, active));
            long owned = r.readLength();
            for (long p = 0; p < owned; p++) {
                owners[pendingIndex(r, index, readRawId(r), "consumer pending entry")] = consumerName;
            }
        }
        List<StreamId> nacked = generation >= 5 ? readNacked(r, index, owners) : List.of();
        List<StreamInfo.PendingEntry> pending = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            pending.add(new StreamInfo.PendingEntry(ids.get(i), owners[i], deliveries.get(i)[0], deliveries.get(i)[1]));
        }
        return new StreamInfo.Group(name, lastDelivered, entriesRead, List.copyOf(pending), List.copyOf(consumers),
                nacked);
    }

    /** Stream v5: after the consumers, the IDs of the group's pending entries that no consumer owns. */
    private static List<StreamId> readNacked(RdbReader r, Map<StreamId, Integer> index, byte[][] owners)
            throws IOException {
        long count = r.readLength();
        List<StreamId> nacked = new ArrayList<>();
        Set<StreamId> seen = new HashSet<>();
        for (long n = 0; n < count; n++) {
            StreamId id = readRawId(r);
            int i = pendingIndex(r, index, id, "NACKed entry");
            if (owners[i] != null) {
                throw r.fail("NACKed entry " + id + " is owned by a consumer");
            }
            if (!seen.add(id)) {
                throw r.fail("duplicate NACKed entry " + id + " in a consumer group");
            }
            nacked.add(id);
        }
        return List.copyOf(nacked);
    }

    private static int pendingIndex(RdbReader r, Map<StreamId, Integer> index, StreamId id, String what) {
        Integer i = index.get(id);
        if (i == null) {
            throw r.fail(what + " " + id + " is not in its group's pending list");
        }
        return i;
    }

    /**
     * Stream v4: duration (s), max IIDs per producer, producers (pid, count, then per IID: IID string and entry ID
     * as two lengths), then the all-time counts of IIDs added and of duplicates.
     */
    private static StreamIdmp readIdmp(RdbReader r) throws IOException {
        long duration = r.readLength();
        long maxEntries = r.readLength();
        long producerCount = r.readLength();
        List<StreamIdmp.Producer> producers = new ArrayList<>();
        Set<String> pids = new HashSet<>();
        for (long p = 0; p < producerCount; p++) {
            byte[] pid = r.readString();
            if (!pids.add(new String(pid, StandardCharsets.ISO_8859_1))) {
                throw r.fail("duplicate idempotent producer in a stream");
            }
            long count = r.readLength();
            List<StreamIdmp.Entry> entries = new ArrayList<>();
            for (long e = 0; e < count; e++) {
                entries.add(new StreamIdmp.Entry(r.readString(), readId(r)));
            }
            producers.add(new StreamIdmp.Producer(pid, List.copyOf(entries)));
        }
        long added = r.readLength();
        long duplicates = r.readLength();
        return new StreamIdmp(duration, maxEntries, List.copyOf(producers), added, duplicates);
    }

    private static StreamId readId(RdbReader r) throws IOException {
        return new StreamId(r.readLength(), r.readLength());
    }

    /** A 128-bit ID as stored in PELs: two big-endian 64-bit numbers. */
    private static StreamId readRawId(RdbReader r) throws IOException {
        return new StreamId(r.readIntBE(8), r.readIntBE(8));
    }
}
