package dev.ferry.precheck;

/** The outcome of one check. Only {@link #FAIL} stops a sync. */
public enum CheckStatus {
    PASS("pass"),
    /** A risk the user should know about; the sync may still run. */
    WARN("WARN"),
    /** The sync would fail or lose data. */
    FAIL("FAIL"),
    /** Not run: skipped on request, or a check it depends on failed. */
    SKIP("skip");

    private final String label;

    CheckStatus(String label) {
        this.label = label;
    }

    /** How the table shows it: problems in capitals, so they stand out. */
    public String label() {
        return label;
    }
}
