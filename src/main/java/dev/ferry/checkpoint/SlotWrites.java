package dev.ferry.checkpoint;

import dev.ferry.FerryException;
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
 * over several slots (each key acts alone, except that a split {@code MSETNX} is decided per slot); any other
 * command over several slots stops the sync (its emulation across slots is later work). Where the keys are
 * comes from the source's {@code COMMAND} table ({@link dev.ferry.pipeline.CommandKeys}). Stateless.
 */
public final class SlotWrites {

    /** One slot's share of a write. */
    public record Part(int slot, byte[][] argv) {
    }

    private final Function<byte[][], int[]> keyIndexes;

    /** @param keyIndexes the indexes of a command's keys (as {@code CommandKeys::keyIndexes}) */
    public SlotWrites(Function<byte[][], int[]> keyIndexes) {
        this.keyIndexes = keyIndexes;
    }

    /**
     * The parts of {@code argv}, in the order a slot must apply them.
     *
     * @throws FerryException the command names no key, or keys in several slots and cannot be split
     */
    public List<Part> route(byte[][] argv) {
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
            return List.of(new Part(slot, argv));
        }
        String name = new String(argv[0], StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
        int step = switch (name) {
            case "MSET", "MSETNX" -> 2;
            case "DEL", "UNLINK", "TOUCH" -> 1;
            default -> throw new FerryException("the source sent " + Command.describe(argv) + ", whose keys are in"
                    + " several slots of the target cluster: Ferry splits only MSET, MSETNX, DEL, UNLINK and TOUCH per"
                    + " slot, and applying other cross-slot commands is not supported yet. Keep such keys in one slot"
                    + " with a hash tag ({...}), or sync into a standalone target");
        };
        List<Part> parts = new ArrayList<>();
        for (byte[][] part : SlotSplit.bySlot(argv, argv[0], 1, step)) {
            parts.add(new Part(SlotHash.slot(part[1]), part));
        }
        return parts;
    }
}
