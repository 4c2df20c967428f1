package dev.ferry.cluster;

import dev.ferry.FerryException;
import dev.ferry.resp.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Applies to a cluster a write from a standalone source whose keys span several slots, which the cluster would
 * refuse with {@code CROSSSLOT}, so that the data ends as the source's did, and answers what one server would:
 * <ul>
 *   <li>split per slot, one command per slot group: {@code MSET}, {@code MSETNX} (in the stream it set every
 *       key, so as an {@code MSET}), {@code DEL}, {@code UNLINK}, {@code TOUCH};</li>
 *   <li>everything else it knows as the parts of a {@link CrossSlotPlan}, one transaction per slot: a value moved
 *       whole with {@code DUMP}/{@code RESTORE} ({@code RENAME}, {@code RENAMENX}, {@code COPY}), an element moved
 *       ({@code SMOVE}, {@code LMOVE}, {@code BLMOVE}, {@code RPOPLPUSH}), a store command run by the target itself
 *       on temporary copies.</li>
 * </ul>
 * The caller guarantees that every earlier write to the keys involved has been applied: the emulations read
 * the target's values. Cross-slot atomicity is lost: another client of the cluster may see a half-applied
 * command. This is the stand-alone form, without checkpoints (the sync applies plans in its own checkpointed
 * slot transactions). Each split or emulation is counted ({@link #counters()}) and logged once per command name.
 * Blocking, not thread-safe (one thread owns the applier and its client).
 */
public final class CrossSlotApplier {

    private static final Set<String> SPLIT = Set.of("mset", "msetnx", "del", "unlink", "touch");

    private final ClusterClient client;
    private final ClusterReads reads;
    private final CrossSlotCounters counters = new CrossSlotCounters();

    public CrossSlotApplier(ClusterClient client) {
        this.client = client;
        this.reads = new ClusterReads(client);
    }

    /** Whether the applier knows the command named {@code argv[0]} (whatever its keys). */
    public static boolean handles(byte[][] argv) {
        return SPLIT.contains(name(argv)) || CrossSlotPlan.handles(argv);
    }

    public CrossSlotCounters counters() {
        return counters;
    }

    /**
     * Applies {@code argv}; a command whose keys share one slot is sent as it is.
     *
     * @return the reply the command would have had on one server ({@code OK}, the number of keys deleted, the
     *         element moved…), or the target's error reply
     * @throws FerryException a command it cannot apply across slots (a script, {@code COPY … DB},
     *         {@code SORT … BY <pattern>}, an unknown command), or a target refusing a read of an emulation
     */
    public RespValue apply(byte[][] argv) {
        String name = name(argv);
        if (SPLIT.contains(name)) {
            return split(name, argv);
        }
        if (!CrossSlotPlan.handles(argv)) {
            throw new FerryException("the source sent " + name.toUpperCase(Locale.ROOT) + " with keys in several slots of"
                    + " the cluster target, which Ferry cannot apply across slots: keep its keys in one slot with a hash"
                    + " tag ({tag}) on the source, or leave them out of the sync (--exclude-keys)");
        }
        CrossSlotPlan plan = CrossSlotPlan.of(argv);
        if (!plan.acrossSlots()) {
            return client.call(slotKey(plan.slots()[0]), (Object[]) StoreArgs.forCluster(name, argv));
        }
        counters.countEmulated(plan.command());
        boolean renames = name.startsWith("rename");
        if (renames && !reads.exists(argv[1])) {
            return new RespValue.Error("ERR no such key");
        }
        List<CrossSlotPlan.Part> parts = plan.parts(0, reads);
        RespValue result = null;
        for (CrossSlotPlan.Part part : parts) {
            RespValue exec = client.transaction(slotKey(part.slot()), new ArrayList<Object[]>(part.writes()));
            if (!(exec instanceof RespValue.Array array) || array.items() == null) {
                return exec;
            }
            for (int i = 0; i < array.items().size(); i++) {
                if (array.items().get(i) instanceof RespValue.Error && i != part.result()) {
                    return array.items().get(i);
                }
            }
            if (part.result() >= 0) {
                result = array.items().get(part.result());
            }
        }
        if (result != null) {
            return result;
        }
        if (name.equals("rename")) {
            return new RespValue.SimpleString("OK");
        }
        // LMOVE from an empty list: nil; RENAMENX, COPY, SMOVE that changed nothing: 0.
        return name.equals("lmove") || name.equals("blmove") || name.equals("rpoplpush") ? new RespValue.Bulk(null)
                : new RespValue.Integer(parts.isEmpty() ? 0 : 1);
    }

    private RespValue split(String name, byte[][] argv) {
        boolean pairs = name.startsWith("mset");
        if (argv.length < 2 || (pairs && argv.length % 2 == 0)) {
            throw new FerryException("malformed " + name.toUpperCase(Locale.ROOT) + " in the stream (" + argv.length
                    + " arguments)");
        }
        byte[] command = name.equals("msetnx") ? "MSET".getBytes(StandardCharsets.US_ASCII) : argv[0];
        List<byte[][]> parts = SlotSplit.bySlot(argv, command, 1, pairs ? 2 : 1);
        if (parts.size() == 1) {
            return client.call(argv[1], (Object[]) argv);
        }
        counters.countSplit(name.toUpperCase(Locale.ROOT));
        long sum = 0;
        for (byte[][] part : parts) {
            RespValue reply = client.call(part[1], (Object[]) part);
            if (reply instanceof RespValue.Error) {
                return reply;
            }
            sum += pairs ? 0 : reply.asLong();
        }
        if (name.equals("mset")) {
            return new RespValue.SimpleString("OK");
        }
        return new RespValue.Integer(name.equals("msetnx") ? 1 : sum);
    }

    /** A key of {@code slot} to route a transaction of that slot by. */
    private static byte[] slotKey(int slot) {
        return ("{" + new String(SlotTags.tagOf(slot), StandardCharsets.US_ASCII) + "}").getBytes(StandardCharsets.US_ASCII);
    }

    private static String name(byte[][] argv) {
        return new String(argv[0], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }
}
