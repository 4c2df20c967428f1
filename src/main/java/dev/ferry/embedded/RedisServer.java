package dev.ferry.embedded;

import dev.ferry.FerryException;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisConnectionException;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.ServerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} process on 127.0.0.1, started in its own temporary working directory
 * with persistence off ({@code --save '' --appendonly no}), for the demo and the integration tests.
 *
 * <pre>{@code
 * try (RedisServer server = RedisServer.builder().version("6.2.7").arg("--repl-diskless-sync", "yes").start();
 *      RedisConnection conn = server.connect()) {
 *     conn.callChecked("SET", "k", "v");
 * }
 * }</pre>
 *
 * <p>{@link #stop()} (or {@link #close()}) sends {@code SHUTDOWN NOSAVE}, kills the process if it does not
 * exit in time and deletes the working directory. A JVM shutdown hook kills servers still running.
 * Thread-safe.
 */
public final class RedisServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisServer.class);

    private final String version;
    private final Process process;
    private final RedisEndpoint endpoint;
    private final Path workDir;
    private final Duration stopTimeout;
    private boolean stopped;

    private RedisServer(String version, Process process, RedisEndpoint endpoint, Path workDir, Duration stopTimeout) {
        this.version = version;
        this.process = process;
        this.endpoint = endpoint;
        this.workDir = workDir;
        this.stopTimeout = stopTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where to connect, with the password when the server was started with {@code --requirepass}. */
    public RedisEndpoint endpoint() {
        return endpoint;
    }

    public int port() {
        return endpoint.port();
    }

    /** The server's version as {@link VersionName} names it: "7.0.15", "valkey-9.1.2". */
    public String version() {
        return version;
    }

    /** The parsed version, to ask what the server supports. */
    public ServerInfo.Version parsedVersion() {
        return VersionName.parse(version).version();
    }

    public long pid() {
        return process.pid();
    }

    /** The temporary working directory (deleted by {@link #stop()}). */
    public Path workDir() {
        return workDir;
    }

    public Path logFile() {
        return workDir.resolve("redis.log");
    }

    /** Opens a new connection, authenticated when the server has a password. The caller closes it. */
    public RedisConnection connect() {
        return RedisConnection.open(endpoint);
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** The last lines of the server's log, for error messages. */
    public List<String> logTail(int lines) {
        return tail(logFile(), lines);
    }

    /** Shuts the server down (SHUTDOWN NOSAVE, then kill after a timeout) and deletes its directory. Idempotent. */
    public void stop() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        try {
            if (process.isAlive()) {
                requestShutdown();
                if (!waitFor(process, stopTimeout)) {
                    LOG.warn("{} did not exit within {} ms after SHUTDOWN NOSAVE; killing it", this, stopTimeout.toMillis());
                    process.destroy();
                    if (!waitFor(process, Duration.ofSeconds(2))) {
                        process.destroyForcibly();
                        waitFor(process, Duration.ofSeconds(5));
                    }
                }
            }
        } finally {
            deleteRecursively(workDir);
            ShutdownReaper.unregister(this);
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Kills the process at once and deletes its directory; for the shutdown hook. */
    void kill() {
        process.destroyForcibly();
        waitFor(process, Duration.ofSeconds(2));
        deleteRecursively(workDir);
    }

    @Override
    public String toString() {
        VersionName name = VersionName.parse(version);
        return name.server() + " " + name.number() + " on " + endpoint.address();
    }

    private void requestShutdown() {
        try (RedisConnection conn = RedisConnection.open(endpoint, Duration.ofSeconds(1), Duration.ofSeconds(2))) {
            conn.send("SHUTDOWN", "NOSAVE");
            conn.flush();
            conn.read();
        } catch (RedisConnectionException e) {
            // Expected: the server closes the connection without a reply when it shuts down. If it could
            // not be reached at all, stop() kills it instead.
        } catch (FerryException e) {
            LOG.debug("SHUTDOWN NOSAVE refused by {}: {}", this, e.getMessage());
        }
    }

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    static List<String> tail(Path file, int lines) {
        try {
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            List<String> all = text.lines().toList();
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException e) {
            return List.of("(no log: " + e.getMessage() + ")");
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", dir, e.getMessage());
        }
    }

    /**
     * Options for a server: which binary, which port, extra configuration. Not thread-safe; {@link #start()}
     * may be called several times for several servers.
     */
    public static final class Builder {

        private String version;
        private Path binary;
        private int port;
        private final List<String> args = new ArrayList<>();
        private Duration startTimeout = Duration.ofSeconds(10);
        private Duration stopTimeout = Duration.ofSeconds(5);

        private Builder() {
        }

        /**
         * The version to run ("7.0.15", "valkey-9.1.2": a {@link VersionName}), found by {@link RedisBinaries#standard()}.
         * Default: {@link RedisBinaries#defaultServer()}.
         */
        public Builder version(String version) {
            this.version = version;
            return this;
        }

        /** An explicit binary; its version is read from {@code --version}. */
        public Builder binary(Path binary) {
            this.binary = binary;
            return this;
        }

        /** The port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0-65535, 0 for any free port)");
            }
            this.port = port;
            return this;
        }

        /**
         * Adds a configuration directive, as on the redis-server command line: {@code arg("--maxmemory", "10mb")}.
         * Later directives override the defaults. {@code --requirepass} also sets the password of {@link #endpoint()}.
         */
        public Builder arg(String name, String... values) {
            if (name == null || !name.startsWith("--") || name.length() < 3) {
                throw new IllegalArgumentException("arg: " + name + " (expected: a directive such as --maxmemory)");
            }
            if (name.equals("--port") || name.equals("--daemonize")) {
                throw new IllegalArgumentException("arg: " + name + " (expected: not --port or --daemonize; use port())");
            }
            args.add(name);
            args.addAll(List.of(values));
            return this;
        }

        /** How long to wait for PING to answer. Default 10 s. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** How long {@link #stop()} waits after SHUTDOWN before killing. Default 5 s. */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = timeout;
            return this;
        }

        /**
         * Starts the server and waits until it answers PING.
         *
         * @throws FerryException no binary, or the server did not come up; the message quotes its log
         */
        public RedisServer start() {
            Path exe = binary != null ? binary
                    : version != null ? RedisBinaries.standard().find(version) : RedisBinaries.defaultServer();
            String actual = RedisBinaries.versionOf(exe);
            if (version != null && !version.equals(actual)) {
                throw new FerryException(exe + " is version " + actual + ", not " + version);
            }
            return new ServerLauncher(exe, actual, port, List.copyOf(args), password(), startTimeout).launch(
                    (process, endpoint, dir) -> {
                        RedisServer server = new RedisServer(actual, process, endpoint, dir, stopTimeout);
                        ShutdownReaper.register(server);
                        LOG.debug("started {} (pid {}) in {}", server, process.pid(), dir);
                        return server;
                    });
        }

        private String password() {
            String password = null;
            for (int i = 0; i + 1 < args.size(); i++) {
                if (args.get(i).equals("--requirepass")) {
                    password = args.get(i + 1);
                }
            }
            return password == null || password.isEmpty() ? null : password;
        }
    }
}
