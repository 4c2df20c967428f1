package dev.ferry.precheck;

import java.util.function.Function;

/** A {@link Check} made of a name, what it needs, and a function. */
record SimpleCheck(String name, boolean needsSource, boolean needsTarget, Function<Context, CheckResult> body)
        implements Check {

    @Override
    public CheckResult run(Context context) {
        return body.apply(context);
    }
}
