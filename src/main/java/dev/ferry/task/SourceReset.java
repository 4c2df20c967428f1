package dev.ferry.task;

import java.util.Locale;

/**
 * What a resuming task does when the source's replication history restarted: a new replication id that
 * does not continue the checkpoint's (the source restarted without its data, or is another server).
 */
public enum SourceReset {
    /** Stop with the reason and keep the target as it is: a standby must not lose what its source lost. */
    STOP,
    /** Follow the source: empty what the task owns on the target and copy the source as it is now. */
    RESYNC;

    public static SourceReset parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("on-source-reset: " + text + " (expected: stop or resync)");
        }
    }
}
