package dev.ferry.task;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The progress line: within the terminal's width, a bar only where it fits, no ETA before the rate is measured. */
class ProgressReporterTest {

    @Test
    void onANarrowTerminalTheBarShrinksThenGoesAndTheLineNeverWraps() {
        String wide = ProgressReporter.snapshotLine(true, 500, 1000, 4096, 10_000, 500, "", 200);
        assertThat(wide).startsWith("snapshot [############            ]  50% 500/1000 keys");
        for (int columns = 20; columns <= 120; columns++) {
            String line = ProgressReporter.fit(ProgressReporter.snapshotLine(true, 500, 1000, 4096, 10_000, 500, "",
                    columns), columns);
            assertThat(line.length()).as("at %d columns: %s", columns, line).isLessThanOrEqualTo(columns);
        }
        String narrow = ProgressReporter.snapshotLine(true, 500, 1000, 4096, 10_000, 500, "", 70);
        assertThat(narrow).contains("[").hasSizeLessThanOrEqualTo(70);
        assertThat(ProgressReporter.snapshotLine(true, 500, 1000, 4096, 10_000, 500, "", 40)).doesNotContain("[");
        assertThat(ProgressReporter.fit("streaming: 10 keys copied, 5 writes forwarded", 20))
                .isEqualTo("streaming: 10 keys \u2026");
    }

    @Test
    void withoutATerminalTheLineIsPlainAndHasNoEtaUntilTheRateIsMeasured() {
        String early = ProgressReporter.snapshotLine(false, 100, 1000, 4096, 2_000, 100, "", Integer.MAX_VALUE);
        assertThat(early).isEqualTo("snapshot  10% 100/1000 keys, 4.0 KiB, 50 keys/s");
        String measured = ProgressReporter.snapshotLine(false, 500, 1000, 4096, 10_000, 500, "", Integer.MAX_VALUE);
        assertThat(measured).doesNotContain("[").endsWith("50 keys/s, ETA 10s");
        assertThat(ProgressReporter.snapshotLine(false, 500, -1, 4096, 10_000, 500, "", Integer.MAX_VALUE))
                .isEqualTo("snapshot 500 keys, 4.0 KiB, 50 keys/s");
        assertThat(ProgressReporter.snapshotLine(false, 0, 1000, 0, 0, 0, "", Integer.MAX_VALUE))
                .endsWith("rate not measured yet");
    }
}
