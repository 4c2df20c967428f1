package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ferry sync} in a process of its own with the shipped log configuration (not the tests'): {@code --quiet}
 * leaves only the one-line result, or the error; without a terminal and without it, progress comes as plain lines.
 */
class QuietIT {

    /** The shipped logback.xml, as bin/ferry runs it (the test class path would pick logback-test.xml first). */
    private static final Map<String, String> SHIPPED_LOG = Map.of("JAVA_TOOL_OPTIONS", "-Dlogback.configurationFile=logback.xml");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void quietPrintsOnlyTheResultOrTheErrorAndTheDefaultPrintsTheLog() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-backlog-size", "64mb").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisServer other = RedisServer.builder().version("7.0.15").start()) {
            try (RedisConnection c = source.connect()) {
                for (int i = 0; i < 100; i++) {
                    c.callChecked("SET", "k:" + i, "v");
                }
            }
            List<String> quiet = run("sync", "--quiet", "--mode", "full", "--source", uri(source), "--target", uri(target));
            assertThat(quiet).containsExactly("ferry: sync finished: 100 keys copied, 0 writes forwarded");

            List<String> failed = run("sync", "--quiet", "--mode", "full", "--source", uri(source), "--target",
                    "redis://127.0.0.1:1");
            assertThat(failed).singleElement().asString().startsWith("ferry: error: ");

            List<String> loud = run("sync", "--mode", "full", "--source", uri(source), "--target", uri(other));
            assertThat(loud).anyMatch(line -> line.contains(" INFO ")).contains(quiet.get(0));
        }
    }

    @Test
    void withoutATerminalProgressIsPlainLinesWithTheirRate() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start()) {
            try (RedisConnection c = source.connect()) {
                for (int i = 0; i < 1200; i++) {
                    c.callChecked("SET", "k:" + i, "v");
                }
            }
            // 100 keys a second: the snapshot lasts 12 s, long enough for the line printed every 10 s.
            try (FerryProcess ferry = FerryProcess.start(SHIPPED_LOG, "sync", "--mode", "full", "--max-ops-per-sec", "100",
                    "--source", uri(source), "--target", uri(target))) {
                assertThat(ferry.awaitExit(WAIT)).as(ferry.log()).isZero();
                String log = ferry.log();
                assertThat(log).doesNotContain("\r").doesNotContain("\u001b").doesNotContain("[#");
                assertThat(log.lines().filter(line -> line.startsWith("snapshot ")).toList()).as(log).singleElement()
                        .asString().contains("/1200 keys").contains("keys/s").contains("ETA");
            }
        }
    }

    private static List<String> run(String... args) throws IOException, InterruptedException {
        try (FerryProcess ferry = FerryProcess.start(SHIPPED_LOG, args)) {
            ferry.awaitExit(WAIT);
            return ferry.log().lines().filter(line -> !line.startsWith("Picked up JAVA_TOOL_OPTIONS")).toList();
        }
    }

    private static String uri(RedisServer server) {
        return "redis://127.0.0.1:" + server.port();
    }
}
