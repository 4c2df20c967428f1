package dev.ferry.sink;

import dev.ferry.FerryException;
import dev.ferry.cluster.SlotHash;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where a command Ferry sends goes on a cluster target: to the master of its keys' slot, to every master
 * (a keyless command that changes every node: {@code FLUSHALL}, {@code SCRIPT LOAD}, {@code FUNCTION LOAD}),
 * nowhere, split per slot ({@code MSET} of keys in several
 * slots, which the snapshot batches), or a transaction boundary. The key positions are those of the commands
 * the pipeline builds (snapshot writes, checkpoint, lease guard), read as Redis' key specs read them. A
 * {@code SELECT} is the writer's own business: it switches the database of the writes that follow, on every
 * master (a Valkey 9 cluster has {@code cluster-databases} of them; a database the cluster lacks is refused by
 * its nodes, and before that by the sync's checks).
 * Stateless and thread-safe.
 *
 * @param slot the slot for {@link Kind#SLOT}, else -1
 */
public record SlotRoute(Kind kind, int slot) {

    /** What to do with a command. */
    public enum Kind { SLOT, BROADCAST, SKIP, SPLIT, MULTI, EXEC, DISCARD, SELECT }

    private static final SlotRoute BROADCAST = new SlotRoute(Kind.BROADCAST, -1);
    private static final SlotRoute SKIP = new SlotRoute(Kind.SKIP, -1);
    private static final SlotRoute SPLIT = new SlotRoute(Kind.SPLIT, -1);

    /**
     * The route of {@code argv}.
     *
     * @throws FerryException the command cannot run on a cluster: keys in several slots (other than an {@code MSET}), or no key where one is needed
     */
    public static SlotRoute of(byte[][] argv) {
        String name = new String(argv[0], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
        switch (name) {
            case "MULTI":
                return new SlotRoute(Kind.MULTI, -1);
            case "EXEC":
                return new SlotRoute(Kind.EXEC, -1);
            case "DISCARD":
                return new SlotRoute(Kind.DISCARD, -1);
            case "FLUSHALL", "FLUSHDB", "SCRIPT", "FUNCTION", "PING":
                return BROADCAST;
            case "SELECT":
                return new SlotRoute(Kind.SELECT, -1);
            default:
                break;
        }
        int slot = -1;
        int step = name.equals("MSET") || name.equals("MSETNX") ? 2 : 1;
        int[] range = keyRange(name, argv);
        for (int i = range[0]; i < range[1]; i += step) {
            int s = SlotHash.slot(argv[i]);
            if (slot >= 0 && s != slot) {
                if (name.equals("MSET")) {
                    return SPLIT;
                }
                throw new FerryException("cannot write " + Command.describe(argv) + " to a Redis Cluster: its keys"
                        + " are in slots " + slot + " and " + s);
            }
            slot = s;
        }
        if (slot < 0) {
            throw new FerryException("cannot route " + Command.describe(argv) + " in a Redis Cluster: it names no key");
        }
        return new SlotRoute(Kind.SLOT, slot);
    }

    /** Where the keys of {@code argv} are: from index {@code [0]} (inclusive) to {@code [1]} (exclusive). */
    private static int[] keyRange(String name, byte[][] argv) {
        return switch (name) {
            case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO" -> {
                int keys = argv.length > 2 ? Integer.parseInt(new String(argv[2], StandardCharsets.US_ASCII)) : 0;
                yield new int[] {3, Math.min(argv.length, 3 + keys)};
            }
            case "XGROUP" -> new int[] {2, Math.min(argv.length, 3)};
            case "WATCH", "DEL", "UNLINK", "EXISTS", "TOUCH", "MSET", "MSETNX" -> new int[] {1, argv.length};
            default -> new int[] {1, Math.min(argv.length, 2)};
        };
    }
}
