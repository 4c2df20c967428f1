package dev.ferry.pipeline;

import dev.ferry.FerryException;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the keys are in a command's arguments, from the source's own {@code COMMAND} table (first key,
 * last key, step: the stream carries the source's commands), plus the commands whose keys move with a
 * count argument ({@code EVAL}, {@code FCALL}, {@code ZUNIONSTORE}, {@code LMPOP}, {@code SORT ... STORE}...).
 * A container command of 7.0+ ({@code XGROUP}) names no key itself: its subcommand's entry
 * ({@code xgroup|create}) says where they are. Used when a sync copies only some keys, or routes writes to the
 * masters of a cluster target. Immutable after {@link #fetch}.
 */
public final class CommandKeys {

    private record Spec(int first, int last, int step, boolean movable) {
    }

    private final Map<String, Spec> specs;

    private CommandKeys(Map<String, Spec> specs) {
        this.specs = specs;
    }

    /** Reads the {@code COMMAND} table of {@code source}. */
    public static CommandKeys fetch(RedisConnection source) {
        Map<String, Spec> specs = new HashMap<>();
        for (RespValue entry : ((RespValue.Array) source.callChecked("COMMAND")).items()) {
            List<RespValue> f = add(specs, entry);
            // 7.0+: a container's subcommands, each an entry of the same form, named "container|sub".
            if (f.size() > 9 && f.get(9) instanceof RespValue.Array subcommands && subcommands.items() != null) {
                subcommands.items().forEach(sub -> add(specs, sub));
            }
        }
        return new CommandKeys(specs);
    }

    /** Adds the key spec of one {@code COMMAND} entry (name, arity, flags, first key, last key, step, ...). */
    private static List<RespValue> add(Map<String, Spec> specs, RespValue entry) {
        List<RespValue> f = ((RespValue.Array) entry).items();
        String name = f.get(0).asText().toLowerCase(Locale.ROOT);
        boolean movable = ((RespValue.Array) f.get(2)).items().stream().anyMatch(v -> "movablekeys".equals(v.asText()));
        specs.put(name, new Spec((int) f.get(3).asLong(), (int) f.get(4).asLong(), (int) f.get(5).asLong(), movable));
        return f;
    }

    /**
     * The indexes of {@code argv}'s keys, in order; empty for a command without keys.
     *
     * @throws FerryException for a command whose keys Ferry cannot locate
     */
    public int[] keyIndexes(byte[][] argv) {
        String name = new String(argv[0], StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        switch (name) {
            case "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro":
                return counted(argv, 2, 3, -1);
            case "zunionstore", "zinterstore", "zdiffstore":
                return counted(argv, 2, 3, 1);
            case "lmpop", "zmpop", "sintercard", "zintercard":
                return counted(argv, 1, 2, -1);
            case "blmpop", "bzmpop":
                return counted(argv, 2, 3, -1);
            case "sort", "sort_ro", "georadius", "georadiusbymember":
                return withStore(argv);
            default:
                break;
        }
        Spec spec = specs.get(name);
        if (spec != null && spec.first() <= 0 && argv.length > 1) {
            Spec sub = specs.get(name + "|" + new String(argv[1], StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT));
            spec = sub == null ? spec : sub;
        }
        if (spec == null) {
            throw new FerryException("the source sent " + name.toUpperCase(Locale.ROOT) + ", which is not in its COMMAND"
                    + " table: Ferry cannot tell which of its arguments are keys");
        }
        if (spec.movable()) {
            throw new FerryException("the source sent " + name.toUpperCase(Locale.ROOT) + ", whose keys move with its"
                    + " arguments: Ferry cannot filter it by key; copy without --keys/--exclude-keys");
        }
        if (spec.first() <= 0) {
            return new int[0];
        }
        int last = spec.last() < 0 ? argv.length + spec.last() : Math.min(spec.last(), argv.length - 1);
        int step = Math.max(1, spec.step());
        int[] out = new int[Math.max(0, (last - spec.first()) / step + 1)];
        for (int i = 0; i < out.length; i++) {
            out[i] = spec.first() + i * step;
        }
        return out;
    }

    /** {@code numkeys} at {@code countAt}, the keys right after it, plus the key at {@code extra} (or -1). */
    private static int[] counted(byte[][] argv, int countAt, int firstKey, int extra) {
        int n;
        try {
            n = Integer.parseInt(new String(argv[countAt], StandardCharsets.US_ASCII));
        } catch (RuntimeException e) {
            throw new FerryException("malformed " + new String(argv[0], StandardCharsets.US_ASCII) + " in the stream");
        }
        int[] out = new int[n + (extra > 0 ? 1 : 0)];
        int k = 0;
        if (extra > 0) {
            out[k++] = extra;
        }
        for (int i = 0; i < n && firstKey + i < argv.length; i++) {
            out[k++] = firstKey + i;
        }
        return k == out.length ? out : java.util.Arrays.copyOf(out, k);
    }

    /** The key at 1, plus the destination after {@code STORE} or {@code STOREDIST}. */
    private static int[] withStore(byte[][] argv) {
        for (int i = 2; i + 1 < argv.length; i++) {
            String a = new String(argv[i], StandardCharsets.US_ASCII);
            if (a.equalsIgnoreCase("STORE") || a.equalsIgnoreCase("STOREDIST")) {
                return new int[] {1, i + 1};
            }
        }
        return new int[] {1};
    }
}
