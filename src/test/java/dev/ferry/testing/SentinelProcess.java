package dev.ferry.testing;

import dev.ferry.embedded.RedisBinaries;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Redis Sentinel (redis-server {@code --sentinel} of the master's version) watching one master under a
 * name, with a quorum of 1 and a 1 s down-after time, so that it fails over fast. A Sentinel needs a config file
 * it can rewrite: it gets one in a temporary directory of its own. With a password, it is its {@code requirepass}
 * (its clients must log in; the master it watches needs none), and this helper logs in with it. {@link #close()} kills it.
 */
public final class SentinelProcess implements AutoCloseable {

    private final Process process;
    private final RedisEndpoint endpoint;
    private final Path dir;

    private SentinelProcess(Process process, RedisEndpoint endpoint, Path dir) {
        this.process = process;
        this.endpoint = endpoint;
        this.dir = dir;
    }

    /** Starts a Sentinel watching {@code master} as {@code name}; returns once it knows {@code replicas} replicas of it. */
    public static SentinelProcess watch(RedisServer master, String name, int replicas) {
        return watch(master, name, replicas, null);
    }

    /** As {@link #watch(RedisServer, String, int)}, with {@code password} as the Sentinel's {@code requirepass} (null: none). */
    public static SentinelProcess watch(RedisServer master, String name, int replicas, String password) {
        try {
            Path dir = Files.createTempDirectory("ferry-sentinel-");
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path conf = dir.resolve("sentinel.conf");
            Files.writeString(conf, String.join("\n",
                    "port " + port,
                    "bind 127.0.0.1",
                    "dir " + dir,
                    "sentinel monitor " + name + " 127.0.0.1 " + master.port() + " 1",
                    "sentinel down-after-milliseconds " + name + " 1000",
                    "sentinel failover-timeout " + name + " 10000",
                    password == null ? "" : "requirepass " + password,
                    "") );
            Path binary = RedisBinaries.standard().find(master.version());
            Process process = new ProcessBuilder(binary.toString(), conf.toString(), "--sentinel")
                    .directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("sentinel.log").toFile()).start();
            RedisEndpoint endpoint = RedisEndpoint.of("127.0.0.1", port);
            SentinelProcess sentinel = new SentinelProcess(process, password == null ? endpoint : endpoint.withPassword(password), dir);
            sentinel.awaitReplicas(name, replicas, Duration.ofSeconds(30));
            return sentinel;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public RedisEndpoint endpoint() {
        return endpoint;
    }

    /** {@code SENTINEL FAILOVER <name>}, retried while the Sentinel has no replica it deems good yet. */
    public void failover(String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (RedisConnection conn = RedisConnection.open(endpoint)) {
                RespValue reply = conn.call("SENTINEL", "FAILOVER", name);
                if (!(reply instanceof RespValue.Error)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("SENTINEL FAILOVER " + name + ": " + reply.asText());
                }
            }
            Thread.sleep(100);
        }
    }

    /** The master's address as the Sentinel names it now ("127.0.0.1:6379"). */
    public String masterAddress(String name) {
        try (RedisConnection conn = RedisConnection.open(endpoint)) {
            List<RespValue> items = ((RespValue.Array) conn.callChecked("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)).items();
            return items.get(0).asText() + ":" + items.get(1).asText();
        }
    }

    private void awaitReplicas(String name, int replicas, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (RedisConnection conn = RedisConnection.open(endpoint)) {
                RespValue reply = conn.callChecked("SENTINEL", "REPLICAS", name);
                if (((RespValue.Array) reply).items().size() >= replicas) {
                    return;
                }
            } catch (RuntimeException e) {
                // Not listening yet.
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("the Sentinel does not know " + replicas + " replica(s) of " + name
                        + " within " + timeout + " (alive: " + process.isAlive() + ", log in " + dir + ")");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
