package dev.ferry.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import dev.ferry.FerryException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code --log-format text|json} and {@code --log-file FILE}, options of every command: where the log goes (standard
 * error by default; the messages Ferry prints for the user, "ferry: …", stay there) and as what (the shipped pattern, or
 * one JSON object per line, {@link JsonLogLayout}). Applied once, on the main thread, before the command runs.
 */
final class LogOptions {

    enum Format { TEXT, JSON }

    @Option(names = "--log-format", defaultValue = "text", paramLabel = "FORMAT", scope = ScopeType.INHERIT,
            converter = FormatConverter.class,
            description = "text (default: date, time and UTC offset, level, source, message) or json (one JSON object a line).")
    Format format = Format.TEXT;

    @Option(names = "--log-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Append the log to FILE instead of standard error.")
    Path file;

    /** Reconfigures Logback's root logger when an option asks for a change; the shipped configuration otherwise. */
    void apply() {
        if (format == Format.TEXT && file == null) {
            return;
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Encoder<ILoggingEvent> encoder = encoder(context, root);
        OutputStreamAppender<ILoggingEvent> appender;
        if (file != null) {
            checkWritable(file);
            FileAppender<ILoggingEvent> f = new FileAppender<>();
            f.setFile(file.toString());
            f.setAppend(true);
            appender = f;
        } else {
            appender = new ch.qos.logback.core.ConsoleAppender<>();
            ((ch.qos.logback.core.ConsoleAppender<ILoggingEvent>) appender).setTarget("System.err");
        }
        appender.setName(file != null ? "FILE" : "STDERR");
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.start();
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
    }

    /**
     * {@code --quiet}: the log on standard error keeps its warnings and errors only (a {@code --log-file} keeps
     * everything: it is not the terminal). Called on the main thread before the command starts its work.
     */
    static void quietOnStderr(org.slf4j.ILoggerFactory factory) {
        if (factory instanceof LoggerContext context) {
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            if (root.getAppender("STDERR") != null && !root.getEffectiveLevel().isGreaterOrEqual(Level.WARN)) {
                root.setLevel(Level.WARN);
            }
        }
    }

    /** JSON lines, or the pattern of the shipped configuration (logback.xml), so that a log file reads like the terminal. */
    private Encoder<ILoggingEvent> encoder(LoggerContext context, Logger root) {
        if (format == Format.JSON) {
            JsonLogLayout layout = new JsonLogLayout();
            layout.setContext(context);
            layout.start();
            LayoutWrappingEncoder<ILoggingEvent> e = new LayoutWrappingEncoder<>();
            e.setLayout(layout);
            e.setContext(context);
            e.start();
            return e;
        }
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setPattern(shippedPattern(root));
        e.setContext(context);
        e.start();
        return e;
    }

    private static String shippedPattern(Logger root) {
        Appender<ILoggingEvent> shipped = root.getAppender("STDERR");
        if (shipped instanceof OutputStreamAppender<ILoggingEvent> out && out.getEncoder() instanceof PatternLayoutEncoder p) {
            return p.getPattern();
        }
        return "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0}: %msg%n";
    }

    /** Logback would only note a file it cannot open in its status; say so to the user instead. */
    private static void checkWritable(Path file) {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            out.flush();
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "its directory does not exist"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage();
            throw new FerryException("cannot write the log file " + file + ": " + why + " (give another --log-file)");
        }
    }

    /** "text" or "json", any case. */
    static final class FormatConverter implements picocli.CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            return switch (value.toLowerCase(java.util.Locale.ROOT)) {
                case "text" -> Format.TEXT;
                case "json" -> Format.JSON;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "'" + value + "' (expected: text or json)");
            };
        }
    }
}
