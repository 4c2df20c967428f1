package dev.ferry.task;

import java.util.Locale;

/** What a sync copies: the snapshot, the later writes, or both. */
public enum SyncMode {
    FULL_AND_INCREMENTAL("full+incremental"),
    FULL("full"),
    INCREMENTAL("incremental");

    private final String label;

    SyncMode(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean copiesSnapshot() {
        return this != INCREMENTAL;
    }

    public boolean streams() {
        return this != FULL;
    }

    public static SyncMode parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (SyncMode m : values()) {
            if (m.label.equals(t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("mode: " + text + " (expected: full+incremental, full or incremental)");
    }

    @Override
    public String toString() {
        return label;
    }
}
