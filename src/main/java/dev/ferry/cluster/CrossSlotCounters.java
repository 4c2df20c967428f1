package dev.ferry.cluster;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many cross-slot commands were split per slot and how many were emulated, per command name. Written by
 * the thread that applies them, read from any thread through {@link #snapshot()}.
 */
public final class CrossSlotCounters {

    /** The counts at one moment, by upper-case command name, sorted. Immutable. */
    public record Snapshot(Map<String, Long> split, Map<String, Long> emulated) {

        public Snapshot {
            split = Collections.unmodifiableMap(new TreeMap<>(split));
            emulated = Collections.unmodifiableMap(new TreeMap<>(emulated));
        }

        /** Every split and emulated command. */
        public long total() {
            return split.values().stream().mapToLong(Long::longValue).sum()
                    + emulated.values().stream().mapToLong(Long::longValue).sum();
        }

        /** "split MSET 3, DEL 1; emulated RENAME 2", or "none". */
        public String describe() {
            if (total() == 0) {
                return "none";
            }
            StringBuilder sb = new StringBuilder();
            append(sb, "split", split);
            append(sb, "emulated", emulated);
            return sb.toString();
        }

        private static void append(StringBuilder sb, String what, Map<String, Long> counts) {
            if (counts.isEmpty()) {
                return;
            }
            sb.append(sb.length() == 0 ? "" : "; ").append(what).append(' ');
            String separator = "";
            for (Map.Entry<String, Long> e : counts.entrySet()) {
                sb.append(separator).append(e.getKey()).append(' ').append(e.getValue());
                separator = ", ";
            }
        }
    }

    private final Map<String, LongAdder> split = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> emulated = new ConcurrentHashMap<>();

    void countSplit(String command) {
        split.computeIfAbsent(command, c -> new LongAdder()).increment();
    }

    void countEmulated(String command) {
        emulated.computeIfAbsent(command, c -> new LongAdder()).increment();
    }

    public Snapshot snapshot() {
        return new Snapshot(sums(split), sums(emulated));
    }

    private static Map<String, Long> sums(Map<String, LongAdder> counts) {
        Map<String, Long> sums = new TreeMap<>();
        counts.forEach((name, adder) -> sums.put(name, adder.sum()));
        return sums;
    }
}
