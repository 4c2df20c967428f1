package dev.ferry.task;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The width of the terminal Ferry runs in, in columns: {@code COLUMNS} when the shell exports it, else what
 * {@code stty size} says of {@code /dev/tty}, else 80. Asked again at most every {@value #RECHECK_MS} ms, so a
 * resized window is followed. {@link #getAsInt} may block for a moment (it runs {@code stty}); one thread uses it.
 */
final class TerminalWidth implements IntSupplier {

    static final int DEFAULT = 80;
    private static final long RECHECK_MS = 5_000;

    private int width = DEFAULT;
    private long checkedAt = Long.MIN_VALUE;

    @Override
    public int getAsInt() {
        long now = System.currentTimeMillis();
        if (checkedAt == Long.MIN_VALUE || now - checkedAt >= RECHECK_MS) {
            checkedAt = now;
            width = ask();
        }
        return width;
    }

    private static int ask() {
        int columns = parse(System.getenv("COLUMNS"));
        if (columns > 0) {
            return columns;
        }
        File tty = new File("/dev/tty");
        if (!tty.canRead()) {
            return DEFAULT;
        }
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(tty)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (!p.waitFor(1, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                return DEFAULT;
            }
            // "rows columns"
            String[] parts = out.split("\\s+");
            columns = parts.length == 2 ? parse(parts[1]) : -1;
            return columns > 0 ? columns : DEFAULT;
        } catch (IOException e) {
            return DEFAULT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DEFAULT;
        }
    }

    static int parse(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
