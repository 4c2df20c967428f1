package dev.ferry.cluster;

import dev.ferry.FerryException;
import dev.ferry.resp.KeyText;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A write from a standalone source whose keys a cluster spreads over several slots ({@code RENAME},
 * {@code LMOVE}, {@code SUNIONSTORE}…), as single-slot parts with the same result, built from values read on
 * the target once every earlier write is applied there. Each part is one slot's writes, for one transaction.
 *
 * <p>The parts come in an order that makes stopping between two of them safe: a part built from a value read
 * on the target comes before the part that changes the key it was read from. {@code RENAME a b} is
 * {@code RESTORE b …} (the value of {@code a}) in b's slot, then {@code DEL a} in a's slot; {@code LMOVE a b}
 * pushes a's end element onto b, then pops it from a; {@code SMOVE} adds, then removes. So when the first
 * parts are applied and the rest are not, {@link #parts(int, Reads)} builds the rest without reading anything:
 * no value a part already consumed is ever needed again. A store command is one part in its destination's
 * slot: its sources of other slots are restored there under temporary names, the command runs on them, and the
 * temporaries are deleted, all in that part ({@code __ferry:tmp:{<slot tag>}:<n>}), so the target's own code
 * computes the result and no temporary outlives the transaction.
 *
 * <p>In the stream a command arrives only when it changed something on the source, but the parts follow what the
 * target holds, as a single server would: a {@code RENAMENX} onto an existing key, an {@code SMOVE} of a member
 * the set lacks, an {@code LMOVE} from an empty list have no parts. Immutable; {@link #parts} blocks on the reads.
 */
public final class CrossSlotPlan {

    /** What the parts are built from: the target's values as they are now. Blocking. */
    public interface Reads {

        /**
         * A {@code RESTORE} of {@code from}'s value under {@code to}, with {@code REPLACE} when {@code replace},
         * with {@code from}'s expiry when {@code keepExpiry} (none otherwise); null when {@code from} does not exist.
         */
        byte[][] copyOf(byte[] from, byte[] to, boolean replace, boolean keepExpiry);

        /** The first ({@code left}) or last element of the list {@code key}; null when there is none. */
        byte[] end(byte[] key, boolean left);

        /** Whether the set {@code key} holds {@code member}. */
        boolean has(byte[] key, byte[] member);

        boolean exists(byte[] key);
    }

    /**
     * One slot's writes, applied together.
     *
     * @param result the index of the write whose reply is the command's own ({@code LMOVE}'s pop, a store
     *     command), or -1
     */
    public record Part(int slot, List<byte[][]> writes, int result) {
    }

    static final String TEMPORARY_PREFIX = "__ferry:tmp:";

    /** The commands moving a value or an element, with their least number of arguments (name included). */
    private static final Map<String, Integer> MOVES = Map.of("rename", 3, "renamenx", 3, "copy", 3, "smove", 4,
            "lmove", 5, "blmove", 6, "rpoplpush", 3);

    @FunctionalInterface
    private interface Builder {
        List<Part> parts(int first, Reads reads);
    }

    private final String command;
    private final int[] slots;
    private final boolean acrossSlots;
    private final Builder builder;

    private CrossSlotPlan(String command, int[] slots, boolean acrossSlots, Builder builder) {
        this.command = command;
        this.slots = slots;
        this.acrossSlots = acrossSlots;
        this.builder = builder;
    }

    /** Whether the command named {@code argv[0]} can be planned (whatever its keys). */
    public static boolean handles(byte[][] argv) {
        String name = name(argv);
        return MOVES.containsKey(name) || StoreArgs.COMMANDS.contains(name);
    }

    /**
     * The plan of {@code argv}, a command {@link #handles} knows.
     *
     * @throws FerryException a form that cannot be applied across slots ({@code COPY … DB n},
     *     {@code SORT … BY <pattern>}), or a malformed command
     */
    public static CrossSlotPlan of(byte[][] argv) {
        String name = name(argv);
        Integer least = MOVES.get(name);
        if (least != null) {
            if (argv.length < least) {
                throw new FerryException("malformed " + name.toUpperCase(Locale.ROOT) + " in the stream (" + argv.length
                        + " arguments)");
            }
            return move(name, argv);
        }
        if (StoreArgs.COMMANDS.contains(name)) {
            return store(name, StoreArgs.forCluster(name, argv));
        }
        throw new IllegalArgumentException("not a command to plan across slots: " + name);
    }

    /** The command's name, upper case, as counted. */
    public String command() {
        return command;
    }

    /** The slots of the parts, in the order they are applied. */
    public int[] slots() {
        return slots.clone();
    }

    /** Whether the command's keys are in several slots (if not, the command itself does on one node). */
    public boolean acrossSlots() {
        return acrossSlots;
    }

    /**
     * The parts from the one of slot {@code slots()[first]} on, built from what {@code reads} says; parts
     * before {@code first} are taken as applied, and nothing they changed is read.
     *
     * @return the parts, maybe fewer than the slots (none when the target's values make the command change nothing)
     * @throws FerryException a {@code RENAME} whose source key the target does not hold (a single server refuses it too)
     */
    public List<Part> parts(int first, Reads reads) {
        if (first < 0 || first > slots.length) {
            throw new IllegalArgumentException("first: " + first + " (expected: 0.." + slots.length + ")");
        }
        return first == slots.length ? List.of() : builder.parts(first, reads);
    }

    private static CrossSlotPlan move(String name, byte[][] argv) {
        byte[] source = argv[1];
        byte[] destination = argv[2];
        int from = SlotHash.slot(source);
        int to = SlotHash.slot(destination);
        boolean across = from != to;
        String command = name.toUpperCase(Locale.ROOT);
        int[] both = {to, from};
        return switch (name) {
            case "rename", "renamenx" -> new CrossSlotPlan(command, both, across,
                    (first, reads) -> rename(name.equals("renamenx"), source, destination, first, reads));
            case "copy" -> {
                boolean replace = copyReplaces(argv);
                yield new CrossSlotPlan(command, new int[] {to}, across, (first, reads) -> {
                    byte[][] restore = replace || !reads.exists(destination)
                            ? reads.copyOf(source, destination, replace, true) : null;
                    return restore == null ? List.of() : List.of(new Part(to, one(restore), -1));
                });
            }
            case "smove" -> new CrossSlotPlan(command, both, across, (first, reads) -> destinationFirst(first,
                    () -> reads.has(source, argv[3]) ? new Part(to, one(args("SADD", destination, argv[3])), -1) : null,
                    new Part(from, one(args("SREM", source, argv[3])), -1)));
            default -> {
                // LMOVE source destination LEFT|RIGHT LEFT|RIGHT (BLMOVE: and a timeout); RPOPLPUSH: RIGHT LEFT.
                boolean fromLeft = !name.equals("rpoplpush") && side(argv[3]);
                boolean toLeft = name.equals("rpoplpush") || side(argv[4]);
                yield new CrossSlotPlan(command, both, across, (first, reads) -> destinationFirst(first, () -> {
                    byte[] element = reads.end(source, fromLeft);
                    return element == null ? null
                            : new Part(to, one(args(toLeft ? "LPUSH" : "RPUSH", destination, element)), -1);
                }, new Part(from, one(args(fromLeft ? "LPOP" : "RPOP", source)), 0)));
            }
        };
    }

    /** RENAME, RENAMENX: the value restored in the destination's slot (expiry kept), then the source deleted. */
    private static List<Part> rename(boolean nx, byte[] source, byte[] destination, int first, Reads reads) {
        return destinationFirst(first, () -> {
            if (nx && reads.exists(destination)) {
                return null;
            }
            byte[][] restore = reads.copyOf(source, destination, !nx, true);
            if (restore == null) {
                throw new FerryException("the source renamed " + KeyText.quoted(source) + " to "
                        + KeyText.quoted(destination) + ", but the target cluster holds no key " + KeyText.quoted(source)
                        + ": the target differs from the source here (a single server would refuse this RENAME too);"
                        + " compare both sides with ferry verify, and copy again if they differ");
            }
            return new Part(SlotHash.slot(destination), one(restore), -1);
        }, new Part(SlotHash.slot(source), one(args("DEL", source)), -1));
    }

    /** The destination's part, built from reads (null: the command changes nothing), then the source's, which reads nothing. */
    private static List<Part> destinationFirst(int first, java.util.function.Supplier<Part> destination, Part source) {
        if (first > 0) {
            return List.of(source);
        }
        Part built = destination.get();
        return built == null ? List.of() : List.of(built, source);
    }

    /** A store command: sources of other slots restored under temporary names in the destination's slot. */
    private static CrossSlotPlan store(String name, byte[][] argv) {
        StoreArgs args = StoreArgs.of(name, argv);
        byte[] destination = argv[args.destination()];
        int slot = SlotHash.slot(destination);
        boolean across = false;
        for (int index : args.sources()) {
            across |= SlotHash.slot(argv[index]) != slot;
        }
        return new CrossSlotPlan(name.toUpperCase(Locale.ROOT), new int[] {slot}, across, (first, reads) -> {
            byte[][] rewritten = argv.clone();
            Map<String, byte[]> temporaries = new LinkedHashMap<>();
            List<byte[][]> writes = new ArrayList<>();
            for (int index : args.sources()) {
                byte[] source = argv[index];
                if (SlotHash.slot(source) == slot) {
                    continue;
                }
                String id = new String(source, StandardCharsets.ISO_8859_1);
                byte[] temporary = temporaries.get(id);
                if (temporary == null) {
                    temporary = temporaryName(slot, temporaries.size() + 1);
                    temporaries.put(id, temporary);
                    // A source the target lacks gets a name never created: read as empty, as the missing key would be.
                    byte[][] restore = reads.copyOf(source, temporary, true, false);
                    if (restore != null) {
                        writes.add(restore);
                    }
                }
                rewritten[index] = temporary;
            }
            writes.add(rewritten);
            int result = writes.size() - 1;
            if (!temporaries.isEmpty()) {
                List<byte[]> delete = new ArrayList<>(List.of("DEL".getBytes(StandardCharsets.US_ASCII)));
                delete.addAll(temporaries.values());
                writes.add(delete.toArray(new byte[0][]));
            }
            return List.of(new Part(slot, writes, result));
        });
    }

    /** {@code COPY source destination [DB 0] [REPLACE]}: whether it replaces; another database is refused. */
    private static boolean copyReplaces(byte[][] argv) {
        boolean replace = false;
        for (int i = 3; i < argv.length; i++) {
            String option = text(argv[i]);
            if (option.equals("REPLACE")) {
                replace = true;
            } else if (option.equals("DB") && i + 1 < argv.length && text(argv[i + 1]).equals("0")) {
                i++;
            } else {
                throw new FerryException("cannot apply COPY … " + option + " to a cluster target: a cluster has one"
                        + " database; map the databases with --db-map or leave such keys out of the sync");
            }
        }
        return replace;
    }

    private static boolean side(byte[] arg) {
        String side = text(arg);
        if (!side.equals("LEFT") && !side.equals("RIGHT")) {
            throw new FerryException("malformed list move in the stream: " + side + " is neither LEFT nor RIGHT");
        }
        return side.equals("LEFT");
    }

    private static byte[] temporaryName(int slot, int n) {
        String tag = new String(SlotTags.tagOf(slot), StandardCharsets.US_ASCII);
        return (TEMPORARY_PREFIX + "{" + tag + "}:" + n).getBytes(StandardCharsets.US_ASCII);
    }

    private static List<byte[][]> one(byte[][] write) {
        return java.util.Collections.singletonList(write);
    }

    private static byte[][] args(String command, byte[]... rest) {
        byte[][] argv = new byte[rest.length + 1][];
        argv[0] = command.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(rest, 0, argv, 1, rest.length);
        return argv;
    }

    private static String name(byte[][] argv) {
        return new String(argv[0], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }

    private static String text(byte[] arg) {
        return new String(arg, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return command + " over slots " + Arrays.toString(slots);
    }
}
