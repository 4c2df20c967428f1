package dev.ferry.precheck;

import java.util.List;

/** Every check's result, in the order they ran. */
public record PrecheckReport(List<CheckResult> results) {

    public PrecheckReport {
        results = List.copyOf(results);
    }

    /** Whether a check failed: a sync must not start. */
    public boolean failed() {
        return results.stream().anyMatch(r -> r.status() == CheckStatus.FAIL);
    }

    public List<CheckResult> failures() {
        return results.stream().filter(r -> r.status() == CheckStatus.FAIL).toList();
    }

    public List<CheckResult> warnings() {
        return results.stream().filter(r -> r.status() == CheckStatus.WARN).toList();
    }

    /** The result of the check named {@code name}, or null when it did not run. */
    public CheckResult get(String name) {
        return results.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    /** One line naming the failed checks, for a sync that refuses to start. */
    public String failureSummary() {
        StringBuilder sb = new StringBuilder("precheck failed: ");
        String sep = "";
        for (CheckResult r : failures()) {
            sb.append(sep).append(r.name()).append(" (").append(r.detail()).append(')');
            sep = "; ";
        }
        return sb.append(" (run 'ferry precheck' for the fixes, or skip a check with --skip-checks NAME)").toString();
    }
}
