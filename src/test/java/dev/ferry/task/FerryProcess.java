package dev.ferry.task;

import dev.ferry.checkpoint.Checkpoint;
import dev.ferry.checkpoint.CheckpointStore;
import dev.ferry.resp.RedisConnection;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Ferry's command line in a process of its own, so that tests can kill it with SIGKILL or SIGTERM. */
final class FerryProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private FerryProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code ferry args} with the JVM options of the launcher, bin/jvm.options (its heap ceiling included). */
    static FerryProcess start(String... args) throws IOException {
        return start(java.util.Map.of(), args);
    }

    /** As {@link #start(String...)}, with {@code env} added to the process's environment. */
    static FerryProcess start(java.util.Map<String, String> env, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(launcherOptions());
        // As bin/ferry does: FERRY_JAVA_OPTS comes after the launcher's options and wins.
        String extra = System.getenv("FERRY_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.ferry.cli.Main"));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("ferry-process", ".log");
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        return new FerryProcess(p, log);
    }

    /** The options bin/ferry gives the JVM: the lines of bin/jvm.options that are not comments. */
    static List<String> launcherOptions() throws IOException {
        return Files.readAllLines(Path.of("bin", "jvm.options")).stream().map(String::trim)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    }

    /** Waits for the process to exit by itself, and returns its exit code. */
    int awaitExit(java.time.Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("ferry still running after " + timeout + "; log:\n" + log());
        }
        return process.exitValue();
    }

    /** SIGKILL: no flush, no checkpoint, no goodbye. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, then the exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("ferry did not stop within 30 s of SIGTERM; log:\n" + log());
        }
        return process.exitValue();
    }

    /** Waits until the process's output contains {@code text}. */
    void awaitLog(String text, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!log().contains(text)) {
            if (!process.isAlive()) {
                throw new AssertionError("ferry exited before logging '" + text + "':\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("ferry did not log '" + text + "' within " + timeout + ":\n" + log());
            }
            Thread.sleep(20);
        }
    }

    /**
     * Waits until {@code target} holds exactly the data of {@code src} (Ferry's own keys aside), this process
     * running all along; fails with the differences and the log after {@code timeout}.
     */
    void awaitSameData(RedisConnection src, dev.ferry.testing.ClusterHarness target, java.time.Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> differences = dev.ferry.testing.ClusterData.differences(src, target);
        while (!differences.isEmpty() && System.nanoTime() < deadline) {
            if (!isAlive()) {
                throw new AssertionError("ferry died:\n" + log());
            }
            Thread.sleep(100);
            differences = dev.ferry.testing.ClusterData.differences(src, target);
        }
        if (!differences.isEmpty()) {
            throw new AssertionError(differences.size() + " difference(s), e.g. " + differences.get(0) + "; ferry log:\n" + log());
        }
    }

    /** Sends a signal by name ("STOP", "CONT", "TERM"...) with kill(1). */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " failed");
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        new File(log.toString()).delete();
    }

    /** Waits until {@code store}'s checkpoint in {@code target} is in the stream phase, at {@code offset} or beyond. */
    void awaitCheckpoint(CheckpointStore store, RedisConnection target, long offset)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        Checkpoint cp = store.load(target);
        while (cp == null || cp.phase() != Checkpoint.Phase.STREAM || cp.position().offset() < offset) {
            if (!isAlive()) {
                throw new AssertionError("ferry died:\n" + log());
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("checkpoint not at offset " + offset + " within 60 s; log:\n" + log());
            }
            Thread.sleep(50);
            cp = store.load(target);
        }
    }
}
