package dev.ferry.precheck;

/**
 * One precheck. Runs on the caller's thread, may block on the network, and never throws on purpose: an
 * unexpected error is turned into a warning by {@link Precheck}.
 */
interface Check {

    /** The name shown in the table and accepted by {@code --skip-checks}. */
    String name();

    /** Whether the check needs a working connection to the source. */
    boolean needsSource();

    /** Whether the check needs a working connection to the target. */
    boolean needsTarget();

    CheckResult run(Context context);

    /** What every check may look at. */
    record Context(PrecheckOptions options, Side source, Side target) {
    }
}
