package dev.ferry.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code ferry worker} refuses before it joins anything: one clear line and a non-zero exit. */
class WorkerCommandTest {

    private record Run(int code, String err) {
    }

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
        return new Run(code, err.toString());
    }

    @Test
    void aConfigWithoutTasksIsRefused(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("ferry.yaml"), "tasks: []\n");
        Run r = run("worker", "--config", config.toString(), "--port", "0");
        assertThat(r.code()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(r.err()).contains("ferry: error: --config " + config + ": no task");
    }

    @Test
    void aMissingConfigIsNamed(@TempDir Path dir) {
        Run r = run("worker", "--config", dir.resolve("absent.yaml").toString());
        assertThat(r.code()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(r.err()).contains("ferry: error: --config: no file " + dir.resolve("absent.yaml"));
    }

    @Test
    void aLeaseShorterThanTwoSecondsIsAUsageError(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("ferry.yaml"),
                "tasks:\n  - name: a\n    source: redis://127.0.0.1:1\n    target: redis://127.0.0.1:2\n");
        Run r = run("worker", "--config", config.toString(), "--lease-ttl", "500ms");
        assertThat(r.code()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains("--lease-ttl: 500 ms (expected: at least 2s)");
        assertThat(run("worker", "--config", config.toString(), "--lease-ttl", "ten").err())
                .contains("'ten' (expected: a duration such as 500ms, 10s or 2m)");
    }

    @Test
    void aCoordinatorThatCannotBeReachedIsNamedWithoutItsPassword(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("ferry.yaml"),
                "tasks:\n  - name: a\n    source: redis://127.0.0.1:1\n    target: redis://127.0.0.1:2\n");
        Path password = Files.writeString(dir.resolve("pw"), "s3cret-coordinator\n");
        // The worker starts (its tasks go on without the coordinator); here we only check the refusal of a bad URI.
        Run r = run("worker", "--config", config.toString(), "--coordinator", "redis://127.0.0.1:notaport",
                "--coordinator-password-file", password.toString());
        assertThat(r.code()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains("--coordinator").doesNotContain("s3cret-coordinator");
    }
}
