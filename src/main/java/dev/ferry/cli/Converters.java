package dev.ferry.cli;

import dev.ferry.FerryException;
import dev.ferry.precheck.Precheck;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.Sentinel;
import dev.ferry.pipeline.DbMap;
import dev.ferry.pipeline.MixedKeys;
import dev.ferry.task.ExistingKeys;
import dev.ferry.task.SourceReset;
import dev.ferry.task.SyncMode;
import dev.ferry.verify.VerifyMode;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

import java.util.function.Function;

/**
 * Picocli converters for the options the commands share, so that a bad value is a usage error (exit 2, with
 * the "Try 'ferry … --help'" line) found before any server is contacted. Stateless and thread-safe.
 */
final class Converters {

    private Converters() {
    }

    /** {@code --mode} of {@code sync}. */
    static final class Mode implements ITypeConverter<SyncMode> {
        @Override
        public SyncMode convert(String text) {
            return usage(SyncMode::parse, text);
        }
    }

    /** {@code --mode} of {@code verify}. */
    static final class Verify implements ITypeConverter<VerifyMode> {
        @Override
        public VerifyMode convert(String text) {
            return usage(VerifyMode::parse, text);
        }
    }

    /** {@code --on-mixed-keys}. */
    static final class Mixed implements ITypeConverter<MixedKeys> {
        @Override
        public MixedKeys convert(String text) {
            return usage(MixedKeys::parse, text);
        }
    }

    /** {@code --on-source-reset}. */
    static final class Reset implements ITypeConverter<SourceReset> {
        @Override
        public SourceReset convert(String text) {
            return usage(SourceReset::parse, text);
        }
    }

    /** {@code --existing}. */
    static final class Existing implements ITypeConverter<ExistingKeys> {
        @Override
        public ExistingKeys convert(String text) {
            return usage(ExistingKeys::parse, text);
        }
    }

    /** One database number of {@code --dbs}. */
    static final class Database implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            return (int) atLeastZero(text, "a database number", Integer.MAX_VALUE);
        }
    }

    /** One {@code SRC:DST} of {@code --db-map}. */
    static final class DbPair implements ITypeConverter<DbMap.Pair> {
        @Override
        public DbMap.Pair convert(String text) {
            return usage(DbMap.Pair::parse, text);
        }
    }

    /** A count or a duration in whole units that cannot be negative ({@code --retry-for}). */
    static final class NonNegative implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            return atLeastZero(text, "a whole number", Long.MAX_VALUE);
        }
    }

    /** A duration: {@code 500ms}, {@code 10s}, {@code 2m}, or a number of seconds. */
    static final class DurationConverter implements ITypeConverter<java.time.Duration> {
        @Override
        public java.time.Duration convert(String text) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m)?").matcher(text.trim());
            if (!m.matches()) {
                throw new TypeConversionException("'" + text + "' (expected: a duration such as 500ms, 10s or 2m)");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> java.time.Duration.ofMillis(n);
                case "m" -> java.time.Duration.ofMinutes(n);
                default -> java.time.Duration.ofSeconds(n);
            };
        }
    }

    /** One name of {@code --skip-checks}. */
    static final class CheckName implements ITypeConverter<String> {
        @Override
        public String convert(String text) {
            String name = text.trim();
            if (!Precheck.CHECK_NAMES.contains(name)) {
                throw new TypeConversionException("unknown check '" + text + "' (expected one of: "
                        + String.join(", ", Precheck.CHECK_NAMES) + ")");
            }
            return name;
        }
    }

    /**
     * Parses the URI given to {@code option}.
     *
     * @throws ParameterException the URI is malformed (the message never quotes a password)
     */
    /**
     * The endpoint {@code uri} names; for a {@code redis-sentinel://} URI, the master its Sentinels name now (a
     * Sentinel that does not answer is a runtime error, not a usage error).
     */
    static RedisEndpoint endpoint(CommandLine cli, String option, String uri, Passwords passwords) {
        if (Sentinel.isSentinelUri(uri)) {
            return sentinel(cli, option, uri, passwords).master();
        }
        try {
            return RedisEndpoint.parse(uri);
        } catch (FerryException e) {
            throw new ParameterException(cli, option + ": " + e.getMessage());
        }
    }

    /** The Sentinels and master name of a {@code redis-sentinel://} URI, with the Sentinels' password if one is given. */
    static Sentinel sentinel(CommandLine cli, String option, String uri, Passwords passwords) {
        Sentinel sentinel;
        try {
            sentinel = Sentinel.parse(uri);
        } catch (FerryException e) {
            throw new ParameterException(cli, option + ": " + e.getMessage());
        }
        return passwords.sentinels(cli, sentinel);
    }

    private static long atLeastZero(String text, String what, long max) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not " + what + " (expected: 0 to " + max + ")");
        }
        if (value < 0 || value > max) {
            throw new TypeConversionException(text + " (expected: 0 to " + max + ")");
        }
        return value;
    }

    private static <T> T usage(Function<String, T> parse, String text) {
        try {
            return parse.apply(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
