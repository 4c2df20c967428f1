package dev.ferry.server;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.ServerInfo;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * While a task is paused: for about how long each source master's replication backlog still holds the writes
 * made since the pause, at its current write rate. The backlog holds the last {@code repl_backlog_size} bytes
 * up to {@code master_repl_offset}, so a pause at offset P resumes with a partial resync until the master's offset
 * passes P + size; the rate is the offset's growth over the last {@value #WINDOW_MS} ms. {@link #sample} asks each
 * master ({@code INFO}, blocking); one thread samples, any thread reads {@link #describe}.
 */
final class BacklogWatch {

    private static final long WINDOW_MS = 10_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    /** One master: where the task stood at the pause, and recent (time, master offset) samples. */
    private static final class Shard {
        final RedisEndpoint source;
        final long pausedAt;
        final Deque<long[]> samples = new ArrayDeque<>();
        long backlogSize = -1;

        Shard(RedisEndpoint source, long pausedAt) {
            this.source = source;
            this.pausedAt = pausedAt;
        }
    }

    /** The estimate: seconds left (null: no writes, so no limit; 0: the backlog no longer covers it) and a sentence. */
    record Coverage(Long secondsLeft, String text) {
    }

    private final List<Shard> shards = new ArrayList<>();
    private volatile Coverage coverage = new Coverage(null, "not measured yet");

    /** Watches {@code source}, read up to {@code pausedAt} (-1: the task had not reached the stream). */
    synchronized void add(RedisEndpoint source, long pausedAt) {
        shards.add(new Shard(source, pausedAt));
    }

    /** Asks every master for its offset and backlog size, then updates the estimate. */
    void sample() {
        List<Shard> copy;
        synchronized (this) {
            copy = List.copyOf(shards);
        }
        Coverage worst = null;
        for (Shard s : copy) {
            Coverage c = sample(s);
            if (worst == null || c.secondsLeft() != null && (worst.secondsLeft() == null || c.secondsLeft() < worst.secondsLeft())) {
                worst = c;
            }
        }
        coverage = worst == null ? new Coverage(null, "unknown: no source was being read at the pause") : worst;
    }

    Coverage describe() {
        return coverage;
    }

    private static Coverage sample(Shard s) {
        if (s.pausedAt < 0) {
            return new Coverage(0L, "the task had not reached the stream when paused: resuming copies the snapshot again");
        }
        long now = System.currentTimeMillis();
        long offset;
        try (RedisConnection conn = RedisConnection.open(s.source, TIMEOUT, TIMEOUT)) {
            ServerInfo info = ServerInfo.fetch(conn);
            offset = info.getLong("master_repl_offset", -1);
            s.backlogSize = info.getLong("repl_backlog_size", -1);
        } catch (RuntimeException e) {
            return new Coverage(null, "unknown: cannot ask the source " + s.source.address() + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        s.samples.addLast(new long[] {now, offset});
        while (s.samples.size() > 2 && now - s.samples.peekFirst()[0] > WINDOW_MS) {
            s.samples.removeFirst();
        }
        long left = s.pausedAt + s.backlogSize - offset;
        if (left <= 0) {
            return new Coverage(0L, "no longer: the source " + s.source.address() + " took more writes during the pause"
                    + " than its backlog holds (repl_backlog_size " + s.backlogSize + "); resuming copies everything again");
        }
        long[] first = s.samples.peekFirst();
        double rate = now > first[0] ? (offset - first[1]) * 1000.0 / (now - first[0]) : 0;
        if (rate <= 0) {
            return new Coverage(null, "as long as the source " + s.source.address() + " takes no writes (" + left
                    + " bytes of its backlog left)");
        }
        long seconds = (long) (left / rate);
        return new Coverage(seconds, "about " + human(seconds) + " more at the source's current " + Math.round(rate)
                + " bytes/s of writes (" + left + " bytes of backlog left on " + s.source.address() + ")");
    }

    private static String human(long seconds) {
        return seconds < 120 ? seconds + " s" : seconds < 7200 ? seconds / 60 + " min" : seconds / 3600 + " h";
    }
}
