package dev.ferry.task;

import java.util.Locale;

/** What to do when the target already holds keys in the databases a sync writes. */
public enum ExistingKeys {
    /** Refuse to start. */
    CHECK,
    /** Replace same-name keys; leave the others. */
    OVERWRITE;

    public static ExistingKeys parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("existing: " + text + " (expected: check or overwrite)");
        }
    }
}
