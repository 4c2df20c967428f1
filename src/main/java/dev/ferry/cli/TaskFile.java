package dev.ferry.cli;

import dev.ferry.FerryException;
import dev.ferry.server.ConfigFile;
import dev.ferry.server.TaskDefinition;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ferry sync --config FILE}: the task of a file in the format of {@code ferry server --config} (a list
 * {@code tasks:} of one entry), turned into the flags it stands for ({@link SyncDefinitions#flags}) followed by
 * the command line's own. An option given in both places is refused, whichever value was meant. Stateless.
 */
final class TaskFile {

    private TaskFile() {
    }

    /**
     * A command parsed from the file's task and the flags {@code given} on the command line (the parse result of
     * {@code parent}), writing where {@code parent} writes; its passwords named by {@code *-password-env} are read from
     * those variables, others from the usual {@code FERRY_*_PASSWORD}.
     */
    static SyncCommand command(CommandLine parent, Path file) {
        List<TaskDefinition> tasks = ConfigFile.read(file);
        if (tasks.size() != 1) {
            throw new FerryException("--config " + file + ": " + tasks.size() + " tasks (" + tasks.stream()
                    .map(TaskDefinition::name).toList() + "): ferry sync runs one (run the others with ferry server, or"
                    + " give each its own file)");
        }
        TaskDefinition task = tasks.get(0);
        CommandLine.ParseResult given = parent.getParseResult();
        for (String key : task.options().keySet()) {
            String flag = key.endsWith("-password-env") ? "--" + key.replace("-env", "-file") : "--" + key;
            if (given.hasMatchedOption(flag)) {
                throw new CommandLine.ParameterException(parent, flag + " is given on the command line and in " + file
                        + " (" + key + "): give it in one place");
            }
        }
        SyncCommand command = new SyncCommand();
        CommandLine cli = new CommandLine(command);
        List<String> args = new ArrayList<>(SyncDefinitions.flags(task));
        for (CommandLine.Model.OptionSpec option : given.matchedOptions()) {
            // --config itself, and the options of 'ferry' (--log-file...) the task's command does not have.
            if (option.longestName().equals("--config") || cli.getCommandSpec().findOption(option.longestName()) == null) {
                continue;
            }
            if (option.arity().max() == 0) {
                args.add(option.longestName());
            } else {
                for (String value : option.originalStringValues()) {
                    args.add(option.longestName());
                    args.add(value);
                }
            }
        }
        SyncDefinitions definitions = new SyncDefinitions();
        command.passwords.environment = name -> {
            String named = definitions.variable(task, name);
            return named != null ? named : System.getenv(name);
        };
        cli.setOut(parent.getOut());
        cli.setErr(parent.getErr());
        try {
            cli.parseArgs(args.toArray(new String[0]));
        } catch (CommandLine.UnmatchedArgumentException e) {
            throw new CommandLine.ParameterException(parent, "--config " + file + ": unknown option(s) " + e.getUnmatched()
                    .stream().filter(a -> a.startsWith("--")).map(a -> "'" + a.substring(2) + "'").toList()
                    + " (expected the options of 'ferry sync --help', without the dashes)");
        } catch (CommandLine.ParameterException e) {
            throw new CommandLine.ParameterException(parent, "--config " + file + ": " + e.getMessage());
        }
        command.config = null;
        return command;
    }
}
