package dev.ferry.cli;

import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.Sentinel;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Passwords kept off the command line, where {@code ps} shows them to every user: from a file
 * ({@code --source-password-file}, {@code --target-password-file}: its first line) or from the environment
 * ({@code FERRY_SOURCE_PASSWORD}, {@code FERRY_TARGET_PASSWORD}), for a URI that carries none. A password in
 * the URI and in a file is refused (which one was meant?); one in the environment only fills in. The Sentinels of
 * a {@code redis-sentinel://} URI have a password of their own ({@code --sentinel-password-file},
 * {@code FERRY_SENTINEL_PASSWORD}), never in the URI, whose credentials are the master's. No message ever quotes a
 * password or a line of the file. A picocli mixin; stateless once parsed.
 */
final class Passwords {

    static final String SOURCE_ENV = "FERRY_SOURCE_PASSWORD";
    static final String TARGET_ENV = "FERRY_TARGET_PASSWORD";
    static final String SENTINEL_ENV = "FERRY_SENTINEL_PASSWORD";

    @Option(names = "--source-password-file", paramLabel = "FILE",
            description = "Read the source's password from the first line of FILE (or set " + SOURCE_ENV + "), not the URI.")
    Path sourceFile;

    @Option(names = "--target-password-file", paramLabel = "FILE",
            description = "Read the target's password from the first line of FILE (or set " + TARGET_ENV + "), not the URI.")
    Path targetFile;

    @Option(names = "--sentinel-password-file", paramLabel = "FILE",
            description = "Read the password of the Sentinels of a redis-sentinel:// URI (their requirepass) from the"
                    + " first line of FILE (or set " + SENTINEL_ENV + ").")
    Path sentinelFile;

    /**
     * Where the {@code FERRY_*_PASSWORD} variables are read: the process's environment, or (for a task of
     * {@code ferry server}) the variables its definition names.
     */
    java.util.function.UnaryOperator<String> environment = System::getenv;

    RedisEndpoint source(CommandLine cli, RedisEndpoint endpoint) {
        return resolve(cli, endpoint, "--source", sourceFile, SOURCE_ENV, environment.apply(SOURCE_ENV));
    }

    RedisEndpoint target(CommandLine cli, RedisEndpoint endpoint) {
        return resolve(cli, endpoint, "--target", targetFile, TARGET_ENV, environment.apply(TARGET_ENV));
    }

    /** The Sentinels asked with their password: the file's, else the environment's; as they are without one. */
    Sentinel sentinels(CommandLine cli, Sentinel sentinel) {
        return sentinels(cli, sentinel, sentinelFile, environment.apply(SENTINEL_ENV));
    }

    static Sentinel sentinels(CommandLine cli, Sentinel sentinel, Path file, String fromEnv) {
        String password = file != null ? read(cli, "--sentinel", file) : fromEnv;
        return password == null || password.isEmpty() ? sentinel : sentinel.withPassword(password);
    }

    /**
     * The endpoint with its password: the URI's, else the file's, else the environment's ({@code fromEnv}).
     *
     * @throws ParameterException a password both in the URI and in a file, or a file that cannot be read
     */
    static RedisEndpoint resolve(CommandLine cli, RedisEndpoint endpoint, String option, Path file, String envName,
                                 String fromEnv) {
        if (file != null) {
            if (endpoint.password() != null) {
                throw new ParameterException(cli, option + " has a password in its URI and " + option
                        + "-password-file names a file: give the password in one place");
            }
            return endpoint.withPassword(read(cli, option, file));
        }
        if (endpoint.password() == null && fromEnv != null && !fromEnv.isEmpty()) {
            return endpoint.withPassword(fromEnv);
        }
        return endpoint;
    }

    static String read(CommandLine cli, String option, Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            // The exception's own message may quote the bytes it could not decode: name the file only.
            throw new ParameterException(cli, option + "-password-file: cannot read " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (lines.isEmpty() || lines.get(0).isEmpty()) {
            throw new ParameterException(cli, option + "-password-file: " + file + " is empty (expected: the password on"
                    + " its first line)");
        }
        return lines.get(0);
    }
}
