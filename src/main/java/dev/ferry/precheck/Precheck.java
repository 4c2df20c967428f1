package dev.ferry.precheck;

import dev.ferry.FerryException;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs every check before a sync and collects the results: connections and credentials, two distinct servers
 * neither of which replicates the other, a target that accepts writes, {@code PSYNC} permission, versions, memory, eviction, replication settings, an empty target, databases that exist, database mapping and
 * slot coverage for clusters, modules, big keys, and old-version limits. A check that cannot run because
 * a connection failed is skipped, and one that hits an unexpected error becomes a warning, so the table is
 * always complete. Blocking; opens and closes its own connections.
 *
 * <pre>{@code
 * PrecheckReport report = Precheck.run(PrecheckOptions.builder(source, target).build());
 * if (report.failed()) throw new FerryException(report.failureSummary());
 * }</pre>
 */
public final class Precheck {

    private static final List<Check> CHECKS = List.of(
            check("source-connection", false, false, c -> ConnectionChecks.connection("source-connection", c.source(), "--source")),
            check("target-connection", false, false, c -> ConnectionChecks.connection("target-connection", c.target(), "--target")),
            check("source-cluster-nodes", true, false, c -> ConnectionChecks.clusterNodes("source-cluster-nodes", c.source(), "--source")),
            check("source-cluster-slots", true, false, c -> ConnectionChecks.clusterSlots("source-cluster-slots", c.source())),
            check("target-cluster-nodes", false, true, c -> ConnectionChecks.clusterNodes("target-cluster-nodes", c.target(), "--target")),
            check("target-cluster-slots", false, true, c -> ConnectionChecks.clusterSlots("target-cluster-slots", c.target())),
            check("same-server", true, true, c -> RoleChecks.sameServer("same-server", c.source(), c.target())),
            check("target-writable", false, true, c -> RoleChecks.targetWritable("target-writable", c.target())),
            check("source-psync", true, false, c -> ReplicationChecks.psync("source-psync", c.source())),
            check("version", true, true, c -> ReplicationChecks.version("version", c.source(), c.target())),
            check("databases", true, true, c -> TargetChecks.databases("databases", c)),
            check("db-mapping", true, true, c -> TargetChecks.dbMapping("db-mapping", c)),
            check("target-empty", true, true, c -> TargetChecks.empty("target-empty", c)),
            check("target-memory", true, true, c -> CapacityChecks.memory("target-memory", c.source(), c.target())),
            check("target-eviction", false, true, c -> CapacityChecks.eviction("target-eviction", c.target())),
            check("modules", true, true, c -> ModuleCheck.run("modules", c)),
            check("big-keys", true, true, c -> BigKeyCheck.run("big-keys", c)),
            check("source-backlog", true, false, c -> ReplicationChecks.backlog("source-backlog", c.source())),
            check("source-repl-timeout", true, false, c -> ReplicationChecks.replTimeout("source-repl-timeout", c.source())),
            check("source-output-buffer", true, false, c -> ReplicationChecks.outputBuffer("source-output-buffer", c.source())),
            check("source-limits", true, false, c -> ReplicationChecks.oldSourceLimits("source-limits", c.source())));

    /** The name of every check, in the order they run: what {@code --skip-checks} accepts. */
    public static final List<String> CHECK_NAMES = CHECKS.stream().map(Check::name).toList();

    private Precheck() {
    }

    /** Runs every check not skipped in {@code options} and returns all results; never throws for a failed check. */
    public static PrecheckReport run(PrecheckOptions options) {
        List<CheckResult> results = new ArrayList<>();
        try (Side source = Side.connect("source", options.source());
             Side target = Side.connect("target", options.target())) {
            Check.Context context = new Check.Context(options, source, target);
            for (Check check : CHECKS) {
                results.add(runOne(check, context));
            }
        }
        return new PrecheckReport(results);
    }

    private static CheckResult runOne(Check check, Check.Context context) {
        if (context.options().skip().contains(check.name())) {
            return CheckResult.skip(check.name(), "skipped on request (--skip-checks)");
        }
        if (check.needsSource() && !context.source().connected()) {
            return CheckResult.skip(check.name(), "needs a connection to the source");
        }
        if (check.needsTarget() && !context.target().connected()) {
            return CheckResult.skip(check.name(), "needs a connection to the target");
        }
        try {
            return check.run(context);
        } catch (FerryException e) {
            return CheckResult.warn(check.name(), "could not check: " + e.getMessage(),
                    "check this by hand, or skip it with --skip-checks " + check.name());
        } catch (RuntimeException e) {
            return CheckResult.warn(check.name(), "could not check: " + e,
                    "check this by hand, or skip it with --skip-checks " + check.name());
        }
    }

    private static Check check(String name, boolean needsSource, boolean needsTarget,
                               java.util.function.Function<Check.Context, CheckResult> body) {
        return new SimpleCheck(name, needsSource, needsTarget, body);
    }
}
