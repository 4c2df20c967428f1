package dev.ferry.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import dev.ferry.verify.JsonReportWriter;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One JSON object per log line ({@code --log-format json}): {@code {"time":"2025-05-01T12:00:00.123+02:00",
 * "level":"INFO","logger":"SyncTask","thread":"main","message":"…"}}, plus {@code "error"} (the exception's class and
 * message, no stack trace) when there is one. The time is local, with its UTC offset. Stateless, thread-safe.
 */
final class JsonLogLayout extends LayoutBase<ILoggingEvent> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"time\":\"")
                .append(TIME.format(OffsetDateTime.ofInstant(Instant.ofEpochMilli(event.getTimeStamp()), ZoneId.systemDefault())))
                .append("\",\"level\":\"").append(event.getLevel()).append('"');
        field(sb, "logger", shortName(event.getLoggerName()));
        field(sb, "thread", event.getThreadName());
        field(sb, "message", event.getFormattedMessage());
        IThrowableProxy error = event.getThrowableProxy();
        if (error != null) {
            field(sb, "error", error.getClassName() + (error.getMessage() == null ? "" : ": " + error.getMessage()));
        }
        return sb.append('}').append(CoreConstants.LINE_SEPARATOR).toString();
    }

    private static String shortName(String logger) {
        return logger.substring(logger.lastIndexOf('.') + 1);
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(",\"").append(name).append("\":").append(JsonReportWriter.string(value == null ? "" : value));
    }
}
