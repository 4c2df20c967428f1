package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --log-format json --log-file FILE}: the log goes to the file as JSON lines; the user's messages stay on the terminal. */
class LogFileIT {

    @Test
    void theLogGoesToTheFileAsJsonLinesAndTheTerminalKeepsTheSummary(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ferry.log");
        try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
            try (RedisConnection c = source.connect()) {
                c.callChecked("SET", "k", "v");
            }
            try (FerryProcess ferry = FerryProcess.start("sync", "--quiet", "--mode", "full", "--log-format", "json",
                    "--log-file", file.toString(), "--source", "redis://127.0.0.1:" + source.port(),
                    "--target", "redis://127.0.0.1:" + target.port())) {
                assertThat(ferry.awaitExit(Duration.ofSeconds(60))).as(ferry.log()).isZero();
                assertThat(ferry.log()).contains("ferry: sync finished: 1 keys copied").doesNotContain("\"time\"")
                        .doesNotContain(" INFO ");
            }
            List<String> lines = Files.readAllLines(file);
            assertThat(lines).isNotEmpty();
            for (String line : lines) {
                Map<String, Object> json = new Yaml().load(line);
                assertThat((String) json.get("time")).as(line)
                        .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2})");
                assertThat(json).as(line).containsKeys("level", "logger", "thread", "message");
            }
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"logger\":\"SyncTask\""));
        }
    }
}
