package dev.ferry.cli;

import dev.ferry.FerryException;
import dev.ferry.server.ApiServer;
import dev.ferry.server.ConfigFile;
import dev.ferry.server.FerryServer;
import dev.ferry.server.TaskDefinition;
import dev.ferry.server.TaskStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code ferry server}: many sync tasks in one process, driven by an HTTP API, until SIGINT/SIGTERM. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Runs many sync tasks in one process, from a YAML file and an HTTP API under /api/v1 (described"
                + " by /api/v1/openapi.json), until stopped (Ctrl-C). Tasks and their state are kept in --data-dir:"
                + " after a restart, running tasks resume from their checkpoints."})
final class ServerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", required = true, paramLabel = "N", description = "Port of the HTTP API.")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address the API listens on (default 127.0.0.1: this machine only).")
    String host;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "Where task definitions and states are kept.")
    Path dataDir;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file of tasks: 'tasks:', each with a name and the"
            + " options of ferry sync (source, target, mode, ...); passwords by source-password-env or -file.")
    Path config;

    @Option(names = "--api-token-file", paramLabel = "FILE", description = "Require 'Authorization: Bearer <token>' on"
            + " every request, the token being the first line of FILE.")
    Path tokenFile;

    @Override
    public Integer call() throws InterruptedException {
        String token = tokenFile == null ? null : token(tokenFile);
        List<TaskDefinition> tasks = config == null ? List.of() : ConfigFile.read(config);
        SyncDefinitions planner = new SyncDefinitions();
        CountDownLatch stopped = new CountDownLatch(1);
        Signals.stopOn(stopped::countDown);
        try (FerryServer server = new FerryServer(new TaskStore(dataDir), planner);
             ApiServer api = new ApiServer(server, planner, host, port, token)) {
            server.start(tasks);
            spec.commandLine().getErr().println("ferry: server: " + server.tasks().size() + " task(s); API on http://"
                    + host + ":" + api.port() + "/api/v1" + (token == null ? " (no token: anyone who reaches it may use it)" : ""));
            stopped.await();
            spec.commandLine().getErr().println("ferry: server stopping: tasks keep their checkpoints and resume at the next start");
        }
        return 0;
    }

    static String token(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || lines.get(0).isBlank()) {
                throw new FerryException("--api-token-file: " + file + " is empty (expected: the token on its first line)");
            }
            return lines.get(0).trim();
        } catch (IOException | RuntimeException e) {
            if (e instanceof FerryException f) {
                throw f;
            }
            throw new FerryException("--api-token-file: cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }
}
