package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No output of Ferry ever shows a password, whatever the input: malformed URIs, unreachable hosts, wrong
 * passwords, passwords from a file or the environment, for every command that takes URIs; everything the
 * process prints (its log included) and every report it writes is searched for the password and for parts of it.
 * Passwords from a file or the environment are used.
 */
class SecretLeakIT {

    private static final String SECRET = "Zebra-Secret-9473";
    private static final Duration EXIT = Duration.ofSeconds(60);

    @Test
    void noOutputOfAnyCommandShowsThePasswordWhateverTheInput() throws Exception {
        try (RedisServer guarded = RedisServer.builder().arg("--requirepass", "right-one").start();
             RedisServer open = RedisServer.builder().start()) {
            String target = "redis://127.0.0.1:" + open.port();
            List<String> sources = List.of(
                    "redis://:Zebra%zzSecret-9473@127.0.0.1:" + guarded.port(),
                    "redis://127.0.0.1:" + guarded.port() + ":" + SECRET,
                    "redis://127.0.0.1:" + guarded.port() + "/" + SECRET,
                    "redis://" + SECRET + "@127.0.0.1:" + guarded.port(),
                    "redis://default:" + SECRET + "@127.0.0.1:" + guarded.port(),
                    "redis://someone:" + SECRET + "@127.0.0.1:1",
                    "rediss://:" + SECRET + "@127.0.0.1:" + guarded.port(),
                    "http://:" + SECRET + "@127.0.0.1:" + guarded.port());
            Path report = Files.createTempFile("ferry-verify", ".json");
            List<String> outputs = new ArrayList<>();
            for (String source : sources) {
                outputs.add(run(Map.of(), 0, "sync", "--quiet", "--retry-for", "0", "--mode", "full", "--source", source,
                        "--target", target));
                outputs.add(run(Map.of(), 0, "precheck", "--source", source, "--target", target));
                outputs.add(run(Map.of(), 0, "verify", "--report", report.toString(), "--source", source, "--target", target));
                outputs.add(Files.readString(report));
            }
            // Wrong passwords from the environment and from a file.
            Path file = Files.createTempFile("ferry-password", ".txt");
            Files.writeString(file, SECRET + "\n");
            String plain = "redis://127.0.0.1:" + guarded.port();
            outputs.add(run(Map.of("FERRY_SOURCE_PASSWORD", SECRET), 0, "precheck", "--source", plain, "--target", target));
            outputs.add(run(Map.of(), 0, "verify", "--source-password-file", file.toString(), "--source", plain,
                    "--target", target));
            outputs.add(run(Map.of(), 2, "sync", "--source-password-file", file.toString(),
                    "--source", "redis://:other@127.0.0.1:" + guarded.port(), "--target", target));

            for (String output : outputs) {
                assertThat(output).doesNotContain(SECRET).doesNotContain("Secret-9473").doesNotContain("Zebra");
            }
        }
    }

    @Test
    void aPasswordFromAFileOrTheEnvironmentIsUsedAndAPasswordGivenTwiceIsRefused() throws Exception {
        try (RedisServer guarded = RedisServer.builder().arg("--requirepass", SECRET).start();
             RedisServer open = RedisServer.builder().start()) {
            String plain = "redis://127.0.0.1:" + guarded.port();
            String target = "redis://127.0.0.1:" + open.port();
            Path file = Files.createTempFile("ferry-password", ".txt");
            Files.writeString(file, SECRET + "\n");

            String fromFile = run(Map.of(), 0, "verify", "--source-password-file", file.toString(), "--source", plain,
                    "--target", target);
            String fromEnv = run(Map.of("FERRY_SOURCE_PASSWORD", SECRET), 0, "verify", "--source", plain, "--target", target);
            String twice = run(Map.of(), 2, "verify", "--source-password-file", file.toString(),
                    "--source", "redis://:" + SECRET + "@127.0.0.1:" + guarded.port(), "--target", target);
            String without = run(Map.of(), 0, "verify", "--source", plain, "--target", target);

            assertThat(fromFile).contains("result: consistent").doesNotContain(SECRET);
            assertThat(fromEnv).contains("result: consistent").doesNotContain(SECRET);
            assertThat(twice).contains("give the password in one place").doesNotContain(SECRET);
            assertThat(without).doesNotContain("result: consistent").containsIgnoringCase("password");
        }
    }

    /**
     * Runs Ferry with {@code env}, waits for it to exit, and returns everything it printed; with {@code expected}
     * above 0, the exit code must be that one, else any non-zero one unless the command succeeded.
     */
    private static String run(Map<String, String> env, int expected, String... args) throws Exception {
        try (FerryProcess ferry = FerryProcess.start(env, args)) {
            int code = ferry.awaitExit(EXIT);
            if (expected > 0) {
                assertThat(code).as("exit code of %s; output:\n%s", args[0], ferry.log()).isEqualTo(expected);
            }
            return ferry.log();
        }
    }
}
