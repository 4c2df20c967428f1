package dev.ferry.sink;

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

    /** A byte string quoted and escaped like redis-cli does, cut after a few dozen characters. */
    public static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder("\"");
        int n = Math.min(b.length, MAX_ARG_CHARS);
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        sb.append((char) c);
                    } else {
                        sb.append(String.format("\\x%02x", c));
                    }
                }
            }
        }
        sb.append('"');
        if (b.length > n) {
            sb.append("...(").append(b.length).append(" bytes)");
        }
        return sb.toString();
    }
}
