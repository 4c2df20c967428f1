package dev.ferry.pipeline;

import dev.ferry.rdb.StreamId;
import dev.ferry.rdb.StreamIdmp;
import dev.ferry.rdb.StreamInfo;
import dev.ferry.sink.Command;

import java.util.ArrayList;
import java.util.List;

/**
 * What a stream of Redis 8.6+ holds that no command of an older server recreates, named for the per-key warning of
 * {@link StreamRebuild}: the idempotent-producer state (stream v4: producers, their IIDs, counters; {@code XADD
 * ... IDMP} and {@code XCFGSET} exist only from 8.6) and NACKed pending entries (stream v5: pending, owned by no
 * consumer; before 8.8 every pending entry has an owner, so they are left out of the group's pending list).
 * Stateless.
 */
final class NewerStreamState {

    private static final int EXAMPLES = 3;

    private NewerStreamState() {
    }

    /** One phrase per kind of state the rewrite leaves out; empty when the stream has none. */
    static List<String> lost(StreamInfo info) {
        List<String> parts = new ArrayList<>();
        StreamIdmp idmp = info.idmp();
        if (idmp != null && idmp.used()) {
            parts.add("its idempotent-producer state (IDMP: " + idmp.producers().size() + " producer(s), "
                    + idmp.trackedIids() + " tracked IID(s), iids-added " + idmp.iidsAdded() + ", iids-duplicates "
                    + idmp.iidsDuplicates() + ", duration " + idmp.durationSeconds() + " s, maxsize "
                    + idmp.maxEntries() + ") is not on the target, which has no such state: an XADD retried with an"
                    + " IID seen before the copy is not recognised as a duplicate");
        }
        List<String> nacked = new ArrayList<>();
        int count = 0;
        for (StreamInfo.Group g : info.groups()) {
            List<StreamId> ids = new ArrayList<>();
            for (StreamInfo.PendingEntry p : g.pending()) {
                if (!p.owned()) {
                    ids.add(p.id());
                }
            }
            if (!ids.isEmpty()) {
                count += ids.size();
                nacked.add("group " + Command.printable(g.name()) + ": " + examples(ids));
            }
        }
        if (count > 0) {
            parts.add(count + (count == 1 ? " NACKed pending entry" : " NACKed pending entries")
                    + " (owned by no consumer, waiting for another delivery) " + (count == 1 ? "is" : "are")
                    + " not pending on the target, which has no pending entries without a consumer ("
                    + String.join("; ", nacked) + ")");
        }
        return parts;
    }

    private static String examples(List<StreamId> ids) {
        List<String> shown = ids.stream().limit(EXAMPLES).map(StreamId::toString).toList();
        return String.join(", ", shown) + (ids.size() > EXAMPLES ? " and " + (ids.size() - EXAMPLES) + " more" : "");
    }
}
