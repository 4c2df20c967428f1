package dev.ferry.pipeline;

import dev.ferry.FerryException;
import dev.ferry.cluster.SlotHash;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the atomic slot migration of a cluster source (Valkey 9 {@code CLUSTER MIGRATESLOTS}, Redis 8.4
 * {@code CLUSTER MIGRATION IMPORT}) puts into a master's replication stream, and which of it a target holding
 * one copy of the whole cluster must not apply:
 * <ul>
 *   <li>{@code CLUSTER SYNCSLOTS …} (Valkey 9): the steps of an import as the importing master tells its
 *       replicas ({@code ESTABLISH SOURCE <node> NAME <job> SLOTSRANGE <first> <last> …}, {@code ACK},
 *       {@code SNAPSHOT-EOF}, {@code PAUSED}, {@code FAILOVER-GRANTED}, {@code FINISH STATE <state> NAME <job> …}):
 *       replication-internal, never a change of the key space.</li>
 *   <li>Between an {@code ESTABLISH} and its {@code FINISH}, the importing master's writes to the slots being
 *       imported: first the slots' keys rebuilt as commands ({@code SET}, {@code RPUSH}, …), then the writes
 *       clients made meanwhile on the exporting master, forwarded. Both are already in the exporting master's own
 *       stream; applied again, a list would grow twice and a counter count twice.</li>
 *   <li>{@code TRIMSLOTS RANGES <n> <first> <last> …} (Redis 8.4): a node dropping the keys of slots it does not
 *       serve (after exporting them, or after a failed import). The slots' keys live on where they went, or never
 *       were the cluster's: nothing of the key space changes.</li>
 * </ul>
 * The importing master's writes to its other slots in the same window are its own and pass.
 *
 * <p>One per replication link, used on the link's thread only; the window does not survive a restart of the
 * link (see docs/DECISIONS.md).
 */
public final class SlotMigrations {

    /**
     * What a cluster sync, which orders the masters' streams, does at an import's steps: the importing master's stream
     * then carries the slots whole (their copy is applied, not dropped). Called on the link's thread.
     */
    public interface Listener {
        /** An import of {@code slots} begins: may block until it is safe to apply this master's copy of them. */
        void importing(BitSet slots);

        /** An import of {@code slots} ended without success. */
        void failed(BitSet slots);
    }

    /** Set by a cluster sync: the copy passes and the listener hears of the steps; null: the copy is dropped. */
    private Listener keepCopy;

    /** The slots of each import under way on this link, by job name. */
    private final Map<String, BitSet> imports = new HashMap<>();
    /** The union of {@link #imports}. */
    private final BitSet importing = new BitSet(SlotHash.SLOTS);

    /**
     * Whether {@code argv} is a migration's own command or an importing master's copy of imported slots: the
     * caller drops it. Tracks the import windows as a side effect.
     */
    public boolean consumes(byte[][] argv) {
        if (isCommand(argv[0], "CLUSTER")) {
            if (argv.length >= 2 && isCommand(argv[1], "SYNCSLOTS")) {
                step(argv);
                return true;
            }
            return false;
        }
        if (isCommand(argv[0], "TRIMSLOTS")) {
            return true;
        }
        if (keepCopy != null || importing.isEmpty() || argv.length < 2) {
            return false;
        }
        byte[] key = firstKey(argv);
        return key != null && importing.get(SlotHash.slot(key));
    }

    /**
     * Applies an importing master's copy of the slots it imports instead of dropping it, telling {@code listener} when
     * an import begins and when one fails: for a cluster sync, where the exporting master's task stops writing them.
     */
    public void keepCopy(Listener listener) {
        this.keepCopy = listener;
    }

    /** "0-99,200" for messages. */
    public static String describe(BitSet slots) {
        StringBuilder sb = new StringBuilder();
        for (int first = slots.nextSetBit(0); first >= 0; ) {
            int last = slots.nextClearBit(first) - 1;
            sb.append(sb.length() == 0 ? "" : ",").append(first).append(first == last ? "" : "-" + last);
            first = slots.nextSetBit(last + 1);
        }
        return sb.toString();
    }

    private void step(byte[][] argv) {
        if (argv.length < 3) {
            return;
        }
        String step = text(argv[2]).toUpperCase(Locale.ROOT);
        if (step.equals("ESTABLISH")) {
            String job = option(argv, "NAME");
            BitSet slots = ranges(argv);
            imports.put(job == null ? "" : job, slots);
            importing.or(slots);
            if (keepCopy != null) {
                keepCopy.importing(slots);
            }
        } else if (step.equals("FINISH")) {
            String job = option(argv, "NAME");
            BitSet finished = imports.remove(job == null ? "" : job);
            String state = option(argv, "STATE");
            if (keepCopy != null && finished != null && state != null && !state.equalsIgnoreCase("SUCCESS")) {
                keepCopy.failed(finished);
            }
            importing.clear();
            imports.values().forEach(importing::or);
        }
    }

    /** The slots after {@code SLOTSRANGE}: pairs of first and last slot up to the next word that is not a number. */
    private static BitSet ranges(byte[][] argv) {
        BitSet slots = new BitSet(SlotHash.SLOTS);
        for (int i = 3; i < argv.length; i++) {
            if (!isCommand(argv[i], "SLOTSRANGE")) {
                continue;
            }
            for (int j = i + 1; j + 1 < argv.length && isNumber(argv[j]) && isNumber(argv[j + 1]); j += 2) {
                int first = Integer.parseInt(text(argv[j]));
                int last = Integer.parseInt(text(argv[j + 1]));
                if (first < 0 || last >= SlotHash.SLOTS || first > last) {
                    throw new FerryException("the source replicated CLUSTER SYNCSLOTS with slot range " + first + "-" + last
                            + " (expected: 0 <= first <= last < " + SlotHash.SLOTS + ")");
                }
                slots.set(first, last + 1);
            }
        }
        return slots;
    }

    private static String option(byte[][] argv, String name) {
        for (int i = 3; i + 1 < argv.length; i++) {
            if (isCommand(argv[i], name)) {
                return text(argv[i + 1]);
            }
        }
        return null;
    }

    /**
     * The key a write is about (whose slot a write of an import window is in, which key a two-way conflict concerns):
     * the first argument, or the one after a container command's subcommand ({@code XGROUP CREATE key …}); null for a
     * command without one.
     */
    static byte[] firstKey(byte[][] argv) {
        if (isCommand(argv[0], "SELECT") || isCommand(argv[0], "MULTI") || isCommand(argv[0], "EXEC")
                || isCommand(argv[0], "PING") || isCommand(argv[0], "REPLCONF")) {
            return null;
        }
        if (isCommand(argv[0], "XGROUP") || isCommand(argv[0], "OBJECT")) {
            return argv.length > 2 ? argv[2] : null;
        }
        return argv[1];
    }

    private static boolean isNumber(byte[] arg) {
        if (arg.length == 0 || arg.length > 5) {
            return false;
        }
        for (byte b : arg) {
            if (b < '0' || b > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isCommand(byte[] arg, String upper) {
        return ReplicaForms.is(arg, upper);
    }

    private static String text(byte[] arg) {
        return new String(arg, StandardCharsets.UTF_8);
    }
}
