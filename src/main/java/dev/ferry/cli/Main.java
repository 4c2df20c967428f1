package dev.ferry.cli;

import dev.ferry.FerryException;
import dev.ferry.FerryVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code ferry}: the entry point. Errors Ferry expects (bad input, unreachable servers, rejected writes)
 * are printed as one line, without a stack trace, and give exit code 1; usage errors give 2.
 */
@Command(name = "ferry", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Copies a Redis deployment into another: the full data set, then every later write.",
        subcommands = {SyncCommand.class, ServerCommand.class, WorkerCommand.class, StatusCommand.class, DemoCommand.class, PrecheckCommand.class, VerifyCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    LogOptions log = new LogOptions();

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code. */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs a command line with the given output streams and returns its exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        Main main = new Main();
        CommandLine cli = new CommandLine(main);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionStrategy(parsed -> {
            // Before the command logs anything; a file that cannot be written is the command's error.
            try {
                main.log.apply();
            } catch (FerryException e) {
                err.println("ferry: error: " + e.getMessage());
                err.flush();
                return EXIT_FAILURE;
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter w = cmd.getErr();
            w.println("ferry: error: " + message(e));
            if (Boolean.getBoolean("ferry.debug")) {
                e.printStackTrace(w);
            }
            err.flush();
            return EXIT_FAILURE;
        });
        cli.setParameterExceptionHandler((e, params) -> {
            PrintWriter w = e.getCommandLine().getErr();
            w.println("ferry: " + e.getMessage());
            w.println("Try 'ferry " + e.getCommandLine().getCommandName() + " --help'.");
            err.flush();
            return EXIT_USAGE;
        });
        return cli.execute(args);
    }

    static String message(Throwable e) {
        if (e instanceof FerryException || e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        return e.toString();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version the build wrote into the jar ({@link FerryVersion}). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ferry " + FerryVersion.current()};
        }
    }
}
