package dev.ferry.pipeline;

import dev.ferry.sink.WriteSink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** A {@link WriteSink} that records what it is given, as readable lines, for pipeline unit tests. */
final class RecordingSink implements WriteSink {

    /** Synchronized: a test may count them while a replication link's thread adds to them. */
    final List<String> writes = java.util.Collections.synchronizedList(new ArrayList<>());
    /** The writes as given, for tests that look at binary arguments. */
    final List<byte[][]> commands = new ArrayList<>();
    long advanced = -1;
    int selected = -1;
    private final Consumer<byte[][]> then;

    RecordingSink() {
        this(argv -> { });
    }

    /** Also hands every written command to {@code then} (to run it on a server). */
    RecordingSink(Consumer<byte[][]> then) {
        this.then = then;
    }

    @Override
    public void write(byte[][] argv, long sourceOffset) {
        writes.add(render(argv));
        then.accept(argv);
        commands.add(argv);
        if (sourceOffset >= 0) {
            advanced = sourceOffset;
        }
    }

    @Override
    public void select(int db, long sourceOffset) {
        if (db != selected) {
            writes.add("SELECT " + db);
            selected = db;
        }
        if (sourceOffset >= 0) {
            advanced = sourceOffset;
        }
    }

    @Override
    public void advance(long sourceOffset) {
        advanced = sourceOffset;
    }

    @Override
    public void flush() {
    }

    static String render(byte[][] argv) {
        List<String> parts = new ArrayList<>();
        for (byte[] a : argv) {
            parts.add(new String(a, StandardCharsets.ISO_8859_1));
        }
        return parts.stream().collect(Collectors.joining(" "));
    }
}
