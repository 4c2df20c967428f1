package dev.ferry.pipeline;

import java.util.Locale;

/**
 * What a key-filtered sync does with a write it cannot split: one that touches keys both inside and outside
 * the filter, such as {@code RENAME user:1 other:1} under {@code --keys 'user:*'} ({@code --on-mixed-keys}).
 */
public enum MixedKeys {
    /** Stop the sync at that write (the default): nothing diverges without the user's say. */
    STOP,
    /** Apply the write whole: the target then also holds the keys it wrote outside the filter. */
    APPLY,
    /** Leave the write out: the keys it wrote inside the filter keep their earlier value on the target. */
    DROP;

    /** {@code stop}, {@code apply} or {@code drop}, in any case. */
    public static MixedKeys parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("on-mixed-keys: " + text + " (expected: stop, apply or drop)");
        }
    }

    /** The option's value as a user writes it. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
