package dev.ferry.cli;

import java.util.concurrent.CountDownLatch;

/** Turns SIGINT/SIGTERM into a clean stop: the hook asks the task to stop and waits for it to flush. */
final class Signals {

    private static final CountDownLatch finished = new CountDownLatch(1);

    private Signals() {
    }

    /** Registers {@code stop} to run on SIGINT/SIGTERM; the JVM then waits until {@link #finished()} is called. */
    static void stopOnShutdown(Runnable stop) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.run();
            try {
                finished.await(java.util.concurrent.TimeUnit.SECONDS.toMillis(30), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ferry-shutdown"));
    }

    /** The task has stopped: shutdown may proceed. */
    static void finished() {
        finished.countDown();
    }
}
