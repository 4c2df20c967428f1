package dev.ferry.pipeline;

import java.nio.charset.StandardCharsets;

/**
 * A glob-style key pattern with the rules of Redis's {@code KEYS} and {@code SCAN MATCH}: {@code *} any
 * run of bytes, {@code ?} one byte, {@code [abc]}, {@code [^a]} and {@code [a-z]} classes, {@code \}
 * to take the next byte literally. Matched against raw key bytes. Immutable.
 */
public final class KeyPattern {

    private final String text;
    private final byte[] pattern;

    public KeyPattern(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty key pattern");
        }
        this.text = text;
        this.pattern = text.getBytes(StandardCharsets.UTF_8);
    }

    public boolean matches(byte[] key) {
        return match(0, key, 0);
    }

    private boolean match(int p, byte[] s, int i) {
        while (p < pattern.length) {
            byte c = pattern[p];
            switch (c) {
                case '*' -> {
                    while (p + 1 < pattern.length && pattern[p + 1] == '*') {
                        p++;
                    }
                    if (p + 1 == pattern.length) {
                        return true;
                    }
                    for (int j = i; j <= s.length; j++) {
                        if (match(p + 1, s, j)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (i >= s.length) {
                        return false;
                    }
                    i++;
                    p++;
                }
                case '[' -> {
                    if (i >= s.length) {
                        return false;
                    }
                    int close = matchClass(p, s[i]);
                    if (close < 0) {
                        return false;
                    }
                    i++;
                    p = close + 1;
                }
                default -> {
                    if (c == '\\' && p + 1 < pattern.length) {
                        p++;
                        c = pattern[p];
                    }
                    if (i >= s.length || s[i] != c) {
                        return false;
                    }
                    i++;
                    p++;
                }
            }
        }
        return i == s.length;
    }

    /**
     * Matches byte {@code b} against the class opened at {@code open}; returns where the class ends (its
     * ']', or the last byte of the pattern when it is not closed, as Redis reads it), or -1 for no match.
     * As in Redis: {@code ^} negates, {@code a-z} is a range (either order), {@code \} escapes, and a
     * {@code ]} right after the opening closes an empty class.
     */
    private int matchClass(int open, byte b) {
        int q = open + 1;
        boolean negate = q < pattern.length && pattern[q] == '^';
        if (negate) {
            q++;
        }
        boolean found = false;
        while (true) {
            if (q < pattern.length && pattern[q] == '\\' && pattern.length - q >= 2) {
                q++;
                found |= pattern[q] == b;
            } else if (q < pattern.length && pattern[q] == ']') {
                break;
            } else if (q >= pattern.length) {
                q--;
                break;
            } else if (pattern.length - q >= 3 && pattern[q + 1] == '-') {
                int lo = Math.min(pattern[q] & 0xff, pattern[q + 2] & 0xff);
                int hi = Math.max(pattern[q] & 0xff, pattern[q + 2] & 0xff);
                found |= (b & 0xff) >= lo && (b & 0xff) <= hi;
                q += 2;
            } else {
                found |= pattern[q] == b;
            }
            q++;
        }
        return negate != found ? q : -1;
    }

    @Override
    public String toString() {
        return text;
    }
}
