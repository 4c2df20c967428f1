package dev.ferry.verify;

import dev.ferry.FerryException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Worker threads that take {@link KeyBatch}es from a bounded queue and compare them, each with a
 * {@link KeyComparer} (and so connections) of its own; differences go into a shared map. Producers are
 * {@link KeyScanner}s on threads of their own, or the caller for a list of batches. The first failure
 * stops every thread and is rethrown to the caller. One pool serves one round.
 */
final class WorkerPool implements AutoCloseable {

    private static final KeyBatch END = new KeyBatch(-1, List.of(), false);

    private final int workers;
    private final Supplier<KeyComparer> comparers;
    private final Map<KeyRef, Difference> differences;
    private final BlockingQueue<KeyBatch> queue;
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();

    WorkerPool(int workers, Supplier<KeyComparer> comparers, Map<KeyRef, Difference> differences) {
        this.workers = workers;
        this.comparers = comparers;
        this.differences = differences;
        this.queue = new ArrayBlockingQueue<>(workers * 4);
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::work, "ferry-verify-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Runs every scanner on a thread of its own, compares what they find, and returns once all is compared. */
    void runScanners(List<KeyScanner> scanners) {
        List<Thread> scanning = new ArrayList<>();
        for (KeyScanner scanner : scanners) {
            Thread t = new Thread(() -> {
                try {
                    scanner.scan(this::put, () -> failure.get() != null);
                } catch (RuntimeException e) {
                    fail(e);
                }
            }, "ferry-scan-" + scanner);
            t.setDaemon(true);
            scanning.add(t);
            t.start();
        }
        for (Thread t : scanning) {
            join(t);
        }
        finish();
    }

    /** Compares the given batches and returns once all are compared. */
    void runBatches(List<KeyBatch> batches) {
        for (KeyBatch batch : batches) {
            put(batch);
        }
        finish();
    }

    private void finish() {
        for (int i = 0; i < workers; i++) {
            put(END);
        }
        if (failure.get() != null) {
            // put() gives up after a failure, so some workers may wait for an END that never comes.
            close();
        }
        for (Thread t : threads) {
            join(t);
        }
        RuntimeException e = failure.get();
        if (e != null) {
            throw e instanceof FerryException ? e : new VerifyException("verify failed: " + e, e);
        }
    }

    private void work() {
        KeyComparer comparer = null;
        try {
            comparer = comparers.get();
            while (true) {
                KeyBatch batch = queue.take();
                if (batch == END || failure.get() != null) {
                    return;
                }
                List<Difference> found = batch.seenOnTarget() ? comparer.compareSeenOnTarget(batch.db(), batch.keys())
                        : comparer.compare(batch.db(), batch.keys());
                for (Difference d : found) {
                    differences.putIfAbsent(d.key(), d);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            fail(e);
        } finally {
            if (comparer != null) {
                comparer.close();
            }
        }
    }

    /** Queues a batch, waiting for room; gives up once a thread has failed, as the workers may be gone. */
    private void put(KeyBatch batch) {
        try {
            while (!queue.offer(batch, 50, TimeUnit.MILLISECONDS)) {
                if (failure.get() != null) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new VerifyException("verify interrupted", e));
        }
    }

    private void fail(RuntimeException e) {
        failure.compareAndSet(null, e);
    }

    private void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new VerifyException("verify interrupted", e));
        }
    }

    /** Stops the workers if a round ended early. */
    @Override
    public void close() {
        for (Thread t : threads) {
            if (t.isAlive()) {
                t.interrupt();
            }
        }
    }
}
