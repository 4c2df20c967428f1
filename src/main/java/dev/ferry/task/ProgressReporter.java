package dev.ferry.task;

import dev.ferry.cluster.CrossSlotCounters;
import dev.ferry.pipeline.SyncCounters;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Shows how a sync is going: during the snapshot a progress bar (keys and bytes applied, rate, ETA
 * from the source's key count), then a status line (ops/s, lag). On a terminal the line redraws in
 * place; otherwise one line is printed every {@code plainEvery} ticks, for logs.
 */
public final class ProgressReporter {

    private static final int BAR_WIDTH = 24;

    private final PrintStream out;
    private final boolean terminal;
    private final long intervalMs;
    private final int plainEvery;
    private ScheduledExecutorService timer;
    private SyncTask task;
    private long startedAt;
    private long lastTick;
    private long lastOps;
    private int ticks;
    private boolean drewLine;

    public ProgressReporter(PrintStream out, boolean terminal, long intervalMs, int plainEvery) {
        this.out = out;
        this.terminal = terminal;
        this.intervalMs = intervalMs;
        this.plainEvery = Math.max(1, plainEvery);
    }

    /** A reporter for the process's standard error, redrawing when it is a terminal. */
    public static ProgressReporter forStderr() {
        return new ProgressReporter(System.err, System.console() != null, 1000, 10);
    }

    synchronized void start(SyncTask t) {
        this.task = t;
        this.startedAt = System.currentTimeMillis();
        this.lastTick = startedAt;
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
        String line = line(task, System.currentTimeMillis());
        if (terminal) {
            out.print("\r" + line + "\u001b[K");
            out.flush();
            drewLine = true;
        } else if (ticks % plainEvery == 0) {
            out.println(line);
        }
    }

    String line(SyncTask t, long now) {
        SyncCounters c = t.counters();
        long keys = c.snapshotKeys.sum() + c.snapshotKeysSkipped.sum();
        if (t.state() == TaskState.SNAPSHOT) {
            long total = t.sourceKeys();
            double seconds = Math.max(0.001, (now - startedAt) / 1000.0);
            double rate = keys / seconds;
            StringBuilder sb = new StringBuilder("snapshot ");
            if (total > 0) {
                double frac = Math.min(1.0, (double) keys / total);
                int filled = (int) Math.round(frac * BAR_WIDTH);
                sb.append('[').append("#".repeat(filled)).append(" ".repeat(BAR_WIDTH - filled)).append("] ")
                        .append(String.format(Locale.ROOT, "%3.0f%% ", frac * 100));
            }
            sb.append(keys).append(total > 0 ? "/" + total : "").append(" keys, ")
                    .append(bytes(c.snapshotBytes.sum())).append(", ")
                    .append(String.format(Locale.ROOT, "%.0f keys/s", rate));
            if (total > 0 && rate > 0 && keys < total) {
                sb.append(", ETA ").append(duration((long) ((total - keys) / rate)));
            }
            return sb.append(heldBack(t.options().snapshotThrottle())).toString();
        }
        if (t.state() == TaskState.RETRYING) {
            return "retrying: " + t.retryReason() + ", lag " + lag(t.lagMillis());
        }
        long ops = c.commandsForwarded.sum();
        double seconds = Math.max(0.001, (now - lastTick) / 1000.0);
        double opsRate = (ops - lastOps) / seconds;
        lastOps = ops;
        lastTick = now;
        long spooled = t.spooled();
        CrossSlotCounters.Snapshot crossSlot = c.crossSlot.snapshot();
        return String.format(Locale.ROOT, "%s: %d keys copied, %d writes forwarded, %.0f ops/s, lag %s, offset %d%s%s%s%s",
                t.state().name().toLowerCase(Locale.ROOT), c.snapshotKeys.sum(), ops, opsRate,
                lag(t.lagMillis()), t.appliedOffset(), spooled > 0 ? ", spooled " + bytes(spooled) : "",
                crossSlot.total() > 0 ? ", across slots: " + crossSlot.describe() : "",
                heldBack(t.options().streamThrottle()), t.lastEvent() == null ? "" : "; " + t.lastEvent());
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
