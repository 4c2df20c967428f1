package dev.ferry.pipeline;

import dev.ferry.FerryException;
import dev.ferry.sink.Command;
import dev.ferry.sink.TargetProfile;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Rewrites stream commands that an older target does not understand into equivalents it does.
 *
 * <p>A newer source propagates some writes in forms that did not exist before: Redis 6.0+ sends
 * {@code INCRBYFLOAT} as {@code SET key value KEEPTTL}, 7.0 sends {@code SET ... EX} as
 * {@code SET ... PXAT}, 6.2 adds {@code LMOVE}, 4.0 adds {@code UNLINK} and multi-field {@code HSET}.
 * Each becomes one command with the same effect on the older target: usually a small Lua script, which
 * is atomic like the original and may sit inside a {@code MULTI} block. A command with no equivalent
 * stops the sync with a clear error instead of being dropped.
 */
final class CommandTranslator {

    private static final byte[] EVAL = ascii("EVAL");
    private static final byte[] ONE = ascii("1");
    private static final byte[] TWO = ascii("2");

    /** SET emulation: ARGV = value, condition (NX, XX or ""), expiry kind (PXAT, PX, KEEPTTL or ""), expiry. */
    private static final byte[] SET_SCRIPT = ascii(String.join("\n",
            "local k = KEYS[1]",
            "local exists = redis.call('EXISTS', k) == 1",
            "if (ARGV[2] == 'NX' and exists) or (ARGV[2] == 'XX' and not exists) then return false end",
            "local ttl = -1",
            "if ARGV[3] == 'KEEPTTL' then ttl = redis.call('PTTL', k) end",
            "redis.call('SET', k, ARGV[1])",
            "if ARGV[3] == 'PXAT' then redis.call('PEXPIREAT', k, ARGV[4])",
            "elseif ARGV[3] == 'PX' then redis.call('PEXPIRE', k, ARGV[4])",
            "elseif ttl > 0 then redis.call('PEXPIRE', k, ttl) end",
            "return 1"));

    /** LMOVE emulation: ARGV = LEFT|RIGHT to pop from, LEFT|RIGHT to push to. */
    private static final byte[] LMOVE_SCRIPT = ascii(String.join("\n",
            "local v",
            "if ARGV[1] == 'LEFT' then v = redis.call('LPOP', KEYS[1]) else v = redis.call('RPOP', KEYS[1]) end",
            "if not v then return false end",
            "if ARGV[2] == 'LEFT' then redis.call('LPUSH', KEYS[2], v) else redis.call('RPUSH', KEYS[2], v) end",
            "return v"));

    private final TargetProfile target;
    private final boolean identity;

    CommandTranslator(TargetProfile target) {
        this.target = target;
        this.identity = target.version().atLeast(7, 0);
    }

    /** Whether every command goes to the target as it is. */
    boolean isIdentity() {
        return identity;
    }

    /**
     * The command to send for {@code argv}, whose lower-case name is {@code name}: {@code argv} itself
     * when the target understands it.
     */
    byte[][] translate(String name, byte[][] argv) {
        if (identity) {
            return argv;
        }
        switch (name) {
            case "set":
                return argv.length > 3 ? set(argv) : argv;
            case "lmove":
                return target.version().atLeast(6, 2) ? argv : lmove(argv);
            case "unlink":
                if (!target.version().atLeast(4, 0)) {
                    byte[][] del = argv.clone();
                    del[0] = ascii("DEL");
                    return del;
                }
                return argv;
            case "hset":
                if (argv.length > 4 && !target.version().atLeast(4, 0)) {
                    byte[][] hmset = argv.clone();
                    hmset[0] = ascii("HMSET");
                    return hmset;
                }
                return argv;
            case "copy":
                if (!target.version().atLeast(6, 2)) {
                    throw unsupported(argv, "6.2");
                }
                return argv;
            default:
                return argv;
        }
    }

    private byte[][] set(byte[][] argv) {
        String condition = "";
        String expiry = "";
        long amount = 0;
        boolean keepTtl = false;
        boolean absolute = false;
        boolean get = false;
        for (int i = 3; i < argv.length; i++) {
            String opt = new String(argv[i], StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
            switch (opt) {
                case "NX", "XX" -> condition = opt;
                case "GET" -> get = true;
                case "KEEPTTL" -> {
                    expiry = "KEEPTTL";
                    keepTtl = true;
                }
                case "EX", "PX", "EXAT", "PXAT" -> {
                    if (i + 1 >= argv.length) {
                        throw new FerryException("malformed SET in the replication stream: " + Command.describe(argv));
                    }
                    long n = Long.parseLong(new String(argv[++i], StandardCharsets.US_ASCII));
                    boolean seconds = opt.startsWith("EX");
                    amount = seconds ? n * 1000 : n;
                    expiry = opt.endsWith("AT") ? "PXAT" : "PX";
                    absolute |= opt.endsWith("AT");
                }
                default -> throw new FerryException("unknown SET option '" + opt + "' in the replication stream: "
                        + Command.describe(argv));
            }
        }
        boolean needsScript = (keepTtl && !target.version().atLeast(6, 0))
                || ((absolute || get) && !target.version().atLeast(6, 2));
        if (!needsScript) {
            return argv;
        }
        return new byte[][] {EVAL, SET_SCRIPT, ONE, argv[1], argv[2], ascii(condition), ascii(expiry),
                ascii(Long.toString(amount))};
    }

    private static byte[][] lmove(byte[][] argv) {
        if (argv.length != 5) {
            throw new FerryException("malformed LMOVE in the replication stream: " + Command.describe(argv));
        }
        byte[] from = upper(argv[3]);
        byte[] to = upper(argv[4]);
        if (new String(from, StandardCharsets.US_ASCII).equals("RIGHT") && new String(to, StandardCharsets.US_ASCII).equals("LEFT")) {
            return new byte[][] {ascii("RPOPLPUSH"), argv[1], argv[2]};
        }
        return new byte[][] {EVAL, LMOVE_SCRIPT, TWO, argv[1], argv[2], from, to};
    }

    private FerryException unsupported(byte[][] argv, String since) {
        return new FerryException("the source sent " + Command.describe(argv) + ", which target " + target.version()
                + " cannot express (needs Redis " + since + "+)");
    }

    private static byte[] upper(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
