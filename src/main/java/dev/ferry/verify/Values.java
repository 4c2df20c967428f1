package dev.ferry.verify;

import dev.ferry.resp.KeyText;
import dev.ferry.resp.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Values read back as lists of items in a form that does not depend on the server's version or encoding:
 * hash fields and set members sorted, sorted-set scores as numbers, stream entries one item each. Two
 * values are equal when their item lists are.
 */
final class Values {

    private Values() {
    }

    /** The read command for a whole value of {@code type}, or null when the type has no element reader here. */
    static Object[] readAll(String type, byte[] key) {
        return switch (type) {
            case "string" -> new Object[] {"GET", key};
            case "list" -> new Object[] {"LRANGE", key, "0", "-1"};
            case "hash" -> new Object[] {"HGETALL", key};
            case "set" -> new Object[] {"SMEMBERS", key};
            case "zset" -> new Object[] {"ZRANGE", key, "0", "-1", "WITHSCORES"};
            case "stream" -> new Object[] {"XRANGE", key, "-", "+"};
            default -> null;
        };
    }

    /**
     * A bounded first read sent together with the size, or null for types that cannot be read in one bounded
     * command (hash, set): for a value no bigger than one chunk it is the whole value.
     */
    static Object[] readFirst(String type, byte[] key, int stringChunk, int elementChunk) {
        return switch (type) {
            case "string" -> new Object[] {"GETRANGE", key, "0", stringChunk - 1};
            case "list" -> new Object[] {"LRANGE", key, "0", elementChunk - 1};
            case "zset" -> new Object[] {"ZRANGE", key, "0", elementChunk - 1, "WITHSCORES"};
            case "stream" -> new Object[] {"XRANGE", key, "-", "+", "COUNT", elementChunk};
            default -> null;
        };
    }

    /** The command giving the size of a value of {@code type}: bytes for a string, elements otherwise. */
    static Object[] size(String type, byte[] key) {
        return switch (type) {
            case "string" -> new Object[] {"STRLEN", key};
            case "list" -> new Object[] {"LLEN", key};
            case "hash" -> new Object[] {"HLEN", key};
            case "set" -> new Object[] {"SCARD", key};
            case "zset" -> new Object[] {"ZCARD", key};
            case "stream" -> new Object[] {"XLEN", key};
            default -> null;
        };
    }

    /** The reply of {@link #readAll} as items. */
    static List<byte[]> items(String type, RespValue reply) {
        return switch (type) {
            case "string" -> List.of(bytes(reply));
            case "list" -> bulks(reply);
            case "hash" -> sortedPairs(bulks(reply));
            case "set" -> sorted(bulks(reply));
            case "zset" -> scored(bulks(reply));
            case "stream" -> entries(reply);
            default -> List.of();
        };
    }

    /** ZRANGE/ZSCAN pairs with each score rewritten as a canonical number ("1.5" and "1.50" are the same score). */
    static List<byte[]> scored(List<byte[]> memberScorePairs) {
        List<byte[]> out = new ArrayList<>(memberScorePairs.size());
        for (int i = 0; i + 1 < memberScorePairs.size(); i += 2) {
            out.add(memberScorePairs.get(i));
            out.add(score(memberScorePairs.get(i + 1)));
        }
        return out;
    }

    static byte[] score(byte[] text) {
        String s = new String(text, StandardCharsets.US_ASCII);
        double d = switch (s) {
            case "inf", "+inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
        return Double.toString(d).getBytes(StandardCharsets.US_ASCII);
    }

    /** XRANGE entries, one item each: the id, then each field and value quoted. */
    static List<byte[]> entries(RespValue reply) {
        List<byte[]> out = new ArrayList<>();
        for (RespValue entry : ((RespValue.Array) reply).items()) {
            out.add(entry(entry));
        }
        return out;
    }

    static byte[] entry(RespValue entry) {
        List<RespValue> parts = ((RespValue.Array) entry).items();
        StringBuilder sb = new StringBuilder(parts.get(0).asText());
        for (byte[] field : bulks(parts.get(1))) {
            sb.append(' ').append(KeyText.quoted(field));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static List<byte[]> bulks(RespValue reply) {
        List<RespValue> items = ((RespValue.Array) reply).items();
        List<byte[]> out = new ArrayList<>(items == null ? 0 : items.size());
        if (items != null) {
            for (RespValue item : items) {
                out.add(bytes(item));
            }
        }
        return out;
    }

    static byte[] bytes(RespValue reply) {
        if (reply instanceof RespValue.Bulk b) {
            return b.bytes() == null ? new byte[0] : b.bytes();
        }
        return reply.asText().getBytes(StandardCharsets.UTF_8);
    }

    private static List<byte[]> sorted(List<byte[]> items) {
        List<byte[]> out = new ArrayList<>(items);
        out.sort(Arrays::compareUnsigned);
        return out;
    }

    private static List<byte[]> sortedPairs(List<byte[]> flat) {
        List<byte[][]> pairs = new ArrayList<>(flat.size() / 2);
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            pairs.add(new byte[][] {flat.get(i), flat.get(i + 1)});
        }
        pairs.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
        List<byte[]> out = new ArrayList<>(flat.size());
        for (byte[][] pair : pairs) {
            out.add(pair[0]);
            out.add(pair[1]);
        }
        return out;
    }

    /** Index of the first item that differs, or -1 when the lists are equal. */
    static int firstDifference(List<byte[]> a, List<byte[]> b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return i;
            }
        }
        return a.size() == b.size() ? -1 : n;
    }

    /** "at item 3: source "a", target "b"" for two item lists that differ at {@code index}. */
    static String describe(String type, List<byte[]> a, List<byte[]> b, int index) {
        return type + " differs at " + unit(type) + " " + index + ": source " + item(a, index) + ", target " + item(b, index);
    }

    static String unit(String type) {
        return switch (type) {
            case "string" -> "chunk";
            case "list" -> "index";
            case "stream" -> "entry";
            default -> "item";
        };
    }

    static String item(List<byte[]> items, int index) {
        return index < items.size() ? KeyText.shortQuoted(items.get(index), 60) : "(none)";
    }
}
