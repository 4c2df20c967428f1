package dev.ferry.testing;

import dev.ferry.resp.KeyText;

import java.nio.charset.StandardCharsets;

/**
 * Byte strings as readable, unambiguous text: quoted, with {@code "} and {@code \} escaped and every
 * byte outside printable ASCII written {@code \xHH}. Two different byte strings never print the same.
 */
public final class Printable {

    private Printable() {
    }

    /** The whole string, quoted and escaped (as Ferry's own messages do it: {@link KeyText}). */
    public static String of(byte[] bytes) {
        return KeyText.quoted(bytes);
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
