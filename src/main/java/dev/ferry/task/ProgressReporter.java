package dev.ferry.task;

import dev.ferry.cluster.CrossSlotCounters;
import dev.ferry.pipeline.SyncCounters;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Shows how a sync is going: during the snapshot its progress (keys and bytes applied, rate, and an ETA once the
 * rate has been measured for {@value #ETA_AFTER_MS} ms against the source's key count), then a status line (ops/s,
 * lag). On a terminal the line redraws in place, cut to the terminal's width (the bar shrinks first); otherwise a
 * plain line is printed every {@code plainEvery} ticks, for logs. Its own timer thread draws; start/stop are
 * called by the task's thread.
 */
public final class ProgressReporter {

    private static final int BAR_WIDTH = 24;
    private static final int MIN_BAR = 8;
    /** No ETA before the snapshot's rate has been measured this long: an earlier one would be made up. */
    static final long ETA_AFTER_MS = 5_000;

    private final PrintStream out;
    private final boolean terminal;
    private final IntSupplier width;
    private final long intervalMs;
    private final int plainEvery;
    private ScheduledExecutorService timer;
    private SyncTask task;
    private long lastTick;
    private long lastOps;
    private long snapshotSeenAt = -1;
    private long keysWhenSeen;
    private int ticks;
    private boolean drewLine;

    public ProgressReporter(PrintStream out, boolean terminal, long intervalMs, int plainEvery) {
        this(out, terminal, () -> TerminalWidth.DEFAULT, intervalMs, plainEvery);
    }

    /** @param width the terminal's width in columns, asked at each redraw (terminal only) */
    ProgressReporter(PrintStream out, boolean terminal, IntSupplier width, long intervalMs, int plainEvery) {
        this.out = out;
        this.terminal = terminal;
        this.width = width;
        this.intervalMs = intervalMs;
        this.plainEvery = Math.max(1, plainEvery);
    }

    /** A reporter for the process's standard error, redrawing in the terminal's width when it is a terminal. */
    public static ProgressReporter forStderr() {
        boolean terminal = System.console() != null;
        return new ProgressReporter(System.err, terminal, terminal ? new TerminalWidth() : () -> TerminalWidth.DEFAULT,
                1000, 10);
    }

    synchronized void start(SyncTask t) {
        this.task = t;
        this.lastTick = System.currentTimeMillis();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "ferry-progress");
            th.setDaemon(true);
            return th;
        });
        timer.scheduleAtFixedRate(this::tick, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
        tick();
        if (terminal && drewLine) {
            out.println();
        }
    }

    private synchronized void tick() {
        if (task == null) {
            return;
        }
        ticks++;
        long now = System.currentTimeMillis();
        if (terminal) {
            out.print("\r" + line(task, now, width.getAsInt() - 1) + "\u001b[K");
            out.flush();
            drewLine = true;
        } else {
            noteSnapshot(task, task.state(), now);
            if (ticks % plainEvery == 0) {
                out.println(line(task, now, Integer.MAX_VALUE));
            }
        }
    }

    /** Remembers when the snapshot was first seen copying, and how far it was then: where its rate is measured from. */
    private void noteSnapshot(SyncTask t, TaskState state, long now) {
        if (state != TaskState.SNAPSHOT) {
            snapshotSeenAt = -1;
        } else if (snapshotSeenAt < 0) {
            snapshotSeenAt = now;
            keysWhenSeen = snapshotKeys(t.counters());
        }
    }

    private static long snapshotKeys(SyncCounters c) {
        return c.snapshotKeys.sum() + c.snapshotKeysSkipped.sum();
    }

    /** The line for {@code t} now, at most {@code columns} characters (a plain line: no bar, whatever its length). */
    String line(SyncTask t, long now, int columns) {
        TaskState state = t.state();
        noteSnapshot(t, state, now);
        SyncCounters c = t.counters();
        if (state == TaskState.SNAPSHOT) {
            return fit(snapshotLine(terminal, snapshotKeys(c), t.sourceKeys(), c.snapshotBytes.sum(),
                    now - snapshotSeenAt, snapshotKeys(c) - keysWhenSeen, heldBack(t.options().snapshotThrottle()),
                    columns), columns);
        }
        if (state == TaskState.RETRYING) {
            return fit("retrying: " + t.retryReason() + ", lag " + lag(t.lagMillis()), columns);
        }
        long ops = c.commandsForwarded.sum();
        double seconds = Math.max(0.001, (now - lastTick) / 1000.0);
        double opsRate = (ops - lastOps) / seconds;
        lastOps = ops;
        lastTick = now;
        long spooled = t.spooled();
        CrossSlotCounters.Snapshot crossSlot = c.crossSlot.snapshot();
        return fit(String.format(Locale.ROOT, "%s: %d keys copied, %d writes forwarded, %.0f ops/s, lag %s, offset %d%s%s%s%s",
                t.state().name().toLowerCase(Locale.ROOT), c.snapshotKeys.sum(), ops, opsRate,
                lag(t.lagMillis()), t.appliedOffset(), spooled > 0 ? ", spooled " + bytes(spooled) : "",
                crossSlot.total() > 0 ? ", across slots: " + crossSlot.describe() : "",
                heldBack(t.options().streamThrottle()), t.lastEvent() == null ? "" : "; " + t.lastEvent()), columns);
    }

    /**
     * The snapshot's line: {@code keys} of {@code total} (-1: unknown), the rate over the {@code measuredMs} in which
     * {@code keysMeasured} were copied, an ETA only once that is {@value #ETA_AFTER_MS} ms long; on a terminal a bar
     * in what {@code columns} leaves (none below {@value #MIN_BAR} characters).
     */
    static String snapshotLine(boolean terminal, long keys, long total, long bytes, long measuredMs, long keysMeasured,
                               String heldBack, int columns) {
        double rate = measuredMs > 0 ? keysMeasured * 1000.0 / measuredMs : 0;
        StringBuilder rest = new StringBuilder();
        if (total > 0) {
            rest.append(String.format(Locale.ROOT, "%3.0f%% ", Math.min(1.0, (double) keys / total) * 100));
        }
        rest.append(keys).append(total > 0 ? "/" + total : "").append(" keys, ").append(bytes(bytes)).append(", ")
                .append(measuredMs > 0 ? String.format(Locale.ROOT, "%.0f keys/s", rate) : "rate not measured yet");
        if (total > 0 && rate > 0 && keys < total && measuredMs >= ETA_AFTER_MS) {
            rest.append(", ETA ").append(duration((long) ((total - keys) / rate)));
        }
        rest.append(heldBack);
        String head = "snapshot ";
        int room = Math.min(BAR_WIDTH, columns - head.length() - rest.length() - 3);
        if (!terminal || total <= 0 || room < MIN_BAR) {
            return head + rest;
        }
        int filled = (int) Math.round(Math.min(1.0, (double) keys / total) * room);
        return head + "[" + "#".repeat(filled) + " ".repeat(room - filled) + "] " + rest;
    }

    /** {@code line} cut to {@code columns}, ending in an ellipsis when cut. */
    static String fit(String line, int columns) {
        if (line.length() <= columns) {
            return line;
        }
        return columns <= 1 ? "" : line.substring(0, columns - 1) + "\u2026";
    }

    /** ", held back by the limit (…)" while a throttle is holding the sync back, else "". */
    private String heldBack(dev.ferry.Throttle throttle) {
        return throttle.heldBackWithin(2 * intervalMs) ? ", held back by the limit (" + throttle + ")" : "";
    }

    private static String lag(long ms) {
        return ms < 0 ? "unknown" : ms + " ms";
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / 1048576.0);
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / 1073741824.0);
    }

    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return (seconds / 60) + "m" + (seconds % 60) + "s";
        }
        return (seconds / 3600) + "h" + (seconds % 3600 / 60) + "m";
    }
}
