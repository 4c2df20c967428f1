package dev.ferry.embedded;

import dev.ferry.FerryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the command named by {@link RedisBinaries#FETCH_PROPERTY} ({@code .ci/debian-servers} in the build) to
 * put a missing server version into the binary directory: {@code <command> --cache DIR --into DIR <version>}.
 * One fetch at a time in this JVM (the command locks its cache against other processes itself); {@link #fetch}
 * blocks until the command exits, at most {@link #TIMEOUT}.
 */
final class BinaryFetcher {

    static final Duration TIMEOUT = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(BinaryFetcher.class);
    private static final Object LOCK = new Object();
    private static final int QUOTED_LINES = 12;

    private final Path command;
    private final Path cacheDir;
    private final Path binDir;

    BinaryFetcher(Path command, Path cacheDir, Path binDir) {
        this.command = command;
        this.cacheDir = cacheDir;
        this.binDir = binDir;
    }

    /**
     * Runs the command for {@code version}; its output goes to the log.
     *
     * @throws FerryException the command could not run, failed (its last lines quoted) or took too long
     */
    void fetch(VersionName version) {
        String server = version.server() + " " + version.number();
        List<String> cmd = List.of(command.toString(), "--cache", cacheDir.toString(), "--into", binDir.toString(),
                version.toString());
        synchronized (LOCK) {
            Path log = null;
            Process process = null;
            try {
                log = Files.createTempFile("ferry-fetch-", ".log");
                LOG.info("no {} in {}: fetching it with {}", server, binDir, command);
                process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                boolean exited = process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (!exited) {
                    process.destroyForcibly();
                }
                List<String> output = Files.readAllLines(log, StandardCharsets.UTF_8);
                output.forEach(line -> LOG.info("{}", line));
                if (!exited) {
                    throw new FerryException(command + " did not fetch " + server + " within " + TIMEOUT.toMinutes()
                            + " min" + quote(output));
                }
                if (process.exitValue() != 0) {
                    throw new FerryException("no " + server + " in " + binDir + ", and " + command
                            + " could not fetch it (exit " + process.exitValue() + ")" + quote(output));
                }
            } catch (IOException e) {
                throw new FerryException("cannot run " + command + " to fetch " + server + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroy();
                throw new FerryException("interrupted while fetching " + server + " with " + command, e);
            } finally {
                deleteQuietly(log);
            }
        }
    }

    private static String quote(List<String> output) {
        List<String> tail = output.subList(Math.max(0, output.size() - QUOTED_LINES), output.size());
        return tail.isEmpty() ? "" : ":\n  " + String.join("\n  ", tail);
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A leftover log in the temp directory is harmless.
        }
    }
}
