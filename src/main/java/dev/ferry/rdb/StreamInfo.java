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
 */
public record StreamInfo(long length, StreamId lastId, StreamId firstId, StreamId maxDeletedId, long entriesAdded,
                         List<Group> groups) {

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
     */
    public record Group(byte[] name, StreamId lastDeliveredId, long entriesRead, List<PendingEntry> pending,
                        List<Consumer> consumers) {
    }

    /** An entry of a group's pending entries list, with the consumer that owns it. */
    public record PendingEntry(StreamId id, byte[] consumer, long deliveryTimeMs, long deliveryCount) {
    }

    /**
     * A consumer.
     *
     * @param activeTimeMs last successful interaction (RDB 11+), or -1
     */
    public record Consumer(byte[] name, long seenTimeMs, long activeTimeMs) {
    }
}
