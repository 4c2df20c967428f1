package dev.ferry.embedded;

import dev.ferry.FerryException;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisConnectionException;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts one redis-server process and waits until it answers PING. When the port was picked here and
 * another process took it in the meantime ("Address already in use"), tries again with a new one.
 */
final class ServerLauncher {

    /** Wraps a running process into the server object; called once, on success. */
    interface Started {
        RedisServer create(Process process, RedisEndpoint endpoint, Path workDir);
    }

    private static final String HOST = "127.0.0.1";
    private static final int PORT_ATTEMPTS = 5;

    private final Path binary;
    private final String version;
    private final int requestedPort;
    private final List<String> extraArgs;
    private final String password;
    private final Duration startTimeout;

    ServerLauncher(Path binary, String version, int port, List<String> extraArgs, String password, Duration startTimeout) {
        this.binary = binary;
        this.version = version;
        this.requestedPort = port;
        this.extraArgs = extraArgs;
        this.password = password;
        this.startTimeout = startTimeout;
    }

    private static final java.util.regex.Pattern ADDRESS_IN_USE = java.util.regex.Pattern.compile("Address (already )?in use");

    RedisServer launch(Started started) {
        Path workDir;
        try {
            workDir = Files.createTempDirectory("ferry-redis-" + version + "-");
        } catch (IOException e) {
            throw new FerryException("cannot create a working directory for redis-server " + version + ": " + e.getMessage(), e);
        }
        int attempts = requestedPort == 0 ? PORT_ATTEMPTS : 1;
        for (int attempt = 1; ; attempt++) {
            int port = requestedPort == 0 ? freePort() : requestedPort;
            RedisEndpoint endpoint = new RedisEndpoint(HOST, port, null, password, -1);
            Process process = spawn(command(port, workDir), workDir);
            try {
                awaitReady(process, endpoint, workDir);
                return started.create(process, endpoint, workDir);
            } catch (PortTaken e) {
                process.destroyForcibly();
                if (attempt >= attempts) {
                    RedisServer.deleteRecursively(workDir);
                    throw new FerryException("redis-server " + version + " cannot listen on port " + port
                            + ": address already in use", e);
                }
            } catch (RuntimeException e) {
                process.destroyForcibly();
                RedisServer.deleteRecursively(workDir);
                throw e;
            }
        }
    }

    private List<String> command(int port, Path workDir) {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(),
                "--port", Integer.toString(port),
                "--bind", HOST,
                "--daemonize", "no",
                "--save", "",
                "--appendonly", "no",
                "--dir", workDir.toString()));
        if (VersionName.parse(version).version().atLeast(7, 0)) {
            // DEBUG DIGEST / DIGEST-VALUE, used to verify data, is refused by default since 7.0.
            cmd.add("--enable-debug-command");
            cmd.add("yes");
        }
        cmd.addAll(extraArgs);
        return cmd;
    }

    private Process spawn(List<String> cmd, Path workDir) {
        ProcessBuilder builder = new ProcessBuilder(cmd)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("redis.log").toFile());
        for (int tries = 1; ; tries++) {
            try {
                return builder.start();
            } catch (IOException e) {
                // ETXTBSY: a just-extracted binary can still be open for writing in a child being forked.
                boolean busy = String.valueOf(e.getMessage()).contains("error=26");
                if (!busy || tries >= 10) {
                    RedisServer.deleteRecursively(workDir);
                    throw new FerryException("cannot start " + binary + ": " + e.getMessage(), e);
                }
                sleep(50);
            }
        }
    }

    private void awaitReady(Process process, RedisEndpoint endpoint, Path workDir) {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        Path log = workDir.resolve("redis.log");
        while (true) {
            if (!process.isAlive()) {
                List<String> tail = RedisServer.tail(log, 20);
                // glibc says "Address already in use", musl (the static binaries) "Address in use"; a cluster node
                // also binds its bus at port + 10000, which may be the one taken.
                if (requestedPort == 0 && ADDRESS_IN_USE.matcher(String.join("\n", tail)).find()) {
                    throw new PortTaken();
                }
                throw new FerryException("redis-server " + version + " exited with code " + process.exitValue()
                        + " while starting on port " + endpoint.port() + "; last log lines:\n  " + String.join("\n  ", tail));
            }
            if (answersPing(process, endpoint)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new FerryException("redis-server " + version + " did not answer PING on " + endpoint.address()
                        + " within " + startTimeout.toMillis() + " ms; last log lines:\n  "
                        + String.join("\n  ", RedisServer.tail(log, 20)));
            }
            sleep(20);
        }
    }

    /** True once PING answers PONG from this very process (not another server that took the port). */
    private boolean answersPing(Process process, RedisEndpoint endpoint) {
        try (RedisConnection conn = RedisConnection.open(endpoint, Duration.ofMillis(500), Duration.ofSeconds(2))) {
            RespValue pong = conn.call("PING");
            if (pong instanceof RespValue.Error e) {
                if (e.code().equals("LOADING")) {
                    return false;
                }
                throw new FerryException("redis-server " + version + " on " + endpoint.address()
                        + " answered PING with an error: " + e.message());
            }
            ServerInfo info = ServerInfo.parse(conn.callChecked("INFO", "server").asText());
            long pid = info.getLong("process_id", -1);
            if (pid != process.pid()) {
                throw new PortTaken();
            }
            return true;
        } catch (RedisConnectionException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new FerryException("cannot find a free port on " + HOST + ": " + e.getMessage(), e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while starting redis-server", e);
        }
    }

    /** The picked port was taken by someone else before the server bound it. */
    private static final class PortTaken extends RuntimeException {
        PortTaken() {
            super("port taken", null, false, false);
        }
    }
}
