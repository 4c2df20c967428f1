package dev.ferry.cli;

import dev.ferry.FerryException;
import dev.ferry.pipeline.DbMap;
import dev.ferry.precheck.Precheck;
import dev.ferry.precheck.PrecheckOptions;
import dev.ferry.precheck.PrecheckReport;
import dev.ferry.precheck.TableRenderer;
import dev.ferry.resp.ClientName;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.task.ExistingKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code ferry precheck}: the checks a sync runs before it starts, as a table. Exit 0 when no check fails
 * (warnings allowed), 1 when one fails (an unreachable server or refused password included), 2 for a usage
 * error or an error that kept the checks from running at all.
 */
@Command(name = "precheck", mixinStandardHelpOptions = true,
        description = {"Checks that a sync from the source into the target can start and keep running: a table of"
                + " checks, each pass, WARN or FAIL with a one-line fix.",
                "Exit 0: nothing failed; 1: a check failed; 2: usage error."})
final class PrecheckCommand implements Callable<Integer> {

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

    @Option(names = "--dbs", split = ",", paramLabel = "N", converter = Converters.Database.class,
            description = "Source databases the sync copies (default: all, or the /N of the source URI).")
    Set<Integer> dbs = new LinkedHashSet<>();

    @Mixin
    DbMapOption dbMap = new DbMapOption();

    @Option(names = "--existing", defaultValue = "check", paramLabel = "POLICY", converter = Converters.Existing.class,
            description = "check (default): the target must be empty in the copied databases; overwrite: it need not be.")
    ExistingKeys existing;

    @Option(names = "--skip-checks", split = ",", paramLabel = "NAME", converter = Converters.CheckName.class,
            description = "Checks not to run, by name.")
    Set<String> skip = new LinkedHashSet<>();

    @Option(names = "--sample-keys", defaultValue = "10000", paramLabel = "N",
            description = "Keys the big-key check samples (default 10000, within 2 seconds).")
    int sampleKeys;

    @Override
    public Integer call() {
        ClientName.set(null, "precheck");
        RedisEndpoint sourceEndpoint = tls.source(spec.commandLine(), passwords.source(spec.commandLine(),
                Converters.endpoint(spec.commandLine(), "--source", source, passwords)));
        RedisEndpoint targetEndpoint = tls.target(spec.commandLine(), passwords.target(spec.commandLine(),
                Converters.endpoint(spec.commandLine(), "--target", target, passwords)));
        tls.check(spec.commandLine(), sourceEndpoint, targetEndpoint);
        DbMap map = dbMap.map(spec.commandLine());
        PrecheckOptions options;
        try {
            options = PrecheckOptions.builder(sourceEndpoint, targetEndpoint)
                    .dbs(UriDatabases.resolve(spec.commandLine(), sourceEndpoint, targetEndpoint, dbs, map))
                    .dbMap(map.asMap())
                    .existing(existing)
                    .skip(skip)
                    .sampleKeys(sampleKeys)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            PrecheckReport report = Precheck.run(options);
            spec.commandLine().getOut().print(TableRenderer.render(report));
            spec.commandLine().getOut().flush();
            return report.failed() ? Main.EXIT_FAILURE : 0;
        } catch (FerryException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("ferry: error: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
    }
}
