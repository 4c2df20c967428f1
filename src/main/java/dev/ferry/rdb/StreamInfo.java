package dev.ferry.rdb;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

/**
 * What a stream holds besides its entries.
 *
 * @param length           number of live entries
 * @param lastId           the last ID ever generated
 * @param firstId          recorded first entry ID (RDB 10+), or null
 * @param maxDeletedId     largest deleted entry ID (RDB 10+), or null
 * @param entriesAdded     entries ever added (RDB 10+), or -1
 * @param groups           consumer groups, in file order
 * @param idmp             idempotent-producer state (stream v4+, RDB 13+), or null
 */
public record StreamInfo(long length, StreamId lastId, StreamId firstId, StreamId maxDeletedId, long entriesAdded,
                         List<Group> groups, StreamIdmp idmp) {

    /** A stream of a type before v4, without idempotent-producer state. */
    public StreamInfo(long length, StreamId lastId, StreamId firstId, StreamId maxDeletedId, long entriesAdded,
                      List<Group> groups) {
        this(length, lastId, firstId, maxDeletedId, entriesAdded, groups, null);
    }

    /**
     * Reads the metadata of a stream value held whole in memory, passing over its entries without decoding
     * them: a first look at the consumer groups, which the RDB stores after the entries.
     *
     * @param type     a stream type ({@link RdbType.Kind#STREAM})
     * @param rawValue the value as {@link RdbEntry#rawValue(int)} gives it
     * @throws RdbFormatException if the bytes are not one whole stream value of that type
     */
    public static StreamInfo read(RdbType type, byte[] rawValue) throws IOException {
        if (type.kind() != RdbType.Kind.STREAM) {
            throw new IllegalArgumentException("type: " + type + " (expected: a stream type)");
        }
        RdbInput in = new RdbInput(new ByteArrayInputStream(rawValue));
        StreamInfo info = StreamDecoder.skip(new RdbReader(in), type);
        if (in.position() != rawValue.length) {
            throw new RdbFormatException("stream value of " + rawValue.length + " bytes ends after "
                    + in.position(), in.position());
        }
        return info;
    }

    /**
     * A consumer group.
     *
     * @param entriesRead the group's read counter (RDB 10+), or -1 when unknown
     * @param pending     the pending entries list, in ID order; NACKed entries included, with no consumer
     * @param nacked      the group's NACKed entries (stream v5, RDB 14+: released with {@code XNACK} for another
     *                    delivery, pending but owned by no consumer), in file order; empty before v5
     */
    public record Group(byte[] name, StreamId lastDeliveredId, long entriesRead, List<PendingEntry> pending,
                        List<Consumer> consumers, List<StreamId> nacked) {

        /** A group of a type before v5, with no NACKed entries. */
        public Group(byte[] name, StreamId lastDeliveredId, long entriesRead, List<PendingEntry> pending,
                     List<Consumer> consumers) {
            this(name, lastDeliveredId, entriesRead, pending, consumers, List.of());
        }
    }

    /**
     * An entry of a group's pending entries list, with the consumer that owns it.
     *
     * @param consumer the owner, or null for an entry no consumer owns (NACKed, stream v5)
     */
    public record PendingEntry(StreamId id, byte[] consumer, long deliveryTimeMs, long deliveryCount) {

        /** Whether a consumer owns the entry. */
        public boolean owned() {
            return consumer != null;
        }
    }

    /**
     * A consumer.
     *
     * @param activeTimeMs last successful interaction (RDB 11+), or -1
     */
    public record Consumer(byte[] name, long seenTimeMs, long activeTimeMs) {
    }
}
