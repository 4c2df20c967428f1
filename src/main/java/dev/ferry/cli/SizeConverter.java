package dev.ferry.cli;

import picocli.CommandLine;

import java.util.Locale;

/**
 * A size in bytes as a user writes it: {@code 67108864}, {@code 64m}, {@code 64mb}, {@code 64MiB},
 * {@code 1g}... Every unit is binary (k = 1024), whatever its spelling.
 */
final class SizeConverter implements CommandLine.ITypeConverter<Long> {

    @Override
    public Long convert(String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        int end = 0;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        if (end == 0 || end > 18) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a size (expected: bytes, or a number"
                    + " with k, m, g or t, as in 64m or 64MiB)");
        }
        long number = Long.parseLong(text.substring(0, end));
        int shift = switch (text.substring(end).trim()) {
            case "", "b" -> 0;
            case "k", "kb", "kib" -> 10;
            case "m", "mb", "mib" -> 20;
            case "g", "gb", "gib" -> 30;
            case "t", "tb", "tib" -> 40;
            default -> throw new CommandLine.TypeConversionException("'" + value + "' has an unknown unit (expected:"
                    + " k, m, g or t, as in 64m or 64MiB)");
        };
        if (number > (Long.MAX_VALUE >> shift)) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too large");
        }
        return number << shift;
    }
}
