package dev.ferry.checkpoint;

import dev.ferry.FerryException;
import dev.ferry.cluster.CrossSlotPlan;
import dev.ferry.cluster.SlotHash;
import dev.ferry.cluster.SlotSplit;
import dev.ferry.sink.Command;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Splits a stream write into what each slot of a cluster target gets: the whole command when its keys share a
 * slot; one command per slot for {@code MSET}, {@code MSETNX}, {@code DEL}, {@code UNLINK} and {@code TOUCH}
 * over several slots (each key acts alone, except that a split {@code MSETNX} is decided per slot); a
 * {@link CrossSlotPlan} for the commands emulated across slots ({@code RENAME}, {@code LMOVE},
 * {@code SUNIONSTORE}…). Any other command over several slots, a script replicated whole among them, stops the
 * sync. Where the keys are comes from the source's {@code COMMAND} table ({@link dev.ferry.pipeline.CommandKeys}).
 * Stateless.
 */
public final class SlotWrites {

    /** One slot's share of a write. */
    public record Part(int slot, byte[][] argv) {
    }

    /**
     * Where a write goes: its parts, one per slot (several when it was split), or, for a command emulated across
     * slots, no parts and its plan.
     */
    public record Route(List<Part> parts, CrossSlotPlan plan) {

        /** Whether the write was split into one command per slot. */
        public boolean split() {
            return parts.size() > 1;
        }
    }

    private final Function<byte[][], int[]> keyIndexes;

    /** @param keyIndexes the indexes of a command's keys (as {@code CommandKeys::keyIndexes}) */
    public SlotWrites(Function<byte[][], int[]> keyIndexes) {
        this.keyIndexes = keyIndexes;
    }

    /**
     * The route of {@code argv}; parts come in the order a slot must apply them.
     *
     * @throws FerryException the command names no key, or keys in several slots and can be neither split nor
     *     emulated
     */
    public Route route(byte[][] argv) {
        int[] keys = keyIndexes.apply(argv);
        if (keys.length == 0) {
            throw new FerryException("the source sent " + Command.describe(argv) + ", which names no key: Ferry cannot"
                    + " tell which master of the target cluster it belongs to, so streaming stops here");
        }
        int slot = SlotHash.slot(argv[keys[0]]);
        boolean oneSlot = true;
        for (int i : keys) {
            oneSlot &= SlotHash.slot(argv[i]) == slot;
        }
        if (oneSlot) {
            return new Route(List.of(new Part(slot, argv)), null);
        }
        String name = new String(argv[0], StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
        int step = switch (name) {
            case "MSET", "MSETNX" -> 2;
            case "DEL", "UNLINK", "TOUCH" -> 1;
            default -> 0;
        };
        if (step == 0) {
            if (CrossSlotPlan.handles(argv)) {
                CrossSlotPlan plan = CrossSlotPlan.of(argv);
                // Its own reading of the arguments has the final say (a SORT's pattern is no key, say).
                return plan.acrossSlots() ? new Route(List.of(), plan) : new Route(List.of(new Part(plan.slots()[0], argv)), null);
            }
            throw notApplicable(name, argv);
        }
        List<Part> parts = new ArrayList<>();
        for (byte[][] part : SlotSplit.bySlot(argv, argv[0], 1, step)) {
            parts.add(new Part(SlotHash.slot(part[1]), part));
        }
        return new Route(parts, null);
    }

    private static FerryException notApplicable(String name, byte[][] argv) {
        String what = switch (name) {
            case "EVAL", "EVALSHA", "FCALL" -> "a script replicated whole (as on a source with lua-replicate-commands"
                    + " no), whose effects Ferry cannot see; a script replicated as its effects (the default since Redis"
                    + " 5) comes as a transaction and is applied per slot";
            default -> "a command Ferry can neither split per slot nor emulate across slots";
        };
        return new FerryException("the source sent " + Command.describe(argv) + ", whose keys are in several slots of"
                + " the target cluster: " + name + " is " + what + ". Streaming stops here; keep such keys in one slot"
                + " with a hash tag ({...}), leave them out of the sync (--exclude-keys), or sync into a standalone target");
    }
}
