package dev.ferry.cluster;

import dev.ferry.FerryException;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Where the destination and the source keys are in a command that computes a value from other keys and stores
 * it ({@code SUNIONSTORE}, {@code ZUNIONSTORE}, {@code BITOP}, {@code SORT … STORE}…), per the command's syntax
 * in the Redis reference (t_set.c, t_zset.c, bitops.c, hyperloglog.c, geo.c, sort.c). Immutable.
 *
 * @param destination the index of the destination key
 * @param sources the indexes of the keys read, in order (the destination among them when the command reads it)
 */
record StoreArgs(int destination, int[] sources) {

    /** The commands this record knows, lower case. */
    static final Set<String> COMMANDS = Set.of("sunionstore", "sinterstore", "sdiffstore", "zunionstore", "zinterstore",
            "zdiffstore", "zrangestore", "pfmerge", "bitop", "geosearchstore", "sort");

    /**
     * The positions in {@code argv}, a command of {@link #COMMANDS}.
     *
     * @throws FerryException a form whose result depends on keys other than its arguments ({@code SORT … BY} or
     *         {@code GET} with a pattern), or a malformed command
     */
    static StoreArgs of(String name, byte[][] argv) {
        return switch (name) {
            case "sunionstore", "sinterstore", "sdiffstore" -> range(1, 2, argv.length, argv);
            case "pfmerge" -> range(1, 1, argv.length, argv);
            case "bitop" -> range(2, 3, argv.length, argv);
            case "zunionstore", "zinterstore", "zdiffstore" -> range(1, 3, 3 + count(argv, 2, name), argv);
            case "zrangestore", "geosearchstore" -> range(1, 2, 3, argv);
            case "sort" -> sort(argv);
            default -> throw new IllegalArgumentException("not a store command: " + name);
        };
    }

    /**
     * {@code argv} as a cluster node accepts it: a cluster refuses {@code SORT}'s {@code GET} outright, even
     * {@code GET #} (the element itself), so a lone {@code GET #}, which changes nothing, is left out.
     *
     * @throws FerryException a {@code SORT} with several {@code GET}s
     */
    static byte[][] forCluster(String name, byte[][] argv) {
        if (!name.equals("sort")) {
            return argv;
        }
        int get = -1;
        for (int i = 2; i < argv.length - 1; i++) {
            String option = text(argv[i]).toLowerCase(Locale.ROOT);
            if (option.equals("get")) {
                if (get >= 0) {
                    throw new FerryException("cannot apply SORT … GET … GET … STORE to a cluster target: a cluster"
                            + " refuses SORT's GET option; leave such keys out of the sync (--exclude-keys)");
                }
                get = i;
            }
            if (option.equals("get") || option.equals("by") || option.equals("store")) {
                i++;
            } else if (option.equals("limit")) {
                i += 2;
            }
        }
        if (get < 0 || !text(argv[get + 1]).equals("#")) {
            return argv;
        }
        byte[][] without = new byte[argv.length - 2][];
        System.arraycopy(argv, 0, without, 0, get);
        System.arraycopy(argv, get + 2, without, get, argv.length - get - 2);
        return without;
    }

    private static StoreArgs range(int destination, int from, int to, byte[][] argv) {
        if (argv.length <= destination || to > argv.length || from > to) {
            throw malformed(argv);
        }
        int[] sources = new int[to - from];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = from + i;
        }
        return new StoreArgs(destination, sources);
    }

    private static int count(byte[][] argv, int at, String name) {
        try {
            int n = Integer.parseInt(text(argv[at]));
            if (n < 1) {
                throw malformed(argv);
            }
            return n;
        } catch (RuntimeException e) {
            throw new FerryException("malformed " + name.toUpperCase(Locale.ROOT) + " in the stream: numkeys is not a positive number");
        }
    }

    /** {@code SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] STORE destination} (sort.c). */
    private static StoreArgs sort(byte[][] argv) {
        int destination = -1;
        for (int i = 2; i < argv.length; i++) {
            String option = text(argv[i]).toLowerCase(Locale.ROOT);
            switch (option) {
                case "store" -> destination = ++i;
                case "limit" -> i += 2;
                case "by" -> {
                    // A pattern without '*' means "do not sort"; with one, it weights by other keys, anywhere in the cluster.
                    if (++i < argv.length && text(argv[i]).contains("*")) {
                        throw patternRefused("BY");
                    }
                }
                case "get" -> {
                    if (++i < argv.length && !text(argv[i]).equals("#")) {
                        throw patternRefused("GET");
                    }
                }
                default -> {
                    // ASC, DESC, ALPHA: no argument.
                }
            }
        }
        if (destination < 0 || destination >= argv.length) {
            throw new FerryException("SORT without STORE reached the cross-slot emulation: it writes nothing");
        }
        return new StoreArgs(destination, new int[] {1});
    }

    private static FerryException patternRefused(String option) {
        return new FerryException("cannot apply SORT … " + option + " <pattern> … STORE across slots of a cluster target:"
                + " the pattern names other keys, which a cluster cannot read together; use hash tags on the source"
                + " or keep such keys out of the sync (--exclude-keys)");
    }

    private static FerryException malformed(byte[][] argv) {
        return new FerryException("malformed " + text(argv[0]).toUpperCase(Locale.ROOT) + " in the stream ("
                + argv.length + " arguments)");
    }

    private static String text(byte[] arg) {
        return new String(arg, StandardCharsets.ISO_8859_1);
    }
}
