package dev.ferry.rdb;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stream values, RDB types 15, 19 and 21 ({@code rdbLoadObject} and {@code t_stream.c}): listpack nodes
 * keyed by a master ID, then the metadata, then the consumer groups with their pending entries.
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

    private static StreamInfo readMetadata(RdbReader r, RdbType type) throws IOException {
        boolean v2 = type != RdbType.STREAM_LISTPACKS;
        long length = r.readLength();
        StreamId lastId = readId(r);
        StreamId firstId = null;
        StreamId maxDeletedId = null;
        long entriesAdded = -1;
        if (v2) {
            firstId = readId(r);
            maxDeletedId = readId(r);
            entriesAdded = r.readLength();
        }
        long groupCount = r.readLength();
        List<StreamInfo.Group> groups = new ArrayList<>();
        for (long g = 0; g < groupCount; g++) {
            groups.add(readGroup(r, type, v2));
        }
        return new StreamInfo(length, lastId, firstId, maxDeletedId, entriesAdded, List.copyOf(groups));
    }

    private static StreamInfo.Group readGroup(RdbReader r, RdbType type, boolean v2) throws IOException {
        byte[] name = r.readString();
        StreamId lastDelivered = readId(r);
        // Stored unsigned; 2^64-1 (SCG_INVALID_ENTRIES_READ) means unknown and reads as -1.
        long entriesRead = v2 ? r.readLength() : -1;
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
            long active = type == RdbType.STREAM_LISTPACKS_3 ? r.readMillis() : -1;
            consumers.add(new StreamInfo.Consumer(consumerName, seen, active));
            long owned = r.readLength();
            for (long p = 0; p < owned; p++) {
                StreamId id = readRawId(r);
                Integer i = index.get(id);
                if (i == null) {
                    throw r.fail("consumer pending entry " + id + " is not in its group's pending list");
                }
                owners[i] = consumerName;
            }
        }
        List<StreamInfo.PendingEntry> pending = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            pending.add(new StreamInfo.PendingEntry(ids.get(i), owners[i], deliveries.get(i)[0], deliveries.get(i)[1]));
        }
        return new StreamInfo.Group(name, lastDelivered, entriesRead, List.copyOf(pending), List.copyOf(consumers));
    }

    private static StreamId readId(RdbReader r) throws IOException {
        return new StreamId(r.readLength(), r.readLength());
    }

    /** A 128-bit ID as stored in PELs: two big-endian 64-bit numbers. */
    private static StreamId readRawId(RdbReader r) throws IOException {
        return new StreamId(r.readIntBE(8), r.readIntBE(8));
    }
}
