package dev.ferry.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a command whose arguments are a run of keys (each followed by {@code step - 1} arguments of its own,
 * as {@code MSET}'s values) into one command per slot, as a cluster wants them. Each group keeps the order of
 * its keys in the original, so a key given twice ends the same (the later {@code MSET} value wins); the groups
 * come in the order their first key appears. Pure and thread-safe.
 */
public final class SlotSplit {

    private SlotSplit() {
    }

    /**
     * @param argv the command, name first
     * @param first the index of the first key
     * @param step 1 when every argument from {@code first} on is a key, 2 for key-value pairs
     * @return one command per slot, each named {@code name}; the command itself (copied) when its keys share a slot
     */
    public static List<byte[][]> bySlot(byte[][] argv, byte[] name, int first, int step) {
        if (step < 1 || first < 1 || (argv.length - first) % step != 0) {
            throw new IllegalArgumentException("argv of " + argv.length + " arguments does not hold keys from " + first
                    + " in steps of " + step);
        }
        Map<Integer, List<byte[]>> groups = new LinkedHashMap<>();
        for (int i = first; i < argv.length; i += step) {
            List<byte[]> group = groups.computeIfAbsent(SlotHash.slot(argv[i]), s -> new ArrayList<>());
            for (int j = 0; j < step; j++) {
                group.add(argv[i + j]);
            }
        }
        List<byte[][]> commands = new ArrayList<>(groups.size());
        for (List<byte[]> group : groups.values()) {
            byte[][] command = new byte[group.size() + first][];
            command[0] = name;
            for (int i = 1; i < first; i++) {
                command[i] = argv[i];
            }
            for (int i = 0; i < group.size(); i++) {
                command[first + i] = group.get(i);
            }
            commands.add(command);
        }
        return commands;
    }
}
