package dev.ferry.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.FerryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The tasks of a server, one JSON file each under {@code <data-dir>/tasks}. A file is written whole to a
 * temporary file, forced to disk, then renamed over the old one (and the directory forced), so a crash leaves
 * either the old or the new file, never part of one; temporary files are never read back. Thread-safe.
 */
public final class TaskStore {

    private static final Logger log = LoggerFactory.getLogger(TaskStore.class);
    private static final String SUFFIX = ".json";
    private static final String TEMP = ".tmp";

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper();

    public TaskStore(Path dataDir) {
        this.dir = dataDir.resolve("tasks");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new FerryException("--data-dir: cannot create " + dir + " (" + e.getMessage() + ")");
        }
    }

    /** Every stored task; a file that cannot be read is logged and left out (its task only). */
    public synchronized List<StoredTask> loadAll() {
        List<StoredTask> tasks = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(TEMP)) {
                    // A write that did not complete: the file it was to replace, if any, is whole.
                    Files.deleteIfExists(file);
                } else if (name.endsWith(SUFFIX)) {
                    try {
                        tasks.add(json.readValue(file.toFile(), StoredTask.class));
                    } catch (IOException | RuntimeException e) {
                        log.error("cannot read the stored task {} ({}): left out; fix or remove the file", file,
                                e.getClass().getSimpleName());
                    }
                }
            }
        } catch (IOException e) {
            throw new FerryException("--data-dir: cannot list " + dir + " (" + e.getMessage() + ")");
        }
        return tasks;
    }

    /** Writes {@code task} durably, replacing its previous file. */
    public synchronized void save(StoredTask task) {
        Path file = dir.resolve(task.name() + SUFFIX);
        Path temp = dir.resolve("." + task.name() + SUFFIX + TEMP);
        try {
            byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(task);
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new FerryException("--data-dir " + dir + ": the file system cannot rename atomically; use a local disk");
            }
            forceDirectory();
        } catch (IOException e) {
            throw new FerryException("cannot store task " + task.name() + " in " + dir + " (" + e.getMessage() + ")");
        }
    }

    /** Removes the task's file. */
    public synchronized void delete(String name) {
        try {
            Files.deleteIfExists(dir.resolve(name + SUFFIX));
            forceDirectory();
        } catch (IOException e) {
            throw new FerryException("cannot remove task " + name + " from " + dir + " (" + e.getMessage() + ")");
        }
    }

    /** Makes the rename itself durable: the directory's entry is on disk too. */
    private void forceDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
