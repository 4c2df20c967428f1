package dev.ferry.verify;

import java.util.Locale;

/** How deeply values are compared. Types and expiry times are compared in every mode. */
public enum VerifyMode {
    /** Type and size: string length, element count. Cheap: a few commands per key. */
    OUTLINE,
    /** Every element, read in bounded chunks for big keys. */
    FULL;

    public static VerifyMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mode: " + text + " (expected: outline or full)");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
