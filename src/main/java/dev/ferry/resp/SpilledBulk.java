package dev.ferry.resp;

import dev.ferry.FerryException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A command argument too large to hold in memory: its bytes wait in a file until a {@link RespWriter}
 * streams them to the target, which deletes the file.
 *
 * <p>In a command's argv it stands as a <em>marker</em>, a small {@code byte[]} of its own that the
 * pipeline carries like any argument (filters, batches and in-flight windows keep their {@code byte[][]});
 * {@link #of} recognises a marker by identity, so a value that happens to hold the same bytes stays a
 * plain value. Code that needs an argument's bytes (not the few that name a command or its first key,
 * which are never spilled) asks {@link #of} first. The file also goes when the marker becomes garbage
 * (a filtered command) and when the task ends ({@link Store#close()}).
 *
 * <p>Thread-safe; a spilled argument is written once.
 */
public final class SpilledBulk {

    /** How many of the last bytes are kept in memory: a RESTORE payload's version and checksum. */
    public static final int TAIL_LENGTH = 16;
    static final int MARKER_LENGTH = 32;
    private static final byte[] MAGIC = "\0ferry-spilled:\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int CHUNK = 64 * 1024;
    /** Markers are compared by identity (arrays do not override equals), and weakly held. */
    private static final Map<byte[], SpilledBulk> MARKERS = Collections.synchronizedMap(new WeakHashMap<>());
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "ferry-spill-cleaner");
        t.setDaemon(true);
        return t;
    });
    private static final AtomicLong IDS = new AtomicLong();

    private final Path file;
    private final long length;
    private final byte[] tail;
    private final AtomicBoolean written = new AtomicBoolean();
    private final Cleaner.Cleanable delete;

    private SpilledBulk(Path file, long length, byte[] tail, byte[] marker) {
        this.file = file;
        this.length = length;
        this.tail = tail;
        // The action must not hold the marker, or it would never become garbage.
        this.delete = CLEANER.register(marker, new Delete(file));
    }

    /** The spilled argument {@code arg} stands for, or null when {@code arg} is a plain value. */
    public static SpilledBulk of(byte[] arg) {
        if (arg.length != MARKER_LENGTH || !Arrays.equals(arg, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return null;
        }
        return MARKERS.get(arg);
    }

    /** The length of the value {@code arg} stands for: its own, or the spilled one's. */
    public static long length(byte[] arg) {
        SpilledBulk spilled = of(arg);
        return spilled == null ? arg.length : spilled.length;
    }

    /** Bytes of the value. */
    public long length() {
        return length;
    }

    /** The value's last bytes (all of them when shorter than {@value #TAIL_LENGTH}). */
    public byte[] tail() {
        return tail.clone();
    }

    /**
     * Copies the value to {@code out}, then deletes its file, whatever happened.
     *
     * @throws FerryException written before, or its file has gone
     */
    public void writeTo(OutputStream out) throws IOException {
        if (!written.compareAndSet(false, true)) {
            throw new FerryException("a spilled argument of " + length + " bytes was to be sent twice");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer bb = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(1, length)));
            long left = length;
            while (left > 0) {
                bb.clear();
                bb.limit((int) Math.min(bb.capacity(), left));
                int n = ch.read(bb);
                if (n < 0) {
                    throw new FerryException("the file " + file + " of a spilled argument is shorter than its "
                            + length + " bytes: something else changed it");
                }
                out.write(bb.array(), 0, n);
                left -= n;
            }
        } catch (NoSuchFileException e) {
            throw new FerryException("the file " + file + " of a spilled argument of " + length + " bytes is gone:"
                    + " keep --state-dir out of reach of temp-file cleaners");
        } finally {
            delete.clean();
        }
    }

    /**
     * Reads the value back into memory, for the rare code that must see all of it, and deletes its file:
     * it cannot be written after.
     *
     * @throws FerryException taken or written before, too long for an array, or its file has gone
     */
    public byte[] take() throws IOException {
        if (length > Integer.MAX_VALUE - 16) {
            throw new FerryException("a spilled argument of " + length + " bytes cannot be held in memory");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) length);
        writeTo(out);
        return out.toByteArray();
    }

    /** As error messages show it: {@code <104857600 bytes>}. */
    @Override
    public String toString() {
        return "<" + length + " bytes>";
    }

    /**
     * Where the large arguments of one replication link are spilled: {@code bulk-<n>.bin} files in a
     * directory of the task. Files left by an earlier run are deleted when a store opens.
     */
    public static final class Store implements AutoCloseable {

        private final Path dir;
        private final long threshold;

        /**
         * @param threshold arguments longer than this are spilled
         */
        public Store(Path dir, long threshold) {
            if (threshold < 0) {
                throw new IllegalArgumentException("threshold: " + threshold + " (expected: >= 0)");
            }
            this.dir = dir;
            this.threshold = threshold;
            deleteFiles();
        }

        /** Arguments longer than this are spilled. */
        public long threshold() {
            return threshold;
        }

        /** Reads {@code length} bytes from {@code in} into a new file; returns the marker standing for them. */
        byte[] spill(RespReader in, long length) throws IOException {
            long id = IDS.incrementAndGet();
            Files.createDirectories(dir);
            Path file = dir.resolve("bulk-" + id + ".bin");
            byte[] tail = new byte[(int) Math.min(TAIL_LENGTH, length)];
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(1, length))];
                long left = length;
                while (left > 0) {
                    int n = (int) Math.min(chunk.length, left);
                    in.readFully(chunk, 0, n);
                    ByteBuffer bb = ByteBuffer.wrap(chunk, 0, n);
                    while (bb.hasRemaining()) {
                        ch.write(bb);
                    }
                    keepTail(tail, chunk, n);
                    left -= n;
                }
            } catch (IOException | RuntimeException | Error e) {
                Files.deleteIfExists(file);
                throw e;
            }
            byte[] marker = Arrays.copyOf(MAGIC, MARKER_LENGTH);
            ByteBuffer.wrap(marker, MAGIC.length, 16).putLong(id).putLong(length);
            MARKERS.put(marker, new SpilledBulk(file, length, tail, marker));
            return marker;
        }

        /** Deletes every spilled argument not written yet: call once nothing will write them any more. */
        @Override
        public void close() {
            deleteFiles();
        }

        private void deleteFiles() {
            if (!Files.isDirectory(dir)) {
                return;
            }
            try (var files = Files.list(dir)) {
                files.filter(p -> p.getFileName().toString().startsWith("bulk-")).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // Left-over files are deleted by the next store of this task.
            }
        }

        /** Slides the last {@code n} bytes of {@code chunk} into {@code tail}. */
        private static void keepTail(byte[] tail, byte[] chunk, int n) {
            int keep = tail.length;
            if (n >= keep) {
                System.arraycopy(chunk, n - keep, tail, 0, keep);
            } else {
                System.arraycopy(tail, n, tail, 0, keep - n);
                System.arraycopy(chunk, 0, tail, keep - n, n);
            }
        }
    }

    /** Deletes a file; held by the cleaner, so it references the path only. */
    private record Delete(Path file) implements Runnable {
        @Override
        public void run() {
            file.toFile().delete();
        }
    }
}
