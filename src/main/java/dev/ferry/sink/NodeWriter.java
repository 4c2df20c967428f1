package dev.ferry.sink;

import dev.ferry.FerryException;
import dev.ferry.MemoryBudget;
import dev.ferry.ThreadFailure;
import dev.ferry.resp.ErrorKind;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.ReplyCheck;
import dev.ferry.resp.RespReader;
import dev.ferry.resp.RespWriter;
import dev.ferry.resp.SpilledBulk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Applies commands to one server over one pipelined connection: a standalone target, or one master of a
 * cluster target under a {@link ClusterWriter}.
 *
 * <p>The producer thread (the replication link) encodes commands straight into the connection's
 * output buffer; a reply thread reads every reply, checks it, and advances the acknowledged source
 * offset. Nothing is dropped: the first error reply fails the writer, and every later call throws it.
 * The in-flight window is bounded in commands and bytes, and its commands are held in the process's
 * {@link MemoryBudget} (beyond it, the producer waits for replies; an empty window always takes one
 * command), so a slow target slows the producer instead of filling memory.
 *
 * <p>Threading: {@link #write}, {@link #select}, {@link #advance}, {@link #flush} and {@link #drain}
 * are called by one producer thread; {@link #ackedOffset()} and {@link #failure()} from any thread.
 */
public final class NodeWriter implements TargetWriter {

    /** Window and buffering limits. */
    public record Limits(int maxInFlightCommands, long maxInFlightBytes) {
        public Limits {
            if (maxInFlightCommands <= 0) {
                throw new IllegalArgumentException("maxInFlightCommands: " + maxInFlightCommands + " (expected: > 0)");
            }
            if (maxInFlightBytes <= 0) {
                throw new IllegalArgumentException("maxInFlightBytes: " + maxInFlightBytes + " (expected: > 0)");
            }
        }

        public static Limits defaults() {
            return new Limits(100_000, 32L << 20);
        }
    }

    private static final byte[] SELECT = "SELECT".getBytes(StandardCharsets.US_ASCII);
    /** Most replies checked between two updates of the window. */
    private static final int REPLY_BATCH = 512;

    private final RedisConnection conn;
    private final RespWriter out;
    private final Limits limits;
    private final Thread replyThread;
    private final LongConsumer onAck;
    private final MemoryBudget.Account memory;
    /** Under a {@link ClusterWriter}: takes what the node refused without running it; null: such a refusal fails. */
    private final Consumer<Refused> onRefused;
    /** Reply thread only: the transient error a command queued in the open transaction got, or null. */
    private String transactionRefusal;

    private final Object lock = new Object();
    private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
    private long inFlightBytes;
    private long ackedOffset = -1;
    private volatile FerryException failure;
    private volatile boolean closing;

    private int selectedDb = -1;
    /** The database the connection was in when the open MULTI was sent: where its commands start. */
    private int transactionDb = -1;
    /** Commands queued inside the open MULTI, for naming the one that failed in EXEC's reply. */
    private List<byte[][]> transaction;
    /** Heap of the commands queued in the open MULTI, which its EXEC's reply frees. */
    private long transactionHeap;
    private boolean prepaid;
    /** When the window last moved: a reply arrived, or the window went from empty to busy. */
    private long progressAt = System.currentTimeMillis();
    /** {@link RespWriter#streamed()} when last looked at: a spilled argument going out is progress too. */
    private long streamedAt;

    /**
     * Takes over {@code conn} (already authenticated) and starts the reply thread.
     *
     * @param onAck called on the reply thread with each newly acknowledged source offset; may be null
     */
    public NodeWriter(RedisConnection conn, Limits limits, LongConsumer onAck) {
        this(conn, limits, onAck, MemoryBudget.unlimited().open());
    }

    /**
     * Takes over {@code conn} (already authenticated) and starts the reply thread.
     *
     * @param onAck called on the reply thread with each newly acknowledged source offset; may be null
     * @param memory the budget the commands in flight are held in
     */
    public NodeWriter(RedisConnection conn, Limits limits, LongConsumer onAck, MemoryBudget.Account memory) {
        this(conn, limits, onAck, memory, null);
    }

    /**
     * A writer for one master of a cluster: a command or transaction the node refuses without running it
     * ({@link ErrorKind#isTransient()}: a redirection, a slot being migrated, a cluster or node not ready) is
     * handed to {@code onRefused} on the reply thread, in the order sent, instead of failing the writer.
     */
    NodeWriter(RedisConnection conn, Limits limits, LongConsumer onAck, MemoryBudget.Account memory,
               Consumer<Refused> onRefused) {
        this.onRefused = onRefused;
        if (onRefused != null) {
            // A cluster node's new connection is in database 0 (a cluster writer opens it itself).
            this.selectedDb = 0;
        }
        this.memory = memory;
        this.conn = conn;
        this.out = conn.writer();
        this.limits = limits;
        this.onAck = onAck;
        conn.setReadTimeout(Duration.ZERO);
        this.replyThread = new Thread(this::readReplies, "ferry-target-replies-" + conn.endpoint().address());
        this.replyThread.setDaemon(true);
        this.replyThread.start();
    }

    /**
     * Sends a command (buffered; see {@link #flush()}).
     *
     * @param sourceOffset the source replication offset this command completes, or -1 (snapshot writes)
     */
    @Override
    public void write(byte[][] argv, long sourceOffset) {
        long size = 16;
        long heap = 16;
        for (byte[] a : argv) {
            size += SpilledBulk.length(a) + 16;
            heap += a.length + 16;
        }
        Pending p = new Pending(argv, sourceOffset, size, selectedDb);
        // A prepaid command's memory is already held (by the batch that queued it): not taken twice.
        p.heap = prepaid ? 0 : heap;
        // Only MULTI, EXEC, DISCARD and SELECT matter here, all of one or two arguments.
        CommandName name = argv.length <= 2 ? CommandName.of(argv[0]) : CommandName.OTHER;
        if (transaction != null) {
            if (name == CommandName.EXEC) {
                p.transaction = transaction;
                p.db = transactionDb;
                transaction = null;
            } else if (name == CommandName.DISCARD) {
                transaction = null;
            } else {
                transaction.add(argv);
                // Its QUEUED reply comes at once, but the transaction's list (and the target) keep it until EXEC.
                p.heldUntilExec = true;
                transactionHeap += p.heap;
            }
            if (transaction == null) {
                p.carriedHeap = transactionHeap;
                transactionHeap = 0;
            }
        } else if (name == CommandName.MULTI) {
            transaction = new ArrayList<>();
            transactionDb = selectedDb;
        }
        if (name == CommandName.SELECT && argv.length == 2) {
            try {
                selectedDb = Integer.parseInt(new String(argv[1], StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                selectedDb = -1;
            }
        }
        enqueue(p);
        try {
            out.command(argv);
        } catch (IOException e) {
            throw fail(conn.broken(e));
        }
    }

    /**
     * From now on until {@code prepaid(false)}, commands written are already held in the budget by the
     * caller (a batch it built): the writer does not take their memory again. Producer thread only.
     */
    @Override
    public void prepaid(boolean on) {
        this.prepaid = on;
    }

    /**
     * The memory of a batch ({@code heap} bytes held in the account by the caller) passes to the writer:
     * it is given back when the reply to the next {@code EXEC} (or {@code DISCARD}) arrives, since the
     * transaction's commands stay in memory until then. Producer thread only, inside an open {@code MULTI}.
     */
    @Override
    public void carry(long heap) {
        transactionHeap += heap;
    }

    /** Makes the target connection use {@code db}, sending {@code SELECT} only when it changes. */
    @Override
    public void select(int db, long sourceOffset) {
        if (db != selectedDb) {
            write(new byte[][] {SELECT, Integer.toString(db).getBytes(StandardCharsets.US_ASCII)}, sourceOffset);
        } else if (sourceOffset >= 0) {
            advance(sourceOffset);
        }
    }

    /** The database the target connection is in (as of the commands written so far), or -1 when unknown. */
    @Override
    public int selectedDb() {
        return selectedDb;
    }

    /**
     * Records that the source stream up to {@code sourceOffset} needs no write (a PING, a filtered command):
     * it counts as acknowledged once everything written before it is.
     */
    @Override
    public void advance(long sourceOffset) {
        long acked = -1;
        synchronized (lock) {
            Pending last = inFlight.peekLast();
            if (last == null) {
                if (sourceOffset > ackedOffset) {
                    ackedOffset = sourceOffset;
                    acked = sourceOffset;
                }
            } else if (sourceOffset > last.offset) {
                last.offset = sourceOffset;
            }
        }
        if (acked >= 0 && onAck != null) {
            onAck.accept(acked);
        }
    }

    /** Sends what is buffered. */
    @Override
    public void flush() {
        checkFailure();
        try {
            out.flush();
        } catch (IOException e) {
            throw fail(conn.broken(e));
        }
    }

    @Override
    public boolean isCluster() {
        return false;
    }

    /** Bytes encoded but not flushed yet. */
    public int buffered() {
        return out.pending();
    }

    /** Flushes, then waits until every command written so far has been acknowledged. */
    @Override
    public void drain() throws InterruptedException {
        flush();
        synchronized (lock) {
            while (!inFlight.isEmpty() && failure == null) {
                lock.wait(100);
            }
        }
        checkFailure();
    }

    /**
     * Flushes, then waits at most {@code millis} until every command written so far has been acknowledged.
     *
     * @return whether everything was acknowledged in time (false also when the writer failed)
     */
    @Override
    public boolean awaitDrained(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        flush();
        synchronized (lock) {
            long left;
            while (!inFlight.isEmpty() && failure == null && (left = deadline - System.currentTimeMillis()) > 0) {
                lock.wait(Math.min(100, left));
            }
            return inFlight.isEmpty() && failure == null;
        }
    }

    /** Commands written and not acknowledged yet. */
    int inFlightCount() {
        synchronized (lock) {
            return inFlight.size();
        }
    }

    /** The highest source offset whose writes the target has acknowledged, or -1. */
    @Override
    public long ackedOffset() {
        synchronized (lock) {
            return ackedOffset;
        }
    }

    /**
     * How long commands have been waiting for a reply without any arriving, in ms; 0 when nothing is in
     * flight. A target that stays silent while owing replies is gone, even if its socket is not. While a
     * spilled argument goes out, each chunk the socket takes counts as progress: hundreds of megabytes
     * over a slow link take longer than the timeout, and no reply can come before they are sent.
     */
    @Override
    public long stalledMillis() {
        synchronized (lock) {
            long streamed = out.streamed();
            if (streamed != streamedAt) {
                streamedAt = streamed;
                progressAt = System.currentTimeMillis();
            }
            return inFlight.isEmpty() ? 0 : System.currentTimeMillis() - progressAt;
        }
    }

    /** Fails the writer (and so the producer's next call) with {@code e}, and closes the connection. */
    @Override
    public void abort(FerryException e) {
        fail(e);
        closing = true;
        conn.close();
    }

    /** The error that stopped this writer, or null. */
    @Override
    public FerryException failure() {
        return failure;
    }

    /** Throws the error that stopped this writer, if any. */
    public void checkFailure() {
        FerryException f = failure;
        if (f != null) {
            throw f;
        }
    }

    @Override
    public void close() {
        closing = true;
        conn.close();
        try {
            replyThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for room in the window, then adds {@code p} to it: one lock round per command. */
    private void enqueue(Pending p) {
        long size = p.size;
        synchronized (lock) {
            while ((inFlight.size() >= limits.maxInFlightCommands()
                    || (inFlightBytes + size > limits.maxInFlightBytes() && !inFlight.isEmpty())
                    || !holdInMemory(p))
                    && failure == null) {
                // Replies cannot arrive for commands still in our buffer.
                if (out.pending() > 0) {
                    try {
                        out.flush();
                    } catch (IOException e) {
                        throw fail(conn.broken(e));
                    }
                }
                try {
                    lock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new FerryException("interrupted while waiting for the target", e);
                }
            }
            if (failure == null) {
                if (inFlight.isEmpty()) {
                    progressAt = System.currentTimeMillis();
                }
                inFlight.addLast(p);
                inFlightBytes += size;
            }
        }
        checkFailure();
    }

    /** Takes {@code p}'s memory from the budget; an empty window takes it whatever the budget says. */
    private boolean holdInMemory(Pending p) {
        if (p.heap == 0) {
            return true;
        }
        if (inFlight.isEmpty()) {
            memory.acquire(p.heap);
            return true;
        }
        return memory.tryAcquire(p.heap);
    }

    private void readReplies() {
        RespReader in = conn.reader();
        Pending[] batch = new Pending[REPLY_BATCH];
        try {
            while (true) {
                // Replies are checked, not kept: a transaction's EXEC reply can hold 10,000 elements.
                ReplyCheck first = in.checkReply();
                int available;
                synchronized (lock) {
                    // Only this thread removes from the head, so these stay put until retired below.
                    available = 0;
                    for (Pending p : inFlight) {
                        batch[available++] = p;
                        if (available == batch.length) {
                            break;
                        }
                    }
                }
                if (available == 0) {
                    throw new FerryException("target " + conn.endpoint().address() + " sent a reply to no command"
                            + (first.failed() ? ": " + first.error() : ""));
                }
                // Every reply already received is checked before the window is updated once for all of them.
                int checked = 0;
                try {
                    check(batch[0], first);
                    checked = 1;
                    while (checked < available && in.buffered() > 0) {
                        check(batch[checked], in.checkReply());
                        checked++;
                    }
                } finally {
                    retire(batch, checked);
                }
            }
        } catch (IOException e) {
            if (!closing) {
                fail(conn.broken(e));
            }
        } catch (FerryException e) {
            if (!closing) {
                fail(e);
            }
        } catch (RuntimeException e) {
            if (!closing) {
                fail(new FerryException("unexpected failure reading target replies: " + e, e));
            }
        } catch (Error e) {
            // The producer and the task learn of it through failure(), not from a thread that is just gone.
            fail(ThreadFailure.of(Thread.currentThread().getName(), e));
        }
    }

    /** Removes the first {@code count} commands, all acknowledged, from the window. */
    private void retire(Pending[] batch, int count) {
        if (count == 0) {
            return;
        }
        long acked = -1;
        long freed = 0;
        synchronized (lock) {
            for (int i = 0; i < count; i++) {
                Pending p = inFlight.pollFirst();
                inFlightBytes -= p.size;
                freed += (p.heldUntilExec ? 0 : p.heap) + p.carriedHeap;
                if (p.offset > ackedOffset) {
                    ackedOffset = p.offset;
                    acked = p.offset;
                }
                batch[i] = null;
            }
            progressAt = System.currentTimeMillis();
            // Released before anyone waiting in drain() can see the window empty: an account never
            // blocks, so holding the lock for it costs nothing.
            memory.release(freed);
            lock.notifyAll();
        }
        if (acked >= 0 && onAck != null) {
            onAck.accept(acked);
        }
    }

    private void check(Pending p, ReplyCheck reply) {
        if (onRefused != null && handedBack(p, reply)) {
            return;
        }
        if (reply.failed() && reply.index() < 0) {
            if (FencedException.isFenceReply(reply.error())) {
                throw fenced();
            }
            if (ErrorKind.of(reply.error()).isRedirect()) {
                throw new SlotMovedException(Command.describe(p.argv), reply.error());
            }
            throw new TargetRejectedException(Command.describe(p.argv), p.offset, reply.error());
        }
        if (p.transaction == null) {
            // An array reply of an ordinary command (a script's table, say) may carry error elements as data.
            return;
        }
        if (reply.failed()) {
            int i = reply.index();
            byte[][] inner = i < p.transaction.size() ? p.transaction.get(i) : p.argv;
            throw new TargetRejectedException(Command.describe(inner) + " inside MULTI/EXEC", -1, reply.error(), i,
                    i < p.transaction.size() ? inner : null);
        }
        if (reply.nullArray()) {
            // Only a WATCHed key makes EXEC answer nil, and Ferry watches only its task's lease fence.
            throw fenced();
        }
    }

    /**
     * Under a cluster writer: whether {@code reply} says the node did not run {@code p} (or its transaction) and
     * might a moment later or elsewhere; such a command, or a transaction once its {@code EXEC} is answered, goes
     * to {@link #onRefused}. A transaction one of whose commands was refused when queued is discarded by the
     * server whole ({@code EXECABORT}), as is one whose {@code EXEC} is redirected.
     */
    private boolean handedBack(Pending p, ReplyCheck reply) {
        boolean transientError = reply.failed() && reply.index() < 0 && ErrorKind.of(reply.error()).isTransient();
        if (p.heldUntilExec) {
            if (transientError && transactionRefusal == null) {
                transactionRefusal = reply.error();
            }
            return transientError;
        }
        if (p.transaction != null) {
            String refusal = transactionRefusal;
            transactionRefusal = null;
            if (refusal != null && reply.failed() && ErrorKind.of(reply.error()) == ErrorKind.EXECABORT) {
                onRefused.accept(new Refused(p.transaction, true, refusal, p.db));
                return true;
            }
            if (transientError) {
                onRefused.accept(new Refused(p.transaction, true, reply.error(), p.db));
                return true;
            }
            return false;
        }
        if (transientError) {
            onRefused.accept(new Refused(List.<byte[][]>of(p.argv), false, reply.error(), p.db));
        }
        return transientError;
    }

    private static FencedException fenced() {
        return new FencedException("the target aborted a transaction guarded by the task's lease: another process"
                + " took the task over; this process stops without applying anything more");
    }

    private FerryException fail(FerryException e) {
        synchronized (lock) {
            if (failure == null) {
                failure = e;
            }
            lock.notifyAll();
        }
        return failure;
    }

    /** A command written and not yet acknowledged. */
    private static final class Pending {
        final byte[][] argv;
        final long size;
        /** Heap the command holds: a spilled argument counts as its marker. */
        long heap;
        /** Queued inside MULTI: its heap is freed with the EXEC's reply, not its own QUEUED. */
        boolean heldUntilExec;
        /** For an EXEC or DISCARD: the heap of the transaction's commands, freed with this reply. */
        long carriedHeap;
        long offset;
        List<byte[][]> transaction;
        /** The database the connection was in when this was sent (for an EXEC: when its MULTI was), or -1. */
        int db;

        Pending(byte[][] argv, long offset, long size, int db) {
            this.argv = argv;
            this.offset = offset;
            this.size = size;
            this.db = db;
        }
    }
}
