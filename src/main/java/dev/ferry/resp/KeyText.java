package dev.ferry.resp;

/**
 * Key names and values as printable, unambiguous text: printable ASCII as is, {@code "} and {@code \}
 * escaped with a backslash, every other byte {@code \xHH}. Two different byte strings never print the same.
 */
public final class KeyText {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private KeyText() {
    }

    /** The bytes escaped, without quotes. */
    public static String escape(byte[] bytes) {
        return escape(bytes, bytes.length);
    }

    /** The first {@code len} bytes escaped: a message about a huge value escapes only what it shows. */
    private static String escape(byte[] bytes, int len) {
        StringBuilder sb = new StringBuilder(len + 8);
        for (int i = 0; i < len; i++) {
            int b = bytes[i] & 0xff;
            if (b == '"' || b == '\\') {
                sb.append('\\').append((char) b);
            } else if (b >= 0x20 && b < 0x7f) {
                sb.append((char) b);
            } else {
                sb.append("\\x").append(HEX[b >> 4]).append(HEX[b & 0xf]);
            }
        }
        return sb.toString();
    }

    /** The bytes escaped and quoted, for messages. */
    public static String quoted(byte[] bytes) {
        return '"' + escape(bytes) + '"';
    }

    /** The bytes quoted and cut to about {@code max} characters, for showing a value in a message. */
    public static String shortQuoted(byte[] bytes, int max) {
        // Every byte prints as at least one character: past the first max bytes nothing is shown.
        String text = escape(bytes, Math.min(bytes.length, max));
        if (text.length() <= max && bytes.length <= max) {
            return '"' + text + '"';
        }
        return '"' + text.substring(0, max) + "\"... (" + bytes.length + " bytes)";
    }
}
