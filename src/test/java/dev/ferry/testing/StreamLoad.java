package dev.ferry.testing;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Non-idempotent writes on a standalone source at a steady pace, on a thread of their own: {@code INCR},
 * {@code LPUSH}, {@code APPEND} over a few hundred keys, {@code MSET} and {@code DEL} across slots, and
 * {@code MULTI} blocks across slots. Applied twice or out of order, they leave a different value; lost, too.
 * {@link #stop()} fails the test if the load itself failed.
 */
public final class StreamLoad extends LoadThread {

    private final AtomicLong ops = new AtomicLong();

    /** Starts writing to {@code source}, the keys and values drawn from {@code seed}. */
    public StreamLoad(RedisServer source, long seed) {
        start("stream-load", () -> run(source, seed));
    }

    private void run(RedisServer source, long seed) throws InterruptedException {
        Random r = new Random(seed);
        try (RedisConnection w = source.connect()) {
            long seq = 0;
            while (running()) {
                for (int i = 0; i < 40; i++, seq++) {
                    w.callChecked("INCR", "c:" + r.nextInt(300));
                    w.callChecked("LPUSH", "l:" + r.nextInt(100), Long.toString(seq));
                    w.callChecked("APPEND", "a:" + r.nextInt(100), seq + ";");
                    if (i % 8 == 0) {
                        w.callChecked("MSET", "m:" + r.nextInt(200), "x" + seq, "m:" + r.nextInt(200), "y" + seq);
                    }
                    if (i % 13 == 0) {
                        w.callChecked("DEL", "m:" + r.nextInt(200), "c:" + r.nextInt(300));
                    }
                    if (i % 10 == 0) {
                        w.callChecked("MULTI");
                        w.callChecked("INCR", "c:" + r.nextInt(300));
                        w.callChecked("LPUSH", "l:" + r.nextInt(100), "tx" + seq);
                        w.callChecked("EXEC");
                    }
                    ops.addAndGet(4);
                }
                Thread.sleep(20);
            }
        }
    }

    /** Writes so far. */
    public long ops() {
        return ops.get();
    }

    /** Waits until {@code more} writes beyond the current count have been made. */
    public void awaitMore(long more, Duration timeout) throws InterruptedException {
        awaitMore(ops::get, more, timeout, "writes");
    }
}
