package dev.ferry.pipeline;

import dev.ferry.FerryException;
import dev.ferry.sink.Command;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The stream commands that name a database besides the selected one ({@code MOVE key db},
 * {@code COPY ... DB n}, {@code SWAPDB a b}) and {@code FLUSHDB}, translated for a sync that copies some
 * databases only ({@code --dbs}) or moves them ({@code --db-map}): to the same effect on the target, to
 * nothing when the target needs no change, or to a stop when no command can have the same effect (a
 * {@code FLUSHDB} of one of several merged databases: which of the merged keys came from it is not known).
 * Used only when databases are filtered or mapped; without either, every command goes as it is.
 * Stateless; called on the replayer's thread.
 */
final class DbCommands {

    private static final byte[] MOVE = ascii("MOVE");
    private static final byte[] COPY = ascii("COPY");
    private static final byte[] SWAPDB = ascii("SWAPDB");
    private static final byte[] DB = ascii("DB");
    private static final byte[] DEL = ascii("DEL");

    private final Set<Integer> copied;
    private final DbMap map;

    DbCommands(Filters filters) {
        this.copied = filters.dbs();
        this.map = filters.dbMap();
    }

    /** Whether {@code name} is one of the commands {@link #translate} changes. */
    static boolean namesADatabase(byte[] name) {
        return is(name, MOVE) || is(name, COPY) || is(name, SWAPDB);
    }

    /**
     * What to send to the target for {@code argv}, read in copied source database {@code db}.
     *
     * @return the command to send (maybe {@code argv} itself), or null when the target needs no change
     * @throws FerryException no command has the same effect on the target
     */
    byte[][] translate(byte[][] argv, int db, long offset) {
        if (is(argv[0], MOVE) && argv.length == 3) {
            return move(argv, db, offset);
        }
        if (is(argv[0], COPY)) {
            return copy(argv, db, offset);
        }
        if (is(argv[0], SWAPDB) && argv.length == 3) {
            return swapDb(argv, offset);
        }
        return argv;
    }

    /**
     * {@code FLUSHDB} in source database {@code db}: the target database it lands in, emptied whole, holds
     * nothing else; merged with other databases, it does, and the sync stops.
     */
    void checkFlushDb(int db, long offset) {
        Set<Integer> others = map.mergedWith(db, copied);
        if (!others.isEmpty()) {
            throw new FerryException("the source sent FLUSHDB in database " + db + " at offset " + offset + ", but --db-map "
                    + map + " merges database " + db + " with " + join(others) + " into target database " + map.target(db)
                    + ": Ferry cannot tell which of its keys came from database " + db + ", and emptying it would delete"
                    + " those of " + join(others) + " too. Nothing of it is applied. To go on, copy the source again: empty"
                    + " the target (FLUSHALL, which also drops the task's checkpoint) and run the same command; or map the"
                    + " databases apart, or copy them one at a time (--dbs)");
        }
    }

    /** {@code MOVE key to}: the key leaves the copied databases (deleted), stays in the same target database, or moves. */
    private byte[][] move(byte[][] argv, int db, long offset) {
        int to = database(argv[2], argv, offset);
        if (!includes(to)) {
            return new byte[][] {DEL, argv[1]};
        }
        if (map.target(to) == map.target(db)) {
            return null;
        }
        return new byte[][] {argv[0], argv[1], ascii(Integer.toString(map.target(to)))};
    }

    /** {@code COPY from to DB n}: into a database not copied, nothing; into the same target database as itself, nothing. */
    private byte[][] copy(byte[][] argv, int db, long offset) {
        for (int i = 3; i + 1 < argv.length; i++) {
            if (is(argv[i], DB)) {
                int to = database(argv[i + 1], argv, offset);
                if (!includes(to) || map.target(to) == map.target(db) && Arrays.equals(argv[1], argv[2])) {
                    return null;
                }
                byte[][] out = argv.clone();
                out[i + 1] = ascii(Integer.toString(map.target(to)));
                return out;
            }
        }
        return argv;
    }

    /**
     * {@code SWAPDB a b}: two databases landing in one target database change nothing there; two landing
     * apart, each alone, swap there; anything else cannot be done on the target.
     */
    private byte[][] swapDb(byte[][] argv, long offset) {
        int a = database(argv[1], argv, offset);
        int b = database(argv[2], argv, offset);
        if (!includes(a) && !includes(b) || includes(a) && includes(b) && map.target(a) == map.target(b)) {
            return null;
        }
        if (includes(a) && includes(b) && map.mergedWith(a, copied).isEmpty() && map.mergedWith(b, copied).isEmpty()) {
            return new byte[][] {argv[0], ascii(Integer.toString(map.target(a))), ascii(Integer.toString(map.target(b)))};
        }
        throw new FerryException("the source sent SWAPDB " + a + " " + b + " at offset " + offset + ", which cannot be"
                + " applied to the target with " + (includes(a) && includes(b) ? "--db-map " + map + " (a database it"
                + " merges with another would take the other's keys along)" : "--dbs " + join(copied) + " (one of the two"
                + " databases is not copied, so what it holds is unknown)") + ". Nothing of it is applied. To go on, copy"
                + " the source again: empty the target (FLUSHALL, which also drops the task's checkpoint) and run the same"
                + " command");
    }

    private boolean includes(int db) {
        return copied == null || copied.contains(db);
    }

    private static int database(byte[] arg, byte[][] argv, long offset) {
        try {
            return Integer.parseInt(new String(arg, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new FerryException("malformed " + Command.describe(argv) + " in the replication stream at offset " + offset);
        }
    }

    private static boolean is(byte[] arg, byte[] upper) {
        return arg.length == upper.length && new String(arg, StandardCharsets.ISO_8859_1)
                .equalsIgnoreCase(new String(upper, StandardCharsets.US_ASCII));
    }

    private static String join(Set<Integer> dbs) {
        return dbs.stream().sorted().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
