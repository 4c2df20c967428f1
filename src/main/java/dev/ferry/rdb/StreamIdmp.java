package dev.ferry.rdb;

import java.util.List;

/**
 * A stream's idempotent-producer state ("IDMP", stream v4 of Redis 8.6, RDB 13+): for each producer, the
 * idempotency IDs (IIDs) it recently added and the entry each one produced, so that a retried {@code XADD} with
 * the same IID adds nothing. Stored after the consumer groups. Immutable.
 *
 * @param durationSeconds how long an IID is remembered ({@code IDMP-DURATION} of {@code XCFGSET})
 * @param maxEntries      how many IIDs a producer keeps at most ({@code IDMP-MAXSIZE})
 * @param producers       in file order (the server's: producer ID order)
 * @param iidsAdded       entries ever added with an IID
 * @param iidsDuplicates  duplicate IIDs ever detected
 */
public record StreamIdmp(long durationSeconds, long maxEntries, List<Producer> producers, long iidsAdded,
                         long iidsDuplicates) {

    /** Whether producers used idempotence on this stream: tracked IIDs, or counters above zero. */
    public boolean used() {
        return !producers.isEmpty() || iidsAdded != 0 || iidsDuplicates != 0;
    }

    /** IIDs tracked over all producers. */
    public long trackedIids() {
        return producers.stream().mapToLong(p -> p.entries().size()).sum();
    }

    /** One producer ({@code pid}) and its IIDs, oldest first. */
    public record Producer(byte[] pid, List<Entry> entries) {
    }

    /** An IID and the ID of the entry it added. */
    public record Entry(byte[] iid, StreamId id) {
    }
}
