package dev.ferry.cli;

import dev.ferry.pipeline.DbMap;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code --db-map}, the same option for {@code sync}, {@code precheck} and {@code verify} (a picocli mixin):
 * each {@code SRC:DST} read by {@link Converters.DbPair}, the whole map checked by {@link DbMap#of}.
 */
final class DbMapOption {

    @Option(names = "--db-map", split = ",", paramLabel = "SRC:DST", converter = Converters.DbPair.class,
            description = "Where a source database lands on the target, e.g. --db-map 3:0, or --db-map 0:0,1:0,2:0 to merge"
                    + " three into one (a cluster has database 0 only); repeat or separate with commas. Databases not"
                    + " mapped keep their number; --dbs still chooses which are copied.")
    List<DbMap.Pair> pairs = new ArrayList<>();

    /** @throws ParameterException a source database given two destinations */
    DbMap map(CommandLine cli) {
        try {
            return DbMap.of(pairs);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cli, e.getMessage());
        }
    }
}
