package dev.ferry.cli;

import dev.ferry.pipeline.DbMap;
import dev.ferry.resp.RedisEndpoint;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The databases a command works on, from {@code --dbs} and the {@code /db} of the two URIs, which is never
 * ignored: a source {@code /N} means {@code --dbs N}; a target {@code /N} is accepted only where the copied
 * databases land anyway: in the same number, or where {@code --db-map} puts them.
 * Stateless.
 */
final class UriDatabases {

    private UriDatabases() {
    }

    /**
     * @param dbs the databases of {@code --dbs}, empty for all
     * @param dbMap where source databases land on the target, where the command has {@code --db-map}
     * @return the databases to work on, empty for all
     * @throws ParameterException the URIs and {@code --dbs} disagree
     */
    static Set<Integer> resolve(CommandLine cli, RedisEndpoint source, RedisEndpoint target, Set<Integer> dbs,
                                DbMap dbMap) {
        Set<Integer> chosen = new TreeSet<>(dbs);
        if (source.db() >= 0) {
            if (!chosen.isEmpty() && !chosen.equals(Set.of(source.db()))) {
                throw new ParameterException(cli, "--source names database " + source.db() + " (/" + source.db()
                        + ") and --dbs names " + join(chosen) + ": give the databases in one place");
            }
            chosen = Set.of(source.db());
        }
        if (target.db() >= 0) {
            boolean lands = !chosen.isEmpty() && chosen.stream().allMatch(db -> dbMap.target(db) == target.db());
            if (!lands) {
                throw new ParameterException(cli, "--target names database " + target.db() + " (/" + target.db()
                        + "), but source database(s) " + (chosen.isEmpty() ? "(all) land in their own numbers"
                        : join(chosen) + " land in " + join(dbMap.destinations(chosen))) + " on the target (Ferry keeps"
                        + " database numbers unless --db-map moves them); drop /" + target.db() + " from --target and choose the databases with --dbs"
                        + " or the source URI, and where they land with --db-map");
            }
        }
        return chosen;
    }

    private static String join(Set<Integer> dbs) {
        return dbs.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
