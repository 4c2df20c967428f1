package dev.ferry.sink;

import dev.ferry.resp.KeyText;
import dev.ferry.resp.SpilledBulk;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Printable forms of commands for error messages: name and the start of each argument, never whole payloads. */
public final class Command {

    private static final int MAX_ARG_CHARS = 40;
    private static final int MAX_ARGS = 6;

    private Command() {
    }

    /** The command name, upper-cased. */
    public static String name(byte[][] argv) {
        return new String(argv[0], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
    }

    /** A short printable rendering such as {@code "INCR" "counter"}. */
    public static String describe(byte[][] argv) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(argv.length, MAX_ARGS);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(i == 0 ? name(argv) : printable(argv[i]));
        }
        if (argv.length > n) {
            sb.append(" ... (").append(argv.length).append(" arguments)");
        }
        return sb.toString();
    }

    /**
     * A byte string quoted and escaped ({@link KeyText}), cut after a few dozen characters; a spilled
     * argument as its size, {@code <104857600 bytes>}. Costs the characters shown, whatever the size.
     */
    public static String printable(byte[] b) {
        SpilledBulk spilled = SpilledBulk.of(b);
        return spilled != null ? spilled.toString() : KeyText.shortQuoted(b, MAX_ARG_CHARS);
    }
}
