package dev.ferry.cli;

import dev.ferry.FerryException;
import dev.ferry.pipeline.DbMap;
import dev.ferry.resp.ClientName;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.verify.JsonReportWriter;
import dev.ferry.verify.SummaryRenderer;
import dev.ferry.verify.Verifier;
import dev.ferry.verify.VerifyMode;
import dev.ferry.verify.VerifyOptions;
import dev.ferry.verify.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code ferry verify}: compares source and target key by key. Exit 0 consistent, 1 differences, 2 error. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Compares the source and the target key by key, both ways: missing and extra keys, types, values"
                + " and expiry times. Keys that differ are compared again in later rounds, so writes in flight through a"
                + " live sync are not reported.",
                "Exit 0: consistent; 1: differences; 2: error."})
final class VerifyCommand implements Callable<Integer> {

    private static final int SHOWN = 20;

    @Spec
    CommandSpec spec;

    @Option(names = "--source", required = true, paramLabel = "URI", description = "Source server (any node of a cluster).")
    String source;

    @Option(names = "--target", required = true, paramLabel = "URI", description = "Target server (any node of a cluster).")
    String target;

    @Mixin
    Passwords passwords = new Passwords();

    @Mixin
    TlsFlags tls = new TlsFlags();

    @Option(names = "--mode", defaultValue = "outline", paramLabel = "MODE", converter = Converters.Verify.class,
            description = "outline (default): type, size, expiry; full: every element too, read in chunks for big keys.")
    VerifyMode mode;

    @Option(names = "--dbs", split = ",", paramLabel = "N", converter = Converters.Database.class,
            description = "Databases to compare (default: every one holding keys, or the /N of the source URI).")
    Set<Integer> dbs = new LinkedHashSet<>();

    @Option(names = "--rounds", defaultValue = "3", paramLabel = "N", description = "Rounds; later ones re-check only differing keys (default 3).")
    int rounds;

    @Option(names = "--round-pause", defaultValue = "1000", paramLabel = "MS", description = "Pause before each re-check round (default 1000 ms).")
    long roundPause;

    @Option(names = "--ttl-tolerance", defaultValue = "1000", paramLabel = "MS",
            description = "Largest difference between two expiry times that still counts as the same (default 1000 ms).")
    long ttlTolerance;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "OPS",
            description = "Most commands per second sent to each side (default 0: no limit).")
    long rate;

    @Option(names = "--parallel", defaultValue = "0", paramLabel = "N", description = "Worker threads (default: one per core, 2 to 8).")
    int parallel;

    @Mixin
    DbMapOption dbMap = new DbMapOption();

    @Mixin
    KeyFilterOptions keyFilter = new KeyFilterOptions();

    @Option(names = "--report", paramLabel = "FILE", description = "Also write a JSON report listing every differing key.")
    Path report;

    @Override
    public Integer call() {
        ClientName.set(null, "verify");
        RedisEndpoint sourceEndpoint = tls.source(spec.commandLine(), passwords.source(spec.commandLine(),
                Converters.endpoint(spec.commandLine(), "--source", source, passwords)));
        RedisEndpoint targetEndpoint = tls.target(spec.commandLine(), passwords.target(spec.commandLine(),
                Converters.endpoint(spec.commandLine(), "--target", target, passwords)));
        tls.check(spec.commandLine(), sourceEndpoint, targetEndpoint);
        DbMap map = dbMap.map(spec.commandLine());
        Set<Integer> databases = UriDatabases.resolve(spec.commandLine(), sourceEndpoint, targetEndpoint, dbs, map);
        try {
            VerifyOptions.Builder options = VerifyOptions.builder(sourceEndpoint, targetEndpoint)
                    .mode(mode)
                    .dbs(databases)
                    .dbMap(map)
                    .keys(keyFilter.filter())
                    .rounds(rounds)
                    .roundPause(Duration.ofMillis(roundPause))
                    .ttlTolerance(Duration.ofMillis(ttlTolerance))
                    .rate(rate);
            if (parallel > 0) {
                options.parallelism(parallel);
            }
            VerifyReport result = Verifier.run(options.build());
            spec.commandLine().getOut().print(SummaryRenderer.render(result, SHOWN));
            spec.commandLine().getOut().flush();
            if (report != null) {
                JsonReportWriter.write(result, report);
            }
            return result.consistent() ? 0 : Main.EXIT_FAILURE;
        } catch (FerryException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("ferry: error: " + e.getMessage());
            return Main.EXIT_USAGE;
        } catch (IOException e) {
            spec.commandLine().getErr().println("ferry: error: cannot write the report " + report + ": " + e.getMessage());
            return Main.EXIT_USAGE;
        }
    }
}
