package dev.ferry.verify;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The outcome of a verification: what was compared, how many keys differed after each round, and the
 * keys that still differ after the last one.
 *
 * @param source the source, password masked, and its shape ("standalone 7.0.15")
 * @param target the target, likewise
 * @param dbs the databases compared
 * @param sourceKeys keys seen by the scan of the source (Ferry's own keys not counted)
 * @param targetKeys keys seen by the scan of the target
 * @param roundDifferences differing keys after each round, first round first
 * @param differences the keys that still differ, sorted by database and key
 */
public record VerifyReport(VerifyMode mode, String source, String target, Set<Integer> dbs, long sourceKeys,
                           long targetKeys, List<Integer> roundDifferences, List<Difference> differences,
                           long elapsedMillis) {

    public VerifyReport {
        dbs = Set.copyOf(dbs);
        roundDifferences = List.copyOf(roundDifferences);
        differences = List.copyOf(differences);
    }

    public boolean consistent() {
        return differences.isEmpty();
    }

    /** How many differences of each kind, in {@link Difference.Kind} order, kinds with none left out. */
    public Map<Difference.Kind, Integer> countsByKind() {
        Map<Difference.Kind, Integer> counts = new EnumMap<>(Difference.Kind.class);
        for (Difference d : differences) {
            counts.merge(d.kind(), 1, Integer::sum);
        }
        return counts;
    }
}
