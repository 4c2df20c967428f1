package dev.ferry.cluster;

import dev.ferry.resp.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Runs a store command whose sources live in other slots than its destination ({@code SUNIONSTORE},
 * {@code ZINTERSTORE … WEIGHTS … AGGREGATE}, {@code BITOP}, {@code PFMERGE}, {@code SORT … STORE}…) with the
 * target's own implementation: each source of another slot is copied ({@code DUMP}/{@code RESTORE}) into a
 * temporary key of the destination's slot, named {@code __ferry:tmp:{<slot tag>}:<run>:<n>}; then the command,
 * its sources renamed, and the deletion of the temporaries run in one {@code MULTI} on the destination's node.
 * The result is Redis's own (score aggregation, BITOP lengths, HyperLogLog registers, sort order, an empty
 * result deleting the destination), for any version the target runs.
 *
 * <p>Temporaries carry a 10-minute TTL: if Ferry dies between the copies and the {@code MULTI}, they expire
 * by themselves. A source missing on the target gets a temporary name that is never created, which the
 * command reads as an empty value, as it would the missing key. Blocking, not thread-safe.
 */
final class StoreEmulation {

    static final String TEMPORARY_PREFIX = "__ferry:tmp:";
    static final long TEMPORARY_TTL_MS = 600_000;

    private final ClusterClient client;
    private final ValueCopy copy;
    /** Tells this process's temporaries from another's, should two Ferry processes write to one cluster. */
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private long sequence;

    StoreEmulation(ClusterClient client, ValueCopy copy) {
        this.client = client;
        this.copy = copy;
    }

    /** Applies {@code argv}, whose keys are at {@code args}, and returns the command's own reply. */
    RespValue apply(byte[][] argv, StoreArgs args) {
        byte[] destination = argv[args.destination()];
        int slot = SlotHash.slot(destination);
        byte[][] rewritten = argv.clone();
        Map<Key, byte[]> temporaries = new HashMap<>();
        List<Object> delete = new ArrayList<>(List.of("DEL"));
        try {
            for (int index : args.sources()) {
                byte[] source = argv[index];
                if (SlotHash.slot(source) == slot) {
                    continue;
                }
                byte[] temporary = temporaries.get(new Key(source));
                if (temporary == null) {
                    temporary = temporaryName(slot);
                    temporaries.put(new Key(source), temporary);
                    delete.add(temporary);
                    ValueCopy.Dumped value = copy.dump(source);
                    if (value != null) {
                        copy.restoreTemporary(temporary, value, TEMPORARY_TTL_MS);
                    }
                }
                rewritten[index] = temporary;
            }
            RespValue exec = client.transaction(destination, List.<Object[]>of(rewritten, delete.toArray()));
            if (exec instanceof RespValue.Array array && array.items() != null) {
                return array.items().get(0);
            }
            // Refused as a whole (a malformed command): nothing ran, the temporaries are still there.
            client.call(destination, delete.toArray());
            return exec;
        } catch (RuntimeException e) {
            if (delete.size() > 1) {
                deleteQuietly(destination, delete.toArray(), e);
            }
            throw e;
        }
    }

    private byte[] temporaryName(int slot) {
        String tag = new String(SlotTags.tagOf(slot), StandardCharsets.US_ASCII);
        return (TEMPORARY_PREFIX + "{" + tag + "}:" + run + ":" + (++sequence)).getBytes(StandardCharsets.US_ASCII);
    }

    private void deleteQuietly(byte[] destination, Object[] delete, RuntimeException failure) {
        try {
            client.call(destination, delete);
        } catch (RuntimeException e) {
            // Their TTL removes them anyway; the first failure is the one to report.
            failure.addSuppressed(e);
        }
    }

    /** A key with value equality, to copy a source named twice only once. */
    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
