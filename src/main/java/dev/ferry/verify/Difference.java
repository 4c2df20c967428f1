package dev.ferry.verify;

import java.util.Locale;
import java.util.Objects;

/**
 * One key that differs between source and target, and how.
 *
 * @param detail one line saying what differs, values escaped ("list differs at index 3: source "a", target "b"")
 */
public record Difference(KeyRef key, Kind kind, String detail) implements Comparable<Difference> {

    /** What kind of difference; a key has at most one, the first found in this order. */
    public enum Kind {
        /** On the source, not on the target. */
        MISSING,
        /** On the target, not on the source. */
        EXTRA,
        /** Different types. */
        TYPE,
        /** Same type, different size or content. */
        VALUE,
        /** Same value, different expiry time (or one side has none). */
        EXPIRY;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Difference {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public int compareTo(Difference o) {
        return key.compareTo(o.key);
    }

    @Override
    public String toString() {
        return key + ": " + detail;
    }
}
