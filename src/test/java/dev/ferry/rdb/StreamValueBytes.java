package dev.ferry.rdb;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Writes stream values of generation 3 to 5 (RDB types 21, 26, 27) as {@code rdbSaveObject} does, from a node
 * section and a {@link StreamInfo}, with {@link RdbBuilder}: for tests that turn a real server's stream into the
 * format of a newer Redis than the harness has. Stateless.
 */
public final class StreamValueBytes {

    private static final StreamIdmp NO_IDMP = new StreamIdmp(100, 100, List.of(), 0, 0);

    private StreamValueBytes() {
    }

    /** The node section (node count, then master ID and listpack per node) at the start of a raw stream value. */
    public static byte[] nodes(byte[] rawValue) throws IOException {
        RdbInput in = new RdbInput(new ByteArrayInputStream(rawValue));
        RdbReader r = new RdbReader(in);
        long nodes = r.readLength();
        for (long n = 0; n < nodes; n++) {
            r.skipString();
            r.skipString();
        }
        return Arrays.copyOf(rawValue, (int) in.position());
    }

    /**
     * A whole value: {@code nodes}, then the metadata and groups of {@code info} (pending entries in list order; in
     * generation 5 those without a consumer form each group's NACK list), then (4+) its IDMP state or the defaults.
     */
    public static byte[] encode(byte[] nodes, StreamInfo info, int generation) {
        RdbBuilder b = RdbBuilder.value().bytes(nodes).length(info.length());
        id(b, info.lastId());
        id(b, info.firstId());
        id(b, info.maxDeletedId());
        b.length(info.entriesAdded()).length(info.groups().size());
        for (StreamInfo.Group g : info.groups()) {
            b.string(g.name());
            id(b, g.lastDeliveredId());
            b.length(g.entriesRead()).length(g.pending().size());
            for (StreamInfo.PendingEntry p : g.pending()) {
                rawId(b, p.id()).le(p.deliveryTimeMs(), 8).length(p.deliveryCount());
            }
            b.length(g.consumers().size());
            for (StreamInfo.Consumer c : g.consumers()) {
                b.string(c.name()).le(c.seenTimeMs(), 8).le(c.activeTimeMs(), 8);
                List<StreamInfo.PendingEntry> owned = g.pending().stream()
                        .filter(p -> p.owned() && Arrays.equals(p.consumer(), c.name())).toList();
                b.length(owned.size());
                owned.forEach(p -> rawId(b, p.id()));
            }
            if (generation >= 5) {
                List<StreamInfo.PendingEntry> nacked = g.pending().stream().filter(p -> !p.owned()).toList();
                b.length(nacked.size());
                nacked.forEach(p -> rawId(b, p.id()));
            }
        }
        if (generation >= 4) {
            StreamIdmp idmp = info.idmp() != null ? info.idmp() : NO_IDMP;
            b.length(idmp.durationSeconds()).length(idmp.maxEntries()).length(idmp.producers().size());
            for (StreamIdmp.Producer p : idmp.producers()) {
                b.string(p.pid()).length(p.entries().size());
                for (StreamIdmp.Entry e : p.entries()) {
                    b.string(e.iid());
                    id(b, e.id());
                }
            }
            b.length(idmp.iidsAdded()).length(idmp.iidsDuplicates());
        }
        return b.body();
    }

    private static void id(RdbBuilder b, StreamId id) {
        b.length(id.ms()).length(id.seq());
    }

    private static RdbBuilder rawId(RdbBuilder b, StreamId id) {
        return b.be(id.ms(), 8).be(id.seq(), 8);
    }
}
