package dev.ferry.cli;

import dev.ferry.FerryException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code ferry worker}: one of any number of processes started with the same {@code --config}, which divide its
 * tasks among themselves through the tasks' leases in the targets, until SIGINT/SIGTERM.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {"Runs its share of the tasks of --config, with any number of other workers started with the same"
                + " file and --group: they divide the tasks among themselves, take over those of a worker that stops or"
                + " dies (within --lease-ttl), and give some to a worker that joins. Serves /healthz, /readyz, /metrics"
                + " and the API under /api/v1 on --port."})
final class WorkerCommand implements Callable<Integer> {

    /** The port of the HTTP endpoints unless told otherwise (the Kubernetes manifests use it). */
    static final int DEFAULT_PORT = 8080;
    /** The environment variable of the coordinator's password (or --coordinator-password-file). */
    static final String COORDINATOR_ENV = "FERRY_COORDINATOR_PASSWORD";

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML file of tasks: 'tasks:', each"
            + " with a name and the options of ferry sync; every worker of the group reads the same file.")
    Path config;

    @Option(names = "--port", defaultValue = "" + DEFAULT_PORT, paramLabel = "N",
            description = "Port of /healthz, /readyz, /metrics and /api/v1 (default ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address the HTTP endpoints listen on (default 127.0.0.1; 0.0.0.0 in a container).")
    String host;

    @Option(names = "--group", defaultValue = "ferry", paramLabel = "NAME",
            description = "The workers that share the tasks (default ${DEFAULT-VALUE}).")
    String group;

    @Option(names = "--coordinator", paramLabel = "URI", description = "The Redis where the workers of the group record"
            + " themselves (a few small keys); default: the target of the first task of --config.")
    String coordinator;

    @Option(names = "--coordinator-password-file", paramLabel = "FILE", description = "The coordinator's password, on"
            + " the first line of FILE (or " + COORDINATOR_ENV + "; default: the first task's target password).")
    Path coordinatorPasswordFile;

    @Option(names = "--worker-id", paramLabel = "ID", description = "This worker's name in the group (default: the host"
            + " name, which is the pod's name on Kubernetes, and the process id).")
    String workerId;

    @Option(names = "--lease-ttl", defaultValue = "10s", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "How long a task's lease and a worker's membership last without renewal: a dead worker's"
                    + " tasks move within about this time (default ${DEFAULT-VALUE}).")
    Duration leaseTtl;

    @Option(names = "--memory-budget", paramLabel = "SIZE", converter = ByteSize.class,
            description = "Memory for the spools, batches and in-flight writes of all the worker's tasks together"
                    + " (default: a quarter of the heap).")
    Long memoryBudget;

    @Option(names = "--api-token-file", paramLabel = "FILE", description = "Require 'Authorization: Bearer <token>' on"
            + " the API and /metrics (not on /healthz and /readyz), the token being the first line of FILE.")
    Path tokenFile;

    @Override
    public Integer call() {
        throw new FerryException("ferry worker: not built yet");
    }
}
