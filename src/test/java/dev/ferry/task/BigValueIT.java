package dev.ferry.task;

import dev.ferry.checkpoint.CheckpointStore;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Values of any size in the replication stream, with the launcher's heap (bin/jvm.options): each is
 * spilled to a file and streamed to the target, never held whole, and arrives exact; a target that
 * refuses one ends the sync with one clear error instead of a hang.
 */
class BigValueIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path stateDir;

    @Test
    void aHundredMebibyteWriteInTheStreamArrivesExactAndLaterWritesFollow() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect();
             FerryProcess ferry = FerryProcess.start("sync", "--quiet", "--state-dir", stateDir.toString(),
                     "--source", "redis://127.0.0.1:" + source.port(), "--target", "redis://127.0.0.1:" + target.port())) {
            awaitStreaming(ferry, source, target, tgt);
            src.callChecked("SET", "big", randomBytes(100 << 20, 1));
            src.callChecked("HSET", "hash", "small", "1", "large", randomBytes(24 << 20, 2));
            src.callChecked("RPUSH", "list", "a", randomBytes(24 << 20, 3), "z");
            // Inside a source transaction, which is applied whole in one batch.
            src.send("MULTI");
            src.send("SET", "inside", randomBytes(8 << 20, 7));
            src.send("INCR", "counter");
            src.send("EXEC");
            src.flush();
            for (int i = 0; i < 4; i++) {
                assertThat(src.read().isError()).isFalse();
            }
            src.callChecked("SET", "after", "1");
            awaitValue(ferry, tgt, "after", "1");
            assertThat(digests(tgt, "big", "hash", "list", "inside", "counter"))
                    .isEqualTo(digests(src, "big", "hash", "list", "inside", "counter"));
            assertThat(spilledFiles()).as("spill files, once written to the target").isEmpty();

            src.callChecked("INCR", "later");
            awaitValue(ferry, tgt, "later", "1");
            assertThat(ferry.terminate()).as("exit code after SIGTERM; log:\n%s", ferry.log()).isZero();
        }
    }

    @Test
    void aSixHundredMebibyteValueArrivesExactWhenBothSidesAllowIt() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0")
                .arg("--proto-max-bulk-len", "1gb").arg("--client-output-buffer-limit", "replica", "0", "0", "0").start();
             RedisServer target = RedisServer.builder().version("7.0.15").arg("--proto-max-bulk-len", "1gb").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect();
             FerryProcess ferry = FerryProcess.start("sync", "--quiet", "--state-dir", stateDir.toString(),
                     "--source", "redis://127.0.0.1:" + source.port(), "--target", "redis://127.0.0.1:" + target.port())) {
            awaitStreaming(ferry, source, target, tgt);
            setStreamed(source, "huge", 600L << 20);
            src.callChecked("SET", "after", "1");
            awaitValue(ferry, tgt, "after", "1");
            assertThat(tgt.callChecked("STRLEN", "huge").asLong()).isEqualTo(600L << 20);
            assertThat(digests(tgt, "huge")).isEqualTo(digests(src, "huge"));
            assertThat(ferry.terminate()).as("exit code after SIGTERM; log:\n%s", ferry.log()).isZero();
        }
    }

    @Test
    void aBigValueTheTargetRefusesEndsTheSyncWithOneErrorWithinSeconds() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version("7.0.15").arg("--maxmemory", "50mb")
                     .arg("--maxmemory-policy", "noeviction").start();
             RedisConnection src = source.connect()) {
            src.callChecked("SET", "big", randomBytes(100 << 20, 4));
            for (int batch = 0; batch < 200; batch++) {
                List<Object> hset = new ArrayList<>(List.of("HSET", "fields"));
                for (int i = 0; i < 1000; i++) {
                    hset.add("field:" + batch + ":" + i);
                    hset.add("value-" + i);
                }
                src.callChecked(hset.toArray());
            }
            long started = System.nanoTime();
            try (FerryProcess ferry = FerryProcess.start("sync", "--quiet", "--mode", "full", "--skip-checks", "target-memory",
                    "--state-dir", stateDir.toString(),
                    "--source", "redis://127.0.0.1:" + source.port(), "--target", "redis://127.0.0.1:" + target.port())) {
                int exit = ferry.awaitExit(Duration.ofSeconds(60));
                long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
                String log = ferry.log();
                assertThat(exit).as("exit code; log:\n%s", log).isEqualTo(1);
                List<String> errors = log.lines().filter(l -> l.startsWith("ferry: error:")).toList();
                assertThat(errors).as("log:\n%s", log).hasSize(1);
                assertThat(errors.get(0)).contains("OOM").hasSizeLessThan(1000);
                assertThat(log).doesNotContain("Exception in thread");
                assertThat(seconds).as("seconds to the error").isLessThan(30);
            }
        }
    }

    @Test
    void aThreadThatRunsOutOfMemoryEndsTheSyncWithWhatToDoInsteadOfAGreenStatus() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect();
             FerryProcess ferry = FerryProcess.start("sync", "--quiet", "--state-dir", stateDir.toString(),
                     "--source", "redis://127.0.0.1:" + source.port(), "--target", "redis://127.0.0.1:" + target.port())) {
            awaitStreaming(ferry, source, target, tgt);
            // A key is held in memory (filters read it): one of 150 MiB cannot fit in the launcher's heap.
            src.callChecked("SET", randomBytes(150 << 20, 6), "v");
            int exit = ferry.awaitExit(TIMEOUT);
            String log = ferry.log();
            assertThat(exit).as("exit code; log:\n%s", log).isEqualTo(1);
            assertThat(log.lines().filter(l -> l.startsWith("ferry: error:")).toList()).as("log:\n%s", log)
                    .singleElement().asString().contains("ran out of memory").contains("FERRY_JAVA_OPTS")
                    .contains("--memory-budget");
        }
    }

    /** SET key <length bytes>, written to the socket in 1 MiB chunks: the test never holds the value whole. */
    private static void setStreamed(RedisServer server, String key, long length) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + length + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = randomBytes(1 << 20, 5);
            for (long sent = 0; sent < length; sent += chunk.length) {
                // Each chunk differs from the others, so a chunk copied twice or skipped changes the digest.
                chunk[0] = (byte) (sent >> 20);
                chunk[1] = (byte) (sent >> 28);
                out.write(chunk, 0, (int) Math.min(chunk.length, length - sent));
            }
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(5);
            assertThat(new String(reply, StandardCharsets.US_ASCII)).isEqualTo("+OK\r\n");
        }
    }

    /** Waits until the task's checkpoint says it streams. */
    private static void awaitStreaming(FerryProcess ferry, RedisServer source, RedisServer target, RedisConnection tgt)
            throws InterruptedException {
        String id = SyncTask.taskId(SyncOptions.builder(source.endpoint(), target.endpoint()).build());
        ferry.awaitCheckpoint(new CheckpointStore(id), tgt, 0);
    }

    private static List<String> digests(RedisConnection conn, String... keys) {
        Object[] cmd = new Object[keys.length + 2];
        cmd[0] = "DEBUG";
        cmd[1] = "DIGEST-VALUE";
        System.arraycopy(keys, 0, cmd, 2, keys.length);
        return ((RespValue.Array) conn.callChecked(cmd)).items().stream().map(RespValue::asText).toList();
    }

    private static void awaitValue(FerryProcess ferry, RedisConnection target, String key, String value)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!value.equals(target.callChecked("GET", key).asText())) {
            if (!ferry.isAlive()) {
                throw new AssertionError("ferry died:\n" + ferry.log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(key + " did not reach the target within " + TIMEOUT + "; log:\n" + ferry.log());
            }
            Thread.sleep(50);
        }
    }

    private List<Path> spilledFiles() throws IOException {
        try (Stream<Path> files = Files.walk(stateDir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("bulk-")).toList();
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
