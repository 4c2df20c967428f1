package dev.ferry.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a size given on the command line: a plain number is bytes; {@code B}, {@code KB}/{@code KiB},
 * {@code MB}/{@code MiB}, {@code GB}/{@code GiB} and {@code TB}/{@code TiB} are powers of 1024, as redis.conf
 * reads {@code kb}, {@code mb} and {@code gb}; the case does not matter and a fraction is allowed ({@code 1.5GiB}).
 * The bare {@code k}, {@code m} and {@code g} that redis.conf reads as powers of 1000 are refused rather than
 * guessed. Stateless and thread-safe.
 */
final class ByteSize implements ITypeConverter<Long> {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-z]*)");
    private static final Map<String, Long> UNITS = Map.of(
            "", 1L, "b", 1L,
            "kb", 1L << 10, "kib", 1L << 10,
            "mb", 1L << 20, "mib", 1L << 20,
            "gb", 1L << 30, "gib", 1L << 30,
            "tb", 1L << 40, "tib", 1L << 40);

    @Override
    public Long convert(String text) {
        return parse(text);
    }

    /**
     * @throws TypeConversionException not a size, or more than {@link Long#MAX_VALUE} bytes
     */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        Long unit = m.matches() ? UNITS.get(m.group(2)) : null;
        if (unit == null) {
            throw new TypeConversionException("'" + text + "' is not a size (expected: bytes, or a number with B, KB, MB, GB,"
                    + " TB or KiB, MiB, GiB, TiB, all powers of 1024, e.g. 64MiB or 1.5GB)");
        }
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).setScale(0, RoundingMode.DOWN);
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new TypeConversionException("'" + text + "' is too large (expected: at most " + Long.MAX_VALUE + " bytes)");
        }
        return bytes.longValueExact();
    }

    /** The same sizes, for an option held in an {@code int}: at most 2 GiB - 1 bytes. */
    static final class Int implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            long bytes = parse(text);
            if (bytes > Integer.MAX_VALUE) {
                throw new TypeConversionException("'" + text + "' is too large (expected: less than 2GiB)");
            }
            return (int) bytes;
        }
    }
}
