package dev.ferry.source;

import dev.ferry.FerryException;
import dev.ferry.MemoryBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;

/**
 * A bounded FIFO of bytes between the socket of a replication link and the thread that parses and
 * applies them, so that a slow target never slows the reading of the source: a source whose replica
 * stops reading fills its {@code client-output-buffer-limit replica} and drops the link.
 *
 * <p>Chunks stay in memory up to {@code memoryLimit} bytes, and while the process's {@link MemoryBudget}
 * has room; beyond that they are appended to segment files on disk, up to {@code diskLimit} bytes, and
 * read back in order. When both are full the writer blocks (reading from the source pauses) and a
 * warning says so: the source may then drop the link, and the task resumes from its checkpoint. An
 * empty spool always takes a chunk, so the parser never starves.
 *
 * <p>One writer thread ({@link #write}, {@link #finish}) and one reader thread ({@link #input()}).
 */
public final class Spool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Spool.class);
    private static final long SEGMENT_SIZE = 64L << 20;

    private final Path dir;
    private final long memoryLimit;
    private final long diskLimit;
    private final MemoryBudget.Account memory;
    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
    private long memoryBytes;
    private long diskBytes;
    private IOException failure;
    private boolean finished;
    private boolean closed;
    private boolean warnedFull;

    private Segment writeSegment;
    private int segmentSeq;

    /**
     * @param dir where segment files go (created if missing); only used once memory is full
     */
    public Spool(Path dir, long memoryLimit, long diskLimit) {
        this(dir, memoryLimit, diskLimit, MemoryBudget.unlimited().open());
    }

    /**
     * @param dir where segment files go (created if missing); only used once memory is full
     * @param memory the budget the chunks kept in memory are taken from
     */
    public Spool(Path dir, long memoryLimit, long diskLimit, MemoryBudget.Account memory) {
        if (memoryLimit <= 0) {
            throw new IllegalArgumentException("memoryLimit: " + memoryLimit + " (expected: > 0)");
        }
        if (diskLimit < 0) {
            throw new IllegalArgumentException("diskLimit: " + diskLimit + " (expected: >= 0)");
        }
        this.dir = dir;
        this.memoryLimit = memoryLimit;
        this.diskLimit = diskLimit;
        this.memory = memory;
    }

    /** Appends {@code len} bytes; takes ownership of {@code data}. Blocks while the spool is full. */
    public void write(byte[] data, int len) throws IOException {
        synchronized (this) {
            boolean inMemory = false;
            while (!closed) {
                if (memoryBytes + len <= memoryLimit && memory.tryAcquire(len)) {
                    inMemory = true;
                    break;
                }
                if (diskLimit > 0 && diskBytes + len <= diskLimit) {
                    break;
                }
                if (chunks.isEmpty()) {
                    // The parser has nothing to read: it must get this chunk, whatever the budget says.
                    memory.acquire(len);
                    inMemory = true;
                    break;
                }
                if (!warnedFull) {
                    log.warn("spool full ({} MiB in memory, {} MiB on disk): reading from the source pauses until the"
                            + " target catches up; if the source drops the link meanwhile, the task resumes from its checkpoint",
                            memoryBytes >> 20, diskBytes >> 20);
                    warnedFull = true;
                }
                waitUninterruptibly();
            }
            if (closed) {
                return;
            }
            warnedFull = false;
            if (inMemory) {
                memoryBytes += len;
                chunks.addLast(new Chunk(data, len));
                notifyAll();
                return;
            }
        }
        // Disk I/O outside the lock: the reader keeps consuming meanwhile.
        Chunk spilled = spill(data, len);
        synchronized (this) {
            if (closed) {
                return;
            }
            diskBytes += len;
            chunks.addLast(spilled);
            notifyAll();
        }
    }

    /** No more bytes will come: the reader sees end of stream, or {@code error}, once it has read the rest. */
    public synchronized void finish(IOException error) {
        finished = true;
        failure = error;
        notifyAll();
    }

    /** Bytes waiting to be read, in memory and on disk. */
    public synchronized long buffered() {
        return memoryBytes + diskBytes;
    }

    /** Whether nothing is waiting to be read. */
    public synchronized boolean isEmpty() {
        return chunks.isEmpty();
    }

    /** The reading end. Its reads block until bytes arrive, the spool is finished, or it is closed. */
    public InputStream input() {
        return new InputStream() {
            private byte[] current;
            private int pos;
            private int limit;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (current == null || pos == limit) {
                    if (!next()) {
                        return -1;
                    }
                }
                int n = Math.min(len, limit - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                return n;
            }

            @Override
            public int available() {
                return current == null ? 0 : limit - pos;
            }

            private boolean next() throws IOException {
                Chunk c;
                synchronized (Spool.this) {
                    while (chunks.isEmpty() && !finished && !closed) {
                        try {
                            Spool.this.wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException("interrupted while reading the spool");
                        }
                    }
                    if (closed) {
                        throw new IOException("spool closed");
                    }
                    if (chunks.isEmpty()) {
                        if (failure != null) {
                            throw failure;
                        }
                        return false;
                    }
                    c = chunks.pollFirst();
                }
                current = c.data != null ? c.data : readBack(c);
                pos = 0;
                limit = c.length;
                synchronized (Spool.this) {
                    if (c.data != null) {
                        memoryBytes -= c.length;
                        memory.release(c.length);
                    } else {
                        diskBytes -= c.length;
                    }
                    Spool.this.notifyAll();
                }
                return true;
            }
        };
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            chunks.clear();
            memory.release(memoryBytes);
            memoryBytes = 0;
            notifyAll();
        }
        if (writeSegment != null) {
            writeSegment.closeWriter();
        }
        if (dir != null) {
            try (var files = Files.list(dir)) {
                files.filter(p -> p.getFileName().toString().startsWith("spool-")).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // Leftover segment files are harmless; the next start deletes them too.
            }
        }
    }

    private Chunk spill(byte[] data, int len) throws IOException {
        if (writeSegment == null || writeSegment.size + len > SEGMENT_SIZE) {
            if (writeSegment != null) {
                writeSegment.closeWriter();
            }
            Files.createDirectories(dir);
            writeSegment = new Segment(dir.resolve("spool-" + (segmentSeq++) + ".bin"));
        }
        long at = writeSegment.size;
        writeSegment.append(data, len);
        writeSegment.added();
        return new Chunk(writeSegment, at, len);
    }

    private byte[] readBack(Chunk c) throws IOException {
        byte[] out = new byte[c.length];
        ByteBuffer bb = ByteBuffer.wrap(out);
        try (FileChannel ch = FileChannel.open(c.segment.path, StandardOpenOption.READ)) {
            long at = c.offset;
            while (bb.hasRemaining()) {
                int n = ch.read(bb, at);
                if (n < 0) {
                    throw new FerryException("spool segment " + c.segment.path + " is shorter than written");
                }
                at += n;
            }
        }
        c.segment.consumed();
        return out;
    }

    private void waitUninterruptibly() throws InterruptedIOException {
        try {
            wait(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the spool is full");
        }
    }

    /** A run of bytes, in memory ({@code data}) or in a segment file. */
    private static final class Chunk {
        final byte[] data;
        final int length;
        final Segment segment;
        final long offset;

        Chunk(byte[] data, int length) {
            this.data = data;
            this.length = length;
            this.segment = null;
            this.offset = 0;
        }

        Chunk(Segment segment, long offset, int length) {
            this.data = null;
            this.length = length;
            this.segment = segment;
            this.offset = offset;
        }
    }

    /** A spill file; deleted once the writer has moved on and every chunk in it has been read. */
    private static final class Segment {
        final Path path;
        final FileChannel out;
        long size;
        int pending;
        boolean writerDone;

        Segment(Path path) throws IOException {
            this.path = path;
            this.out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
        }

        void append(byte[] data, int len) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(data, 0, len);
            while (bb.hasRemaining()) {
                out.write(bb);
            }
            size += len;
        }

        synchronized void added() {
            pending++;
        }

        synchronized void consumed() {
            pending--;
            deleteIfDone();
        }

        synchronized void closeWriter() {
            writerDone = true;
            try {
                out.close();
            } catch (IOException ignored) {
                // Nothing to flush: reads go through their own channel.
            }
            deleteIfDone();
        }

        private void deleteIfDone() {
            if (writerDone && pending <= 0) {
                path.toFile().delete();
            }
        }
    }
}
