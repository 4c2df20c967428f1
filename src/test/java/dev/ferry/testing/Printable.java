package dev.ferry.testing;

import java.nio.charset.StandardCharsets;

/**
 * Byte strings as readable, unambiguous text: quoted, with {@code "} and {@code \} escaped and every
 * byte outside printable ASCII written {@code \xHH}. Two different byte strings never print the same.
 */
public final class Printable {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Printable() {
    }

    /** The whole string, quoted and escaped. */
    public static String of(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length + 2).append('"');
        for (byte value : bytes) {
            int b = value & 0xff;
            if (b == '"' || b == '\\') {
                sb.append('\\').append((char) b);
            } else if (b >= 0x20 && b < 0x7f) {
                sb.append((char) b);
            } else {
                sb.append('\\').append('x').append(HEX[b >> 4]).append(HEX[b & 0xf]);
            }
        }
        return sb.append('"').toString();
    }

    public static String of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code text} cut to {@code max} characters with the total length noted, for messages. */
    public static String shorten(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        return text.substring(0, max) + "...(" + text.length() + " chars)";
    }
}
