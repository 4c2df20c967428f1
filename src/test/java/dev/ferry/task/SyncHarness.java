package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.ServerInfo;

import java.time.Duration;

/** Runs a {@link SyncTask} on a thread of its own and waits for its milestones, for integration tests. */
final class SyncHarness implements AutoCloseable {

    final SyncTask task;
    private final Thread thread;

    private SyncHarness(SyncTask task) {
        this.task = task;
        this.thread = new Thread(() -> {
            try {
                task.run();
            } catch (FerryException e) {
                // Kept in task.failure() for the test to inspect.
            }
        }, "sync-under-test");
    }

    static SyncHarness start(SyncOptions options) {
        SyncHarness h = new SyncHarness(new SyncTask(options, null));
        h.thread.start();
        return h;
    }

    /** Waits until the snapshot has been applied and the stream flows. */
    SyncHarness awaitStreaming(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (task.state() != TaskState.STREAMING) {
            failIfFailed();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("sync not streaming after " + timeout + " (state " + task.state() + ")");
            }
            Thread.sleep(10);
        }
        return this;
    }

    /** Waits until the target has applied everything the source has written so far. */
    void awaitCaughtUp(RedisConnection source, Duration timeout) throws InterruptedException {
        long offset = ServerInfo.fetch(source).getLong("master_repl_offset", -1);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (task.appliedOffset() < offset) {
            failIfFailed();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("target applied up to " + task.appliedOffset() + ", source is at " + offset);
            }
            Thread.sleep(5);
        }
    }

    /** Waits for the task to end by itself ({@link SyncMode#FULL}) and returns its failure, or null. */
    FerryException awaitEnd(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            throw new AssertionError("sync still running after " + timeout + " (state " + task.state() + ")");
        }
        return task.failure();
    }

    /** Waits for the task to fail, as it should, and returns the failure. */
    FerryException awaitFailure(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (task.failure() == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("sync still running after " + timeout + " (state " + task.state() + ")");
            }
            Thread.sleep(20);
        }
        return task.failure();
    }

    /** Stops the task cleanly and rethrows its failure, if any. */
    void stop() throws InterruptedException {
        task.stop();
        thread.join(30_000);
        failIfFailed();
    }

    private void failIfFailed() {
        if (task.failure() != null) {
            throw new AssertionError("sync failed: " + task.failure().getMessage(), task.failure());
        }
    }

    @Override
    public void close() throws InterruptedException {
        task.stop();
        thread.join(30_000);
    }
}
