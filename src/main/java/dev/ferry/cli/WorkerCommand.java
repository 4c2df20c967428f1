package dev.ferry.cli;

import dev.ferry.FerryException;
import dev.ferry.MemoryBudget;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.server.ApiServer;
import dev.ferry.server.ConfigFile;
import dev.ferry.server.FerryServer;
import dev.ferry.server.TaskDefinition;
import dev.ferry.server.TaskStore;
import dev.ferry.server.WorkerGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
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

    /** Where the variables are read (tests replace it). */
    java.util.function.UnaryOperator<String> environment = System::getenv;

    @Override
    public Integer call() throws Exception {
        if (leaseTtl.toMillis() < 2000) {
            throw new ParameterException(spec.commandLine(), "--lease-ttl: " + leaseTtl.toMillis() + " ms (expected: at"
                    + " least 2s)");
        }
        MemoryBudget budget = null;
        if (memoryBudget != null) {
            if (memoryBudget <= 0) {
                throw new ParameterException(spec.commandLine(), "--memory-budget: " + memoryBudget + " (expected: > 0)");
            }
            budget = new MemoryBudget(memoryBudget);
        }
        String token = tokenFile == null ? null : ServerCommand.token(tokenFile);
        List<TaskDefinition> tasks = ConfigFile.read(config);
        if (tasks.isEmpty()) {
            throw new FerryException("--config " + config + ": no task (expected: a list 'tasks:' with at least one)");
        }
        SyncDefinitions planner = new SyncDefinitions(environment, budget, leaseTtl, group);
        RedisEndpoint home = coordinator(planner, tasks.get(0));
        String id = workerId != null ? workerId : defaultId();
        Path dataDir = Files.createTempDirectory("ferry-worker-");
        CountDownLatch stopped = new CountDownLatch(1);
        Signals.stopOn(stopped::countDown);
        try (FerryServer server = new FerryServer(new TaskStore(dataDir), planner);
             ApiServer api = new ApiServer(server, planner, host, port, token)) {
            server.joinGroup(new WorkerGroup(server, home, group, id, leaseTtl));
            server.start(tasks);
            spec.commandLine().getErr().println("ferry: worker " + id + " of group " + group + ": " + tasks.size()
                    + " task(s) shared through " + home.address() + "; http://" + host + ":" + api.port()
                    + " (/healthz, /readyz, /metrics, /api/v1)");
            stopped.await();
            spec.commandLine().getErr().println("ferry: worker " + id + " stopping: its tasks keep their checkpoints"
                    + " and move to the other workers");
        } finally {
            deleteTree(dataDir);
        }
        return 0;
    }

    /** The group's coordinator: --coordinator with its password, else the first task's target with the task's. */
    private RedisEndpoint coordinator(SyncDefinitions planner, TaskDefinition first) {
        if (coordinator == null) {
            return planner.plan(first).options().target();
        }
        RedisEndpoint endpoint = Converters.endpoint(spec.commandLine(), "--coordinator", coordinator, new Passwords());
        String password = coordinatorPasswordFile != null
                ? Passwords.read(spec.commandLine(), "--coordinator", coordinatorPasswordFile)
                : environment.apply(COORDINATOR_ENV);
        return password == null || password.isEmpty() || endpoint.password() != null ? endpoint : endpoint.withPassword(password);
    }

    /** The host name (a pod's name on Kubernetes) and the process id: unique among the workers of a group. */
    private static String defaultId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "worker";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
