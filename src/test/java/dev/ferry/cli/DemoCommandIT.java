package dev.ferry.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ferry demo}, the first command a new user runs: it ends with an exact copy and exit 0. */
class DemoCommandIT {

    @Test
    void theDemoEndsWithAnExactCopy() {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "demo");
        assertThat(code).as("exit code; stderr:\n%s", err).isZero();
    }
}
