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

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CommandTranslator.class);

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

    /**
     * HSETEX emulation: ARGV = condition (FNX, FXX or ""), expiry kind (PXAT, PX, KEEPTTL or ""), amount, then
     * field value pairs. Field TTL commands are called only for PXAT, PX and KEEPTTL, which the translator gives
     * only to targets that have them (7.4+).
     */
    private static final byte[] HSETEX_SCRIPT = ascii(String.join("\n",
            "local k = KEYS[1]",
            "local n = (#ARGV - 3) / 2",
            "for i = 0, n - 1 do",
            "  local e = redis.call('HEXISTS', k, ARGV[4 + 2 * i])",
            "  if (ARGV[1] == 'FNX' and e == 1) or (ARGV[1] == 'FXX' and e == 0) then return 0 end",
            "end",
            "local keep = {}",
            "if ARGV[2] == 'KEEPTTL' then",
            "  for i = 0, n - 1 do keep[i] = redis.call('HPTTL', k, 'FIELDS', 1, ARGV[4 + 2 * i])[1] end",
            "end",
            "for i = 0, n - 1 do redis.call('HSET', k, ARGV[4 + 2 * i], ARGV[5 + 2 * i]) end",
            "for i = 0, n - 1 do",
            "  local f = ARGV[4 + 2 * i]",
            "  if ARGV[2] == 'PXAT' then redis.call('HPEXPIREAT', k, ARGV[3], 'FIELDS', 1, f)",
            "  elseif ARGV[2] == 'PX' then redis.call('HPEXPIRE', k, ARGV[3], 'FIELDS', 1, f)",
            "  elseif ARGV[2] == 'KEEPTTL' and keep[i] and keep[i] > 0 then redis.call('HPEXPIRE', k, keep[i], 'FIELDS', 1, f) end",
            "end",
            "return 1"));

    /**
     * XCLAIM as a 7.0+ source replicates it, for a target before 7.0: a message the source found deleted (its ID
     * no longer in the stream) leaves the group's pending list, as 7.0's own XCLAIM does; the others are claimed.
     * KEYS[1] = stream; ARGV = group, consumer, min-idle-time, number of IDs, the IDs, then the options.
     */
    private static final byte[] XCLAIM_SCRIPT = ascii(String.join("\n",
            "local n = tonumber(ARGV[4])",
            "local claim = {'XCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3]}",
            "local ids = 0",
            "for i = 1, n do",
            "  local id = ARGV[4 + i]",
            "  if #redis.call('XRANGE', KEYS[1], id, id) == 0 then redis.call('XACK', KEYS[1], ARGV[1], id)",
            "  else table.insert(claim, id); ids = ids + 1 end",
            "end",
            "if ids == 0 then return {} end",
            "for i = 5 + n, #ARGV do table.insert(claim, ARGV[i]) end",
            "return redis.call(unpack(claim))"));
    private static final java.util.Set<String> XCLAIM_OPTIONS = java.util.Set.of("IDLE", "TIME", "RETRYCOUNT", "FORCE",
            "JUSTID", "LASTID");

    private final TargetProfile target;
    private final boolean identity;
    private final boolean modern;
    private final java.util.Set<String> candidates;
    /** Whether the sync was told once that the target drops the idempotency records of streams. */
    private boolean idmpWarned;
    /** The source is 7.0+: its XCLAIM of a deleted message drops it from the pending list. */
    private boolean sourceDropsDeletedClaims;

    CommandTranslator(TargetProfile target) {
        this.target = target;
        // Redis 8.6 knows every command below: before it, or on Valkey, commands may need translating.
        this.identity = target.streamIdmp();
        this.modern = target.version().atLeast(7, 0);
        this.candidates = candidates(target);
    }

    /** The commands a 7.0+ target may need translated (upper case): those of later servers it lacks. */
    private static java.util.Set<String> candidates(TargetProfile target) {
        java.util.Set<String> names = new java.util.HashSet<>(java.util.List.of("SET", "XADD", "XTRIM", "XCFGSET",
                "XIDMPRECORD"));
        if (!target.hashFieldTtl()) {
            names.addAll(java.util.List.of("HPERSIST", "HEXPIRE", "HPEXPIRE", "HEXPIREAT", "HPEXPIREAT"));
        }
        if (!target.hashFieldCommands()) {
            names.addAll(java.util.List.of("HSETEX", "HGETDEL"));
        }
        if (!target.redis84Strings()) {
            names.addAll(java.util.List.of("DELEX", "MSETEX"));
        }
        if (!target.delIfEq()) {
            names.add("DELIFEQ");
        }
        if (!target.streamRefPolicies()) {
            names.addAll(java.util.List.of("XACKDEL", "XDELEX"));
        }
        if (!target.bitopDiff()) {
            names.add("BITOP");
        }
        return names;
    }

    /** Tells the translator the source's version (unknown until the link has started). */
    void sourceVersion(dev.ferry.resp.ServerInfo.Version version) {
        sourceDropsDeletedClaims = version.atLeast(7, 0);
    }

    /**
     * Whether {@code name} (a command's first argument, as received) may need translating, cheaply, before
     * {@link #translate} builds its lower-case name: on a 7.0+ target only the few commands of later servers.
     */
    boolean mayTranslate(byte[] name) {
        if (identity) {
            return false;
        }
        if (!modern) {
            return true;
        }
        // The candidates are 3 to 11 letters long: most commands are passed over without a String.
        return name.length >= 3 && name.length <= 11
                && candidates.contains(new String(name, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT));
    }

    /** Whether every command goes to the target as it is. */
    boolean isIdentity() {
        return identity;
    }

    /**
     * The command to send for {@code argv}, whose lower-case name is {@code name}: {@code argv} itself
     * when the target understands it, or null when there is nothing to send (its effect is already the
     * target's state).
     */
    byte[][] translate(String name, byte[][] argv) {
        if (identity) {
            return argv;
        }
        switch (name) {
            case "set":
                return argv.length > 3 ? set(RecentCommands.setWithoutConditions(argv, target)) : argv;
            case "delex":
                return target.redis84Strings() ? argv : RecentCommands.del(argv);
            case "delifeq":
                return target.delIfEq() ? argv : RecentCommands.del(argv);
            case "msetex":
                return target.redis84Strings() ? argv : RecentCommands.msetex(argv);
            case "hgetdel":
                return target.hashFieldCommands() ? argv : RecentCommands.hgetdel(argv);
            case "xackdel":
                return target.streamRefPolicies() ? argv : RecentCommands.streamDelete(argv, true);
            case "xdelex":
                return target.streamRefPolicies() ? argv : RecentCommands.streamDelete(argv, false);
            case "xadd", "xtrim":
                return argv.length > 3 ? RecentCommands.xaddOrTrim(argv, target.streamIdmp(), target.streamRefPolicies()) : argv;
            case "xcfgset", "xidmprecord":
                return target.streamIdmp() ? argv : idmpDropped(argv);
            case "bitop":
                return target.bitopDiff() ? argv : RecentCommands.bitop(argv);
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
            case "hsetex":
                return target.hashFieldCommands() ? argv : hsetex(argv);
            case "hpersist":
                // A target without field TTLs has none to remove: nothing to send.
                return target.hashFieldTtl() ? argv : null;
            case "hexpire", "hpexpire", "hexpireat", "hpexpireat":
                if (!target.hashFieldTtl()) {
                    throw new FerryException("the source sent " + Command.describe(argv) + ", a hash field TTL, which target "
                            + target.version() + " cannot hold (needs Redis 7.4+)");
                }
                return argv;
            case "xclaim":
                return sourceDropsDeletedClaims && !modern ? xclaim(argv) : argv;
            default:
                return argv;
        }
    }

    /** {@code XCFGSET} / {@code XIDMPRECORD}: a stream's idempotency settings, which the target cannot hold. */
    private byte[][] idmpDropped(byte[][] argv) {
        if (!idmpWarned) {
            idmpWarned = true;
            LOG.warn("the source sent {}: target {} keeps no idempotent-producer records of streams (Redis 8.6+), so they"
                    + " are left out (the entries are copied exactly; after a switch to the target, a producer's retry of"
                    + " an XADD ... IDMP is not recognised)", Command.describe(argv), target.version());
        }
        return null;
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
                // Left in only for a target that has them (RecentCommands.setWithoutConditions), so 7.2+.
                case "IFEQ", "IFNE", "IFDEQ", "IFDNE" -> i++;
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

    /**
     * Redis 8's {@code HSETEX key [FNX|FXX] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL] FIELDS n field value …} (which it
     * also replicates {@code HINCRBYFLOAT} as, with {@code KEEPTTL}) for a target without it: {@code HSET} when
     * nothing else is asked (a target before 7.4 has no field TTLs to keep), else a script with the same
     * effect; an expiry for a target before 7.4, which cannot hold field TTLs, stops the sync.
     */
    private byte[][] hsetex(byte[][] argv) {
        String condition = "";
        String expiry = "";
        long amount = 0;
        int i = 2;
        for (; i < argv.length; i++) {
            String opt = new String(argv[i], StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
            if (opt.equals("FIELDS")) {
                break;
            }
            switch (opt) {
                case "FNX", "FXX" -> condition = opt;
                case "KEEPTTL" -> expiry = "KEEPTTL";
                case "EX", "PX", "EXAT", "PXAT" -> {
                    if (i + 1 >= argv.length) {
                        throw new FerryException("malformed HSETEX in the replication stream: " + Command.describe(argv));
                    }
                    long n = Long.parseLong(new String(argv[++i], StandardCharsets.US_ASCII));
                    amount = opt.startsWith("EX") ? n * 1000 : n;
                    expiry = opt.endsWith("AT") ? "PXAT" : "PX";
                }
                default -> throw new FerryException("unknown HSETEX option '" + opt + "' in the replication stream: "
                        + Command.describe(argv));
            }
        }
        int first = i + 2;
        long fields = -1;
        if (i + 1 < argv.length) {
            try {
                fields = Long.parseLong(new String(argv[i + 1], StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                fields = -1;
            }
        }
        if (fields <= 0 || argv.length - first != 2 * fields) {
            throw new FerryException("malformed HSETEX in the replication stream: " + Command.describe(argv));
        }
        boolean fieldTtls = target.hashFieldTtl();
        if ((expiry.equals("PXAT") || expiry.equals("PX")) && !fieldTtls) {
            throw new FerryException("the source sent " + Command.describe(argv) + ", a hash field TTL, which target "
                    + target.version() + " cannot hold (needs Redis 7.4+)");
        }
        if (!fieldTtls) {
            // No field of the target can have a TTL: KEEPTTL keeps nothing.
            expiry = "";
        }
        if (condition.isEmpty() && expiry.isEmpty()) {
            byte[][] hset = new byte[2 + argv.length - first][];
            hset[0] = ascii("HSET");
            hset[1] = argv[1];
            System.arraycopy(argv, first, hset, 2, argv.length - first);
            return hset;
        }
        byte[][] eval = new byte[7 + argv.length - first][];
        eval[0] = EVAL;
        eval[1] = HSETEX_SCRIPT;
        eval[2] = ONE;
        eval[3] = argv[1];
        eval[4] = ascii(condition);
        eval[5] = ascii(expiry);
        eval[6] = ascii(Long.toString(amount));
        System.arraycopy(argv, first, eval, 7, argv.length - first);
        return eval;
    }

    /** {@code XCLAIM key group consumer min-idle id… [options]} through {@link #XCLAIM_SCRIPT}. */
    private static byte[][] xclaim(byte[][] argv) {
        if (argv.length < 6) {
            throw new FerryException("malformed XCLAIM in the replication stream: " + Command.describe(argv));
        }
        int ids = 0;
        while (5 + ids < argv.length
                && !XCLAIM_OPTIONS.contains(new String(argv[5 + ids], StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT))) {
            ids++;
        }
        byte[][] eval = new byte[argv.length + 3][];
        eval[0] = EVAL;
        eval[1] = XCLAIM_SCRIPT;
        eval[2] = ONE;
        eval[3] = argv[1];
        eval[4] = argv[2];
        eval[5] = argv[3];
        eval[6] = argv[4];
        eval[7] = ascii(Integer.toString(ids));
        System.arraycopy(argv, 5, eval, 8, argv.length - 5);
        return eval;
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
