package dev.ferry.cli;

import dev.ferry.FerryException;
import dev.ferry.MemoryBudget;
import dev.ferry.precheck.PrecheckReport;
import dev.ferry.server.TaskDefinition;
import dev.ferry.server.TaskPlan;
import dev.ferry.server.TaskPlanner;
import picocli.CommandLine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The tasks of {@code ferry server} read like {@code ferry sync}: a definition's options become that command's
 * flags ({@code mode: full} is {@code --mode full}, a list is joined with commas, {@code true} is a bare flag) and are
 * checked and mapped by {@link SyncCommand} itself, so both take exactly the same options. A password named by
 * {@code source-password-env: VAR} is read from VAR. Stateless and thread-safe.
 */
public final class SyncDefinitions implements TaskPlanner {

    private final UnaryOperator<String> environment;
    private final MemoryBudget budget;
    private final Duration leaseTtl;
    private final String group;

    public SyncDefinitions() {
        this(System::getenv);
    }

    /** Reads the variables named by definitions from {@code environment} (tests). */
    public SyncDefinitions(UnaryOperator<String> environment) {
        this(environment, null, null, null);
    }

    /**
     * For the tasks of a worker of {@code group}: {@code budget} shared by every task that names none, {@code leaseTtl}
     * for every task's lease, and task ids made of the group's and the task's names rather than the target's address,
     * so that every worker finds the same checkpoint whatever address it reaches the target by (nulls: as
     * {@code ferry sync}).
     */
    SyncDefinitions(UnaryOperator<String> environment, MemoryBudget budget, Duration leaseTtl, String group) {
        this.environment = environment;
        this.budget = budget;
        this.leaseTtl = leaseTtl;
        this.group = group;
    }

    @Override
    public TaskPlan plan(TaskDefinition definition) {
        SyncCommand command = new SyncCommand();
        CommandLine cli = new CommandLine(command);
        command.passwords.environment = name -> variable(definition, name);
        command.processBudget = budget;
        command.leaseTtl = leaseTtl;
        // A two-way pair finds its other half by the ids of its two directions, which each side computes from the
        // addresses: its tasks keep address-based ids, so every worker must reach both sides under the same names.
        boolean twoWay = Boolean.TRUE.equals(definition.options().get("two-way"));
        command.targetName = group == null || twoWay ? null : "worker group " + group + " task " + definition.name();
        try {
            cli.parseArgs(flags(definition).toArray(new String[0]));
            return new TaskPlan(command.options(), command.skipChecks);
        } catch (CommandLine.UnmatchedArgumentException e) {
            throw new FerryException("task " + definition.name() + ": unknown option(s) " + e.getUnmatched().stream()
                    .filter(a -> a.startsWith("--")).map(a -> "'" + a.substring(2) + "'").toList()
                    + " (expected the options of 'ferry sync --help', without the dashes)");
        } catch (CommandLine.ParameterException e) {
            throw new FerryException("task " + definition.name() + ": " + e.getMessage());
        }
    }

    /**
     * The flags of {@code ferry sync} a definition stands for: {@code mode: full} is {@code --mode full}, a list is
     * joined with commas, {@code true} is a bare flag; {@code *-password-env} (read through the environment) and
     * {@code quiet} are left out.
     */
    static List<String> flags(TaskDefinition definition) {
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, Object> e : definition.options().entrySet()) {
            if (e.getKey().endsWith("-password-env") || e.getKey().equals("quiet")) {
                continue;
            }
            if (e.getValue() instanceof Boolean b) {
                if (b) {
                    args.add("--" + e.getKey());
                }
            } else if (e.getValue() instanceof List<?> list) {
                args.add("--" + e.getKey());
                args.add(String.join(",", list.stream().map(String::valueOf).toList()));
            } else {
                args.add("--" + e.getKey());
                args.add(String.valueOf(e.getValue()));
            }
        }
        return args;
    }

    @Override
    public PrecheckReport precheck(TaskPlan plan) {
        return SyncCommand.precheck(plan.options(), plan.skipChecks());
    }

    /** The value of {@code FERRY_SOURCE_PASSWORD} and the like for this task: of the variable its definition names. */
    String variable(TaskDefinition definition, String name) {
        String side = name.equals(Passwords.SOURCE_ENV) ? "source" : name.equals(Passwords.TARGET_ENV) ? "target" : "sentinel";
        String variable = definition.passwordEnv(side);
        if (variable == null) {
            return null;
        }
        String value = environment.apply(variable);
        if (value == null || value.isEmpty()) {
            throw new FerryException("task " + definition.name() + ": " + side + "-password-env names " + variable
                    + ", which is not set in the server's environment");
        }
        return value;
    }
}
