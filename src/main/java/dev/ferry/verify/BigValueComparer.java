package dev.ferry.verify;

import dev.ferry.resp.KeyText;
import dev.ferry.resp.RespValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Compares one big value chunk by chunk, so that memory stays bounded whatever its size: strings with
 * {@code GETRANGE}, lists with {@code LRANGE} ranges and streams with {@code XRANGE … COUNT} on both sides
 * in step; hashes, sets and sorted sets by scanning the source ({@code HSCAN}, {@code SSCAN},
 * {@code ZSCAN}) and looking each chunk up on the target ({@code HMGET}, {@code SISMEMBER},
 * {@code ZSCORE}). The two sizes are already known to be equal, so "every source element is on the
 * target, the same" means the values are equal. Not thread-safe: uses its worker's clients.
 */
final class BigValueComparer {

    static final int STRING_CHUNK = 256 * 1024;
    static final int ELEMENT_CHUNK = 512;

    private final SideClient source;
    private final SideClient target;

    BigValueComparer(SideClient source, SideClient target) {
        this.source = source;
        this.target = target;
    }

    /** What differs, or null when the values are the same. {@code size} is the size both sides reported. */
    String compare(int db, byte[] key, String type, long size) {
        return switch (type) {
            case "string" -> string(db, key, size);
            case "list" -> list(db, key, size);
            case "stream" -> stream(db, key);
            case "hash" -> hash(db, key);
            case "set" -> set(db, key);
            case "zset" -> zset(db, key);
            default -> null;
        };
    }

    private String string(int db, byte[] key, long size) {
        for (long from = 0; from < size; from += STRING_CHUNK) {
            long to = Math.min(size, from + STRING_CHUNK) - 1;
            RespValue[] r = both(db, key, "GETRANGE", key, from, to);
            byte[] a = Values.bytes(r[0]);
            byte[] b = Values.bytes(r[1]);
            int at = Arrays.mismatch(a, b);
            if (at >= 0) {
                return "string differs at byte " + (from + at) + " of " + size;
            }
        }
        return null;
    }

    private String list(int db, byte[] key, long size) {
        for (long from = 0; from < size; from += ELEMENT_CHUNK) {
            RespValue[] r = both(db, key, "LRANGE", key, from, from + ELEMENT_CHUNK - 1);
            List<byte[]> a = Values.bulks(r[0]);
            List<byte[]> b = Values.bulks(r[1]);
            int at = Values.firstDifference(a, b);
            if (at >= 0) {
                return "list differs at index " + (from + at) + ": source " + Values.item(a, at) + ", target " + Values.item(b, at);
            }
        }
        return null;
    }

    private String stream(int db, byte[] key) {
        String start = "-";
        long seen = 0;
        while (true) {
            RespValue[] r = both(db, key, "XRANGE", key, start, "+", "COUNT", ELEMENT_CHUNK);
            List<RespValue> a = ((RespValue.Array) r[0]).items();
            List<RespValue> b = ((RespValue.Array) r[1]).items();
            List<byte[]> ea = new ArrayList<>();
            List<byte[]> eb = new ArrayList<>();
            a.forEach(e -> ea.add(Values.entry(e)));
            b.forEach(e -> eb.add(Values.entry(e)));
            int at = Values.firstDifference(ea, eb);
            if (at >= 0) {
                return "stream differs at entry " + (seen + at) + ": source " + Values.item(ea, at) + ", target " + Values.item(eb, at);
            }
            if (a.size() < ELEMENT_CHUNK) {
                return null;
            }
            seen += a.size();
            start = nextId(((RespValue.Array) a.get(a.size() - 1)).items().get(0).asText());
        }
    }

    /** The smallest stream ID after {@code id}: XRANGE's exclusive "(" start needs 6.2, this works everywhere. */
    static String nextId(String id) {
        int dash = id.indexOf('-');
        long ms = Long.parseLong(id.substring(0, dash));
        long seq = Long.parseUnsignedLong(id.substring(dash + 1));
        return seq == -1L ? (ms + 1) + "-0" : ms + "-" + Long.toUnsignedString(seq + 1);
    }

    private String hash(int db, byte[] key) {
        String cursor = "0";
        do {
            List<RespValue> page = scan(db, key, "HSCAN", cursor);
            cursor = page.get(0).asText();
            List<byte[]> pairs = Values.bulks(page.get(1));
            if (pairs.isEmpty()) {
                continue;
            }
            Object[] hmget = new Object[2 + pairs.size() / 2];
            hmget[0] = "HMGET";
            hmget[1] = key;
            for (int i = 0; i < pairs.size() / 2; i++) {
                hmget[2 + i] = pairs.get(2 * i);
            }
            List<RespValue> theirs = ((RespValue.Array) checked(target, db, key, hmget)).items();
            for (int i = 0; i < pairs.size() / 2; i++) {
                RespValue value = theirs.get(i);
                byte[] field = pairs.get(2 * i);
                if (value instanceof RespValue.Bulk bulk && bulk.bytes() == null) {
                    return "hash field " + KeyText.shortQuoted(field, 60) + " missing on target";
                }
                if (!Arrays.equals(pairs.get(2 * i + 1), Values.bytes(value))) {
                    return "hash field " + KeyText.shortQuoted(field, 60) + " differs: source "
                            + KeyText.shortQuoted(pairs.get(2 * i + 1), 60) + ", target " + KeyText.shortQuoted(Values.bytes(value), 60);
                }
            }
        } while (!cursor.equals("0"));
        return null;
    }

    private String set(int db, byte[] key) {
        String cursor = "0";
        do {
            List<RespValue> page = scan(db, key, "SSCAN", cursor);
            cursor = page.get(0).asText();
            List<byte[]> members = Values.bulks(page.get(1));
            List<RespValue> replies = lookUp(db, key, members, m -> new Object[] {"SISMEMBER", key, m});
            for (int i = 0; i < members.size(); i++) {
                if (replies.get(i).asLong() == 0) {
                    return "set member " + KeyText.shortQuoted(members.get(i), 60) + " missing on target";
                }
            }
        } while (!cursor.equals("0"));
        return null;
    }

    private String zset(int db, byte[] key) {
        String cursor = "0";
        do {
            List<RespValue> page = scan(db, key, "ZSCAN", cursor);
            cursor = page.get(0).asText();
            List<byte[]> pairs = Values.bulks(page.get(1));
            List<byte[]> members = new ArrayList<>(pairs.size() / 2);
            for (int i = 0; i + 1 < pairs.size(); i += 2) {
                members.add(pairs.get(i));
            }
            List<RespValue> scores = lookUp(db, key, members, m -> new Object[] {"ZSCORE", key, m});
            for (int i = 0; i < members.size(); i++) {
                RespValue score = scores.get(i);
                if (score instanceof RespValue.Bulk bulk && bulk.bytes() == null) {
                    return "zset member " + KeyText.shortQuoted(members.get(i), 60) + " missing on target";
                }
                byte[] ours = Values.score(pairs.get(2 * i + 1));
                byte[] theirs = Values.score(Values.bytes(score));
                if (!Arrays.equals(ours, theirs)) {
                    return "zset member " + KeyText.shortQuoted(members.get(i), 60) + " has score "
                            + new String(ours, java.nio.charset.StandardCharsets.US_ASCII) + " on the source, "
                            + new String(theirs, java.nio.charset.StandardCharsets.US_ASCII) + " on the target";
                }
            }
        } while (!cursor.equals("0"));
        return null;
    }

    private List<RespValue> scan(int db, byte[] key, String command, String cursor) {
        return ((RespValue.Array) checked(source, db, key, command, key, cursor, "COUNT", ELEMENT_CHUNK)).items();
    }

    private List<RespValue> lookUp(int db, byte[] key, List<byte[]> members, java.util.function.Function<byte[], Object[]> command) {
        List<byte[]> keys = new ArrayList<>(members.size());
        List<Object[]> commands = new ArrayList<>(members.size());
        for (byte[] member : members) {
            keys.add(key);
            commands.add(command.apply(member));
        }
        List<RespValue> replies = target.call(db, keys, commands);
        for (RespValue reply : replies) {
            failOnError(target, reply, commands.get(0));
        }
        return replies;
    }

    /** The same command on both sides, sent to both before either reply is read. */
    private RespValue[] both(int db, byte[] key, Object... command) {
        SideClient.Pending a = source.submit(db, List.of(key), List.<Object[]>of(command));
        SideClient.Pending b = target.submit(db, List.of(key), List.<Object[]>of(command));
        RespValue ra = failOnError(source, a.await().get(0), command);
        RespValue rb = failOnError(target, b.await().get(0), command);
        return new RespValue[] {ra, rb};
    }

    private static RespValue checked(SideClient side, int db, byte[] key, Object... command) {
        return failOnError(side, side.call(db, key, command), command);
    }

    /**
     * @throws ChangedWhileReading the key changed type under us (a live write): a later round looks again
     * @throws VerifyException any other error reply
     */
    static RespValue failOnError(SideClient side, RespValue reply, Object[] command) {
        if (reply instanceof RespValue.Error e) {
            if (e.code().equals("WRONGTYPE")) {
                throw new ChangedWhileReading();
            }
            throw new VerifyException(side.topology().seed().address() + " refused " + command[0] + ": " + e.message());
        }
        return reply;
    }

    /** A key changed type while it was being read: not an error, a difference for the next round to look at again. */
    static final class ChangedWhileReading extends RuntimeException {
        ChangedWhileReading() {
            super("key changed type while being compared", null, false, false);
        }
    }
}
