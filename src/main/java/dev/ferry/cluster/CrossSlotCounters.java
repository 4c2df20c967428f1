package dev.ferry.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many cross-slot commands were split per slot, how many were emulated, per command name, and how many source
 * transactions spanning slots were applied per slot. The first of each kind and name is logged (once per
 * process). Written by the thread that applies them, read from any thread through {@link #snapshot()}.
 */
public final class CrossSlotCounters {

    private static final Logger log = LoggerFactory.getLogger(CrossSlotCounters.class);

    /** The counts at one moment, by upper-case command name, sorted. Immutable. */
    public record Snapshot(Map<String, Long> split, Map<String, Long> emulated, long transactions) {

        public Snapshot {
            split = Collections.unmodifiableMap(new TreeMap<>(split));
            emulated = Collections.unmodifiableMap(new TreeMap<>(emulated));
        }

        /** Every split and emulated command and every source transaction applied per slot. */
        public long total() {
            return split.values().stream().mapToLong(Long::longValue).sum()
                    + emulated.values().stream().mapToLong(Long::longValue).sum() + transactions;
        }

        /** "split MSET 3, DEL 1; emulated RENAME 2; 4 transactions applied per slot", or "none". */
        public String describe() {
            if (total() == 0) {
                return "none";
            }
            StringBuilder sb = new StringBuilder();
            append(sb, "split", split);
            append(sb, "emulated", emulated);
            if (transactions > 0) {
                sb.append(sb.length() == 0 ? "" : "; ").append(transactions)
                        .append(transactions == 1 ? " transaction" : " transactions").append(" applied per slot");
            }
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
    private final LongAdder transactions = new LongAdder();
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    /** A command over several slots was sent as one command per slot. */
    public void countSplit(String command) {
        split.computeIfAbsent(command, c -> new LongAdder()).increment();
        if (logged.add("split " + command)) {
            log.info("{} with keys in several slots of the cluster target is split into one command per slot"
                    + " (counted; logged once)", command);
        }
    }

    /** A command over several slots was applied by an emulation with the same result. */
    public void countEmulated(String command) {
        emulated.computeIfAbsent(command, c -> new LongAdder()).increment();
        if (logged.add("emulated " + command)) {
            log.info("{} with keys in several slots of the cluster target is emulated with the same result, one slot"
                    + " after the other (counted; logged once)", command);
        }
    }

    /** A source transaction (MULTI/EXEC, or a script's effects) over several slots was applied per slot. */
    public void countTransaction() {
        transactions.increment();
        if (logged.add("transaction")) {
            log.info("a source transaction (MULTI/EXEC or a script's effects) with keys in several slots of the cluster"
                    + " target is applied per slot: each slot's part is atomic, the whole is not (counted; logged once)");
        }
    }

    public Snapshot snapshot() {
        return new Snapshot(sums(split), sums(emulated), transactions.sum());
    }

    private static Map<String, Long> sums(Map<String, LongAdder> counts) {
        Map<String, Long> sums = new TreeMap<>();
        counts.forEach((name, adder) -> sums.put(name, adder.sum()));
        return sums;
    }
}
