package dev.ferry.embedded;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisReplyException;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.RespWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Pipelined commands whose every reply is checked: an error reply (or an error inside an {@code EXEC}
 * reply) throws a {@link RedisReplyException} naming the command and key. Replies are read whenever
 * {@code window} commands are in flight, and by {@link #sync()}.
 *
 * <p>Not thread-safe. After a failure the other replies in flight are drained, so the connection stays usable.
 */
public final class CheckedPipeline {

    private record Pending(Object[] args, Consumer<RespValue> onReply, Set<String> allowedErrors) {
    }

    private final RedisConnection conn;
    private final int window;
    private final Deque<Pending> pending = new ArrayDeque<>();
    private long sent;

    public CheckedPipeline(RedisConnection conn) {
        this(conn, 512);
    }

    public CheckedPipeline(RedisConnection conn, int window) {
        if (window <= 0) {
            throw new IllegalArgumentException("window: " + window + " (expected: > 0)");
        }
        this.conn = conn;
        this.window = window;
    }

    /** Queues a command whose reply must not be an error. */
    public void send(Object... args) {
        sendAllowing(Set.of(), null, args);
    }

    /** Queues a command; {@code onReply} (may be null) receives its reply once read. */
    public void send(Consumer<RespValue> onReply, Object... args) {
        sendAllowing(Set.of(), onReply, args);
    }

    /**
     * Queues a command whose error replies with one of {@code allowedErrors} codes ("BUSYGROUP") are
     * expected: they are passed to {@code onReply} (may be null) instead of thrown.
     */
    public void sendAllowing(Set<String> allowedErrors, Consumer<RespValue> onReply, Object... args) {
        conn.send(args);
        pending.add(new Pending(args, onReply, allowedErrors));
        sent++;
        if (pending.size() >= window) {
            sync();
        }
    }

    /** Sends everything queued and reads and checks every reply. */
    public void sync() {
        conn.flush();
        while (!pending.isEmpty()) {
            Pending p = pending.poll();
            RespValue reply = conn.read();
            RespValue.Error error = firstError(reply);
            if (error != null && !p.allowedErrors().contains(error.code())) {
                drain();
                throw new RedisReplyException(conn.endpoint().address() + " refused " + describe(p.args()) + ": "
                        + error.message(), error);
            }
            if (p.onReply() != null) {
                p.onReply().accept(reply);
            }
        }
    }

    /** How many commands were queued so far. */
    public long sent() {
        return sent;
    }

    private void drain() {
        while (!pending.isEmpty()) {
            pending.poll();
            conn.read();
        }
    }

    private static RespValue.Error firstError(RespValue reply) {
        if (reply instanceof RespValue.Error e) {
            return e;
        }
        // EXEC answers with an array holding each queued command's reply, errors included.
        if (reply instanceof RespValue.Array a && a.items() != null) {
            for (RespValue item : a.items()) {
                if (item instanceof RespValue.Error e) {
                    return e;
                }
            }
        }
        return null;
    }

    /** "RPUSH "list:large"", enough to find the failing command. */
    static String describe(Object[] args) {
        if (args.length == 0) {
            return "(empty command)";
        }
        StringBuilder sb = new StringBuilder(text(args[0]).toUpperCase(Locale.ROOT));
        if (args.length > 1) {
            sb.append(" \"").append(escape(RespWriter.toBytes(args[1]), 60)).append('"');
        }
        if (args.length > 2) {
            sb.append(" ...");
        }
        return sb.toString();
    }

    private static String text(Object arg) {
        return new String(RespWriter.toBytes(arg), StandardCharsets.UTF_8);
    }

    private static String escape(byte[] bytes, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bytes.length && sb.length() < max; i++) {
            int b = bytes[i] & 0xff;
            if (b == '"' || b == '\\') {
                sb.append('\\').append((char) b);
            } else if (b >= 0x20 && b < 0x7f) {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        return sb.length() >= max ? sb + "..." : sb.toString();
    }
}
