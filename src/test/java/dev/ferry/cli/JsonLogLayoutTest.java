package dev.ferry.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --log-format json}: one JSON object a line, with the date, time and UTC offset, any message escaped. */
class JsonLogLayoutTest {

    @Test
    void aLineIsOneJsonObjectWithTimeAndOffsetLevelLoggerThreadMessageAndError() {
        LoggerContext context = new LoggerContext();
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), context.getLogger("dev.ferry.task.SyncTask"),
                Level.WARN, "key \"a\\b\"\nnext\tline \u0001 {}", new IllegalStateException("gone"), new Object[] {"é"});
        String line = new JsonLogLayout().doLayout(event);

        assertThat(line).endsWith("\n").doesNotContain("\tat ");
        assertThat(line.strip()).doesNotContain("\n");
        Map<String, Object> json = new Yaml().load(line);
        assertThat((String) json.get("time")).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2})");
        assertThat(json).containsEntry("level", "WARN").containsEntry("logger", "SyncTask")
                .containsEntry("message", "key \"a\\b\"\nnext\tline \u0001 é")
                .containsEntry("error", "java.lang.IllegalStateException: gone")
                .containsEntry("thread", Thread.currentThread().getName());
        context.stop();
    }
}
