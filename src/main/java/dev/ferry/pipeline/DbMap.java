package dev.ferry.pipeline;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Where source databases land on the target ({@code --db-map SRC:DST}): each mapped database into its
 * destination, every other one into the database of the same number. Several source databases may land in
 * one ({@code 0:0,1:0,2:0}, into a cluster's database 0): they are then <em>merged</em>, and a same-name key
 * written in two of them is one key on the target (the later write wins).
 *
 * <p>Which source databases are copied is {@code --dbs}'s business, not the map's: the methods that need it
 * take that set ({@code copied}, null for every database). Immutable and thread-safe; entries that map a
 * database to itself are dropped, so {@code 0:0,1:0} and {@code 1:0} are the same map.
 */
public final class DbMap {

    private static final DbMap IDENTITY = new DbMap(Map.of());

    private final Map<Integer, Integer> entries;

    private DbMap(Map<Integer, Integer> entries) {
        this.entries = entries;
    }

    /** Every database keeps its number. */
    public static DbMap identity() {
        return IDENTITY;
    }

    /**
     * @throws IllegalArgumentException a negative database, or a source database given two destinations
     */
    public static DbMap of(Collection<Pair> pairs) {
        Map<Integer, Integer> entries = new TreeMap<>();
        Map<Integer, Integer> given = new TreeMap<>();
        for (Pair p : pairs) {
            Integer before = given.putIfAbsent(p.source(), p.target());
            if (before != null && before != p.target()) {
                throw new IllegalArgumentException("--db-map: source database " + p.source() + " is mapped twice, to "
                        + before + " and to " + p.target() + " (expected: one destination per source database)");
            }
            if (p.source() != p.target()) {
                entries.put(p.source(), p.target());
            }
        }
        return entries.isEmpty() ? IDENTITY : new DbMap(Map.copyOf(entries));
    }

    /** @see #of(Collection) */
    public static DbMap of(Map<Integer, Integer> map) {
        return of(map.entrySet().stream().map(e -> new Pair(e.getKey(), e.getValue())).toList());
    }

    /** Where source database {@code sourceDb} lands. */
    public int target(int sourceDb) {
        return entries.getOrDefault(sourceDb, sourceDb);
    }

    /** Whether every database keeps its number. */
    public boolean isIdentity() {
        return entries.isEmpty();
    }

    /** Whether the map moves database {@code db} elsewhere or moves another one into it. */
    public boolean mentions(int db) {
        return entries.containsKey(db) || entries.containsValue(db);
    }

    /** The databases that do not keep their number, source to target, in source order. */
    public Map<Integer, Integer> asMap() {
        return new TreeMap<>(entries);
    }

    /**
     * The copied source databases that land in {@code targetDb}. With every database copied ({@code copied}
     * null), those mapped there and the database of that number unless it is mapped elsewhere.
     */
    public Set<Integer> sources(int targetDb, Set<Integer> copied) {
        Set<Integer> out = new TreeSet<>();
        if (copied == null) {
            entries.forEach((from, to) -> {
                if (to == targetDb) {
                    out.add(from);
                }
            });
            if (!entries.containsKey(targetDb)) {
                out.add(targetDb);
            }
        } else {
            for (int db : copied) {
                if (target(db) == targetDb) {
                    out.add(db);
                }
            }
        }
        return out;
    }

    /** The other copied source databases that land where {@code sourceDb} lands: empty when it is not merged. */
    public Set<Integer> mergedWith(int sourceDb, Set<Integer> copied) {
        Set<Integer> out = sources(target(sourceDb), copied);
        out.remove(sourceDb);
        return out;
    }

    /** Whether two copied source databases land in the same target database. */
    public boolean merges(Set<Integer> copied) {
        if (copied == null) {
            return entries.keySet().stream().anyMatch(db -> !mergedWith(db, null).isEmpty());
        }
        return copied.stream().map(this::target).distinct().count() < copied.size();
    }

    /** Whether some copied source database lands in {@code targetDb}. */
    public boolean isDestination(int targetDb, Set<Integer> copied) {
        return !sources(targetDb, copied).isEmpty();
    }

    /** The target databases the copied source databases land in ({@code copied} not null). */
    public Set<Integer> destinations(Set<Integer> copied) {
        return copied.stream().map(this::target).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * The map of the reverse direction (two-way sync): each destination back to its source.
     *
     * @throws IllegalArgumentException the map merges databases, which the reverse direction could not split
     */
    public DbMap inverse(Set<Integer> copied) {
        if (merges(copied)) {
            throw new IllegalArgumentException("--db-map " + this + " merges databases, which the reverse direction"
                    + " of a two-way sync cannot split (expected: a map that keeps databases apart)");
        }
        Map<Integer, Integer> back = new TreeMap<>();
        entries.forEach((from, to) -> back.put(to, from));
        return of(back);
    }

    /** {@code 1:0,2:0}, or {@code identity}: stable, it is part of the task id. */
    @Override
    public String toString() {
        return entries.isEmpty() ? "identity" : new TreeMap<>(entries).entrySet().stream()
                .map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DbMap m && entries.equals(m.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    /**
     * One {@code SRC:DST} of {@code --db-map}.
     *
     * @param source the source database
     * @param target where it lands
     */
    public record Pair(int source, int target) {

        public Pair {
            if (source < 0 || target < 0) {
                throw new IllegalArgumentException(source + ":" + target + " (expected: database numbers >= 0)");
            }
        }

        /**
         * Parses {@code SRC:DST}.
         *
         * @throws IllegalArgumentException anything but two whole numbers >= 0 around a colon
         */
        public static Pair parse(String text) {
            String[] parts = text.split(":", -1);
            try {
                if (parts.length == 2) {
                    return new Pair(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
                }
            } catch (IllegalArgumentException e) {
                // Reported below, with what was expected.
            }
            throw new IllegalArgumentException("'" + text + "' (expected: SRC:DST, two database numbers >= 0, e.g. 3:0)");
        }
    }
}
