package dev.ferry.precheck;

/**
 * The precheck table as text: one row per check (status, name, what was found), and under every warning
 * or failure an indented line with its fix. Ends with a one-line verdict.
 */
public final class TableRenderer {

    private TableRenderer() {
    }

    public static String render(PrecheckReport report) {
        int width = "CHECK".length();
        for (CheckResult r : report.results()) {
            width = Math.max(width, r.name().length());
        }
        String row = "%-6s %-" + width + "s  %s%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(row, "STATUS", "CHECK", "RESULT"));
        for (CheckResult r : report.results()) {
            sb.append(String.format(row, r.status().label(), r.name(), r.detail()));
            if (r.fix() != null && (r.status() == CheckStatus.WARN || r.status() == CheckStatus.FAIL)) {
                sb.append(" ".repeat(7 + width + 2)).append("fix: ").append(r.fix()).append('\n');
            }
        }
        int failures = report.failures().size();
        int warnings = report.warnings().size();
        sb.append('\n').append(failures > 0
                ? "precheck FAILED: " + failures + " check(s) failed, " + warnings + " warning(s)"
                : "precheck passed" + (warnings > 0 ? " with " + warnings + " warning(s)" : "")).append('\n');
        return sb.toString();
    }
}
