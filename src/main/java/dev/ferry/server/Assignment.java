package dev.ferry.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which worker of a group runs which task: rendezvous hashing with bounded loads. Each task ranks the workers by a
 * hash of (task, worker) and goes to the first of its ranking that holds fewer than {@code ceil(tasks / workers)}
 * tasks. Every worker computes it alone from the same two sets and finds the same answer, so no one has to decide
 * for the others; loads differ by at most one; and a worker that joins or leaves moves few tasks: mostly those it
 * takes or held (a plain modulo would move most of them). Stateless.
 */
public final class Assignment {

    private Assignment() {
    }

    /** Each task's worker, by task; empty when there is no worker. Deterministic in its inputs, whatever their order. */
    public static Map<String, String> of(Collection<String> tasks, Collection<String> workers) {
        Map<String, String> owners = new TreeMap<>();
        if (workers.isEmpty()) {
            return owners;
        }
        List<String> sortedWorkers = new ArrayList<>(new TreeSet<>(workers));
        TreeSet<String> sortedTasks = new TreeSet<>(tasks);
        int capacity = (sortedTasks.size() + sortedWorkers.size() - 1) / sortedWorkers.size();
        Map<String, Integer> load = new HashMap<>();
        for (String task : sortedTasks) {
            String owner = sortedWorkers.stream()
                    .sorted(Comparator.comparingLong((String w) -> weight(task, w)).reversed().thenComparing(w -> w))
                    .filter(w -> load.getOrDefault(w, 0) < capacity)
                    .findFirst()
                    .orElseThrow();
            load.merge(owner, 1, Integer::sum);
            owners.put(task, owner);
        }
        return owners;
    }

    /** A 64-bit hash of the pair (FNV-1a over both names, then a final mix): stable across processes and versions. */
    static long weight(String task, String worker) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (task + '\u0000' + worker).getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
