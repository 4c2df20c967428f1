package dev.ferry.cluster;

import dev.ferry.FerryException;
import dev.ferry.resp.RespValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Applies to a cluster a write from a standalone source whose keys span several slots, which the cluster would
 * refuse with {@code CROSSSLOT}, so that the data ends as the source's did:
 * <ul>
 *   <li>split per slot, one command per slot group: {@code MSET}, {@code MSETNX} (in the stream it set every
 *       key, so as an {@code MSET}), {@code DEL}, {@code UNLINK}, {@code TOUCH};</li>
 *   <li>a value moved whole with {@code DUMP}/{@code RESTORE}, expiry kept: {@code RENAME}, {@code RENAMENX}
 *       (restored without {@code REPLACE}, so an existing destination is left alone, as Redis would),
 *       {@code COPY} (no {@code DB} option);</li>
 *   <li>an element moved, popped or removed on the source key's node and pushed or added on the destination's:
 *       {@code SMOVE}, {@code LMOVE}, {@code BLMOVE}, {@code RPOPLPUSH};</li>
 *   <li>store commands, run by the target itself on temporary copies ({@link StoreEmulation}).</li>
 * </ul>
 * The caller guarantees that every earlier write to the keys involved has been applied: the emulations read
 * the target's values. Cross-slot atomicity is lost: another client of the cluster may see a half-applied
 * command. Each split or emulation is counted ({@link #counters()}) and logged once per command name.
 * Blocking, not thread-safe (one thread owns the applier and its client).
 */
public final class CrossSlotApplier {

    private static final Logger log = LoggerFactory.getLogger(CrossSlotApplier.class);

    private static final Set<String> SPLIT = Set.of("mset", "msetnx", "del", "unlink", "touch");
    /** The commands that move a value or an element, with their least number of arguments (name included). */
    private static final Map<String, Integer> MOVES = Map.of("rename", 3, "renamenx", 3, "copy", 3, "smove", 4,
            "lmove", 5, "blmove", 6, "rpoplpush", 3);

    private final ClusterClient client;
    private final ValueCopy copy;
    private final StoreEmulation store;
    private final CrossSlotCounters counters = new CrossSlotCounters();
    private final Set<String> logged = new HashSet<>();

    public CrossSlotApplier(ClusterClient client) {
        this.client = client;
        this.copy = new ValueCopy(client);
        this.store = new StoreEmulation(client, copy);
    }

    /** Whether the applier knows the command named {@code argv[0]} (whatever its keys). */
    public static boolean handles(byte[][] argv) {
        String name = name(argv);
        return SPLIT.contains(name) || MOVES.containsKey(name) || StoreArgs.COMMANDS.contains(name);
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
     *         {@code SORT … BY <pattern>}, an unknown command), or a target refusing a step of an emulation
     */
    public RespValue apply(byte[][] argv) {
        String name = name(argv);
        if (SPLIT.contains(name)) {
            return split(name, argv);
        }
        if (MOVES.containsKey(name)) {
            return move(name, argv);
        }
        if (StoreArgs.COMMANDS.contains(name)) {
            argv = StoreArgs.forCluster(name, argv);
            StoreArgs args = StoreArgs.of(name, argv);
            if (sameSlot(argv, args.destination(), args.sources())) {
                return client.call(argv[args.destination()], (Object[]) argv);
            }
            counted(name, false);
            return store.apply(argv, args);
        }
        throw new FerryException("the source sent " + name.toUpperCase(Locale.ROOT) + " with keys in several slots of"
                + " the cluster target, which Ferry cannot apply across slots: keep its keys in one slot with a hash tag"
                + " ({tag}) on the source, or leave them out of the sync (--exclude-keys)");
    }

    private RespValue split(String name, byte[][] argv) {
        boolean pairs = name.startsWith("mset");
        if (argv.length < 2 || (pairs && argv.length % 2 == 0)) {
            throw malformed(name, argv);
        }
        byte[] command = name.equals("msetnx") ? "MSET".getBytes(StandardCharsets.US_ASCII) : argv[0];
        List<byte[][]> parts = SlotSplit.bySlot(argv, command, 1, pairs ? 2 : 1);
        if (parts.size() == 1) {
            return client.call(argv[1], (Object[]) argv);
        }
        counted(name, true);
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

    private RespValue move(String name, byte[][] argv) {
        if (argv.length < MOVES.get(name)) {
            throw malformed(name, argv);
        }
        byte[] source = argv[1];
        byte[] destination = argv[2];
        if (SlotHash.slot(source) == SlotHash.slot(destination)) {
            return client.call(source, (Object[]) argv);
        }
        counted(name, false);
        return switch (name) {
            case "rename" -> moveValue(source, destination, true, new RespValue.SimpleString("OK"));
            case "renamenx" -> moveValue(source, destination, false, new RespValue.Integer(1));
            case "copy" -> copyValue(argv);
            case "smove" -> smove(source, destination, argv[3]);
            case "rpoplpush" -> moveElement(source, destination, "RIGHT", "LEFT");
            default -> moveElement(source, destination, text(argv[3]), text(argv[4]));
        };
    }

    /** RENAME, RENAMENX: Redis answers "no such key" for a missing source; RENAMENX onto an existing key is 0. */
    private RespValue moveValue(byte[] source, byte[] destination, boolean replace, RespValue done) {
        ValueCopy.Dumped value = copy.dump(source);
        if (value == null) {
            return new RespValue.Error("ERR no such key");
        }
        RespValue restored = copy.restore(destination, value, replace);
        if (restored instanceof RespValue.Error e) {
            return e.code().equals("BUSYKEY") ? new RespValue.Integer(0) : e;
        }
        RespValue deleted = client.call(source, "DEL", source);
        return deleted.isError() ? deleted : done;
    }

    /** COPY source destination [REPLACE]: 1 when copied, 0 when the source is missing or the destination exists. */
    private RespValue copyValue(byte[][] argv) {
        boolean replace = false;
        for (int i = 3; i < argv.length; i++) {
            String option = text(argv[i]);
            if (option.equals("REPLACE")) {
                replace = true;
            } else {
                throw new FerryException("cannot apply COPY … " + option + " to a cluster target: a cluster has one"
                        + " database; map the databases with --db-map or leave such keys out of the sync");
            }
        }
        ValueCopy.Dumped value = copy.dump(argv[1]);
        if (value == null) {
            return new RespValue.Integer(0);
        }
        RespValue restored = copy.restore(argv[2], value, replace);
        if (restored instanceof RespValue.Error e) {
            return e.code().equals("BUSYKEY") ? new RespValue.Integer(0) : e;
        }
        return new RespValue.Integer(1);
    }

    private RespValue smove(byte[] source, byte[] destination, byte[] member) {
        RespValue removed = client.call(source, "SREM", source, member);
        if (removed.isError() || removed.asLong() == 0) {
            return removed;
        }
        RespValue added = client.call(destination, "SADD", destination, member);
        return added.isError() ? added : new RespValue.Integer(1);
    }

    /** LMOVE source destination LEFT|RIGHT LEFT|RIGHT: the popped element, or nil when the source is empty. */
    private RespValue moveElement(byte[] source, byte[] destination, String from, String to) {
        RespValue popped = client.call(source, from.equals("LEFT") ? "LPOP" : "RPOP", source);
        if (!(popped instanceof RespValue.Bulk bulk) || bulk.bytes() == null) {
            return popped;
        }
        RespValue pushed = client.call(destination, to.equals("LEFT") ? "LPUSH" : "RPUSH", destination, bulk.bytes());
        return pushed.isError() ? pushed : popped;
    }

    private static boolean sameSlot(byte[][] argv, int first, int[] others) {
        int slot = SlotHash.slot(argv[first]);
        for (int index : others) {
            if (SlotHash.slot(argv[index]) != slot) {
                return false;
            }
        }
        return true;
    }

    private void counted(String name, boolean split) {
        String command = name.toUpperCase(Locale.ROOT);
        if (split) {
            counters.countSplit(command);
        } else {
            counters.countEmulated(command);
        }
        if (logged.add(command)) {
            log.info("{} with keys in several slots of the cluster target is {} (counted; logged once per command)",
                    command, split ? "split into one command per slot" : "emulated with the same result");
        }
    }

    private static FerryException malformed(String name, byte[][] argv) {
        return new FerryException("malformed " + name.toUpperCase(Locale.ROOT) + " in the stream (" + argv.length + " arguments)");
    }

    private static String name(byte[][] argv) {
        return new String(argv[0], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }

    private static String text(byte[] arg) {
        return new String(arg, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
    }
}
