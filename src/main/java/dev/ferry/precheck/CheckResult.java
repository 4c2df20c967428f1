package dev.ferry.precheck;

import java.util.Objects;

/**
 * One row of the precheck table.
 *
 * @param name the check's name, as given to {@code --skip-checks}
 * @param detail one line: what was found
 * @param fix one line: what to do about it; null for a pass
 */
public record CheckResult(String name, CheckStatus status, String detail, String fix) {

    public CheckResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
    }

    public static CheckResult pass(String name, String detail) {
        return new CheckResult(name, CheckStatus.PASS, detail, null);
    }

    public static CheckResult warn(String name, String detail, String fix) {
        return new CheckResult(name, CheckStatus.WARN, detail, fix);
    }

    public static CheckResult fail(String name, String detail, String fix) {
        return new CheckResult(name, CheckStatus.FAIL, detail, fix);
    }

    public static CheckResult skip(String name, String why) {
        return new CheckResult(name, CheckStatus.SKIP, why, null);
    }
}
