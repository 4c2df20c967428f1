package dev.ferry.rdb;

import java.nio.charset.StandardCharsets;

/**
 * Parses sorted-set scores stored as text: in RDB type 3 values and in ziplist/listpack entries, where
 * Redis writes them with {@code %.17g} and spells infinities {@code inf} / {@code -inf}.
 */
final class Scores {

    private Scores() {
    }

    static double parse(byte[] text, RdbReader errors) {
        String s = new String(text, StandardCharsets.US_ASCII).trim();
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "inf", "+inf", "infinity", "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Double.NEGATIVE_INFINITY;
            case "nan", "-nan", "+nan":
                return Double.NaN;
            default:
                break;
        }
        if (s.isEmpty() || !isPlainNumber(s)) {
            throw errors.fail("invalid score '" + s + "'");
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw errors.fail("invalid score '" + s + "'");
        }
    }

    /** Rejects what Java accepts but C's strtod output never contains (hex floats, 'd'/'f' suffixes). */
    private static boolean isPlainNumber(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') {
                return false;
            }
        }
        return true;
    }
}
