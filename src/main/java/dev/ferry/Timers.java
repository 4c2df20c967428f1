package dev.ferry;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The periodic jobs of every task in the process (a replication link's {@code REPLCONF ACK}, a task's heartbeat
 * and lease renewal) on shared threads instead of a timer thread each: 64 masters used to run 192 timer threads.
 * One clock thread only schedules; each run happens on a pooled thread that takes the job's name while it runs
 * ({@code ferry-ack-<master>}, {@code ferry-lease-<task>}) and goes back to the pool after. A job that blocks (a
 * renewal on a target that does not answer) holds one pooled thread, never the clock nor the other jobs; idle
 * pooled threads end after {@link #IDLE_SECONDS}, so a process with healthy servers keeps a few: as many as runs
 * overlap (more on a machine short of CPU, where each round trip takes longer). Jobs that never block
 * ({@link #everyQuick}) run on the clock thread itself.
 * docs/DECISIONS.md, entry 58.
 *
 * <p>Runs of one job never overlap: the next is scheduled {@code period} after the previous ended (fixed delay).
 * A job that throws is not run again, as with a {@link ScheduledExecutorService}: its owner reports the error.
 *
 * <p>Thread-safe.
 */
public final class Timers {

    /** Seconds a pooled thread waits for another run before it ends. */
    public static final int IDLE_SECONDS = 10;
    private static final String IDLE_NAME = "ferry-timer-idle";
    private static final ScheduledThreadPoolExecutor CLOCK = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "ferry-timers"));
    private static final AtomicInteger RUNNERS_STARTED = new AtomicInteger();
    private static final ExecutorService RUNNERS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS,
            TimeUnit.SECONDS, new SynchronousQueue<>(), r -> daemon(r, IDLE_NAME + "-" + RUNNERS_STARTED.incrementAndGet()));

    static {
        CLOCK.setRemoveOnCancelPolicy(true);
    }

    private Timers() {
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Runs {@code work} after {@code initialDelay} plus a random part of half a {@code period}, then {@code period}
     * after each run ends, on a pooled thread named {@code name} while it runs, until the returned job is closed.
     * The random part spreads the jobs of tasks started together over the period: 64 heartbeats due at the same
     * instant would each take a pooled thread of their own.
     */
    public static Job every(String name, Duration initialDelay, Duration period, Runnable work) {
        long spread = java.util.concurrent.ThreadLocalRandom.current().nextLong(Math.max(1, period.toNanos() / 2));
        return start(name, initialDelay.plusNanos(spread), period, work, false);
    }

    /**
     * As {@link #every}, for work that never blocks and takes microseconds (a few bytes written into a socket's
     * buffer): it runs on the clock thread itself, so a process's many such jobs need no pooled thread at all.
     */
    public static Job everyQuick(String name, Duration initialDelay, Duration period, Runnable work) {
        return start(name, initialDelay, period, work, true);
    }

    private static Job start(String name, Duration initialDelay, Duration period, Runnable work, boolean onClock) {
        // The connections a run opens are named after the task that asked for the job (ClientName), not the pool's.
        Job job = new Job(name, period.toNanos(), dev.ferry.resp.ClientName.keeping(work), onClock);
        job.schedule(initialDelay.toNanos());
        return job;
    }

    /** One periodic job; {@link #close()} stops it. Thread-safe. */
    public static final class Job implements AutoCloseable {

        private static final long CLOSE_WAIT_MS = 2000;

        private final String name;
        private final long periodNanos;
        private final Runnable work;
        private final boolean onClock;
        private ScheduledFuture<?> next;
        private Thread running;
        private boolean stopped;

        private Job(String name, long periodNanos, Runnable work, boolean onClock) {
            this.name = name;
            this.periodNanos = periodNanos;
            this.work = work;
            this.onClock = onClock;
        }

        private synchronized void schedule(long delayNanos) {
            if (!stopped) {
                Runnable run = onClock ? this::runOnce : () -> RUNNERS.execute(this::runOnce);
                next = CLOCK.schedule(run, delayNanos, TimeUnit.NANOSECONDS);
            }
        }

        private void runOnce() {
            Thread self = Thread.currentThread();
            String idle = self.getName();
            synchronized (this) {
                if (stopped) {
                    return;
                }
                running = self;
            }
            self.setName(name);
            boolean again = false;
            try {
                work.run();
                again = true;
            } catch (Throwable t) {
                // The owner's work reports its own failures; a throw only ends the job.
            } finally {
                self.setName(idle);
                synchronized (this) {
                    running = null;
                    Thread.interrupted();
                    notifyAll();
                }
                if (again) {
                    schedule(periodNanos);
                }
            }
        }

        /** No further run; a run under way goes on (callable from the job's own run). */
        public synchronized void stop() {
            stopped = true;
            if (next != null) {
                next.cancel(false);
            }
        }

        /**
         * No further run; a run under way is interrupted and waited for, up to 2 s (not when called from that
         * run itself).
         */
        @Override
        public void close() {
            long deadline = System.currentTimeMillis() + CLOSE_WAIT_MS;
            synchronized (this) {
                stop();
                if (running == Thread.currentThread()) {
                    return;
                }
                if (running != null) {
                    running.interrupt();
                }
                try {
                    while (running != null && System.currentTimeMillis() < deadline) {
                        wait(Math.max(1, deadline - System.currentTimeMillis()));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
