package dev.ferry.testing;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A non-idempotent load whose history shows in the data, not only in counts: each operation n is
 * {@code INCR {prefix}seq} (which must answer n), {@code LPUSH {prefix}list:k n} and {@code APPEND {prefix}log:k "n,"}
 * with k = n mod {@code keys}. An operation applied twice leaves a counter too high, a repeated element in a list and
 * a repeated number in a string; one lost leaves a gap. Pipelined in batches every 10 ms, at about
 * {@code opsPerSecond}, on a thread of its own until stopped. {@link #operations()} may be read from any thread.
 */
public final class HistoryLoad extends LoadThread {

    private static final long BATCH_MS = 10;
    /** Commands per operation. */
    public static final int COMMANDS = 3;

    private final AtomicLong operations = new AtomicLong();

    /** Starts writing keys named {@code prefix}... on {@code server}. */
    public HistoryLoad(RedisServer server, String prefix, int keys, int opsPerSecond) {
        start("history-load-" + prefix, () -> {
            try (RedisConnection c = server.connect()) {
                double perBatch = opsPerSecond * BATCH_MS / 1000.0;
                double owed = 0;
                long next = System.nanoTime();
                while (running()) {
                    owed += perBatch;
                    int batch = (int) owed;
                    owed -= batch;
                    writeBatch(c, prefix, keys, batch);
                    next += BATCH_MS * 1_000_000;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
        });
    }

    private void writeBatch(RedisConnection c, String prefix, int keys, int batch) {
        List<Object[]> commands = new ArrayList<>(batch * COMMANDS);
        long first = operations.get() + 1;
        for (long n = first; n < first + batch; n++) {
            String number = Long.toString(n);
            long k = n % keys;
            commands.add(new Object[] {"INCR", prefix + "seq"});
            commands.add(new Object[] {"LPUSH", prefix + "list:" + k, number});
            commands.add(new Object[] {"APPEND", prefix + "log:" + k, number + ","});
        }
        List<RespValue> replies = c.pipeline(commands);
        for (RespValue reply : replies) {
            if (reply instanceof RespValue.Error e) {
                throw new AssertionError(prefix + ": the source refused a write: " + e.message());
            }
        }
        for (int i = 0; i < batch; i++) {
            RespValue seq = replies.get(i * COMMANDS);
            if (!(seq instanceof RespValue.Integer v) || v.value() != first + i) {
                throw new AssertionError("INCR " + prefix + "seq answered " + seq + ", not " + (first + i));
            }
            operations.set(first + i);
        }
    }

    /** Operations the server acknowledged so far (each {@value #COMMANDS} commands). */
    public long operations() {
        return operations.get();
    }
}
