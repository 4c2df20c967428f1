package dev.ferry.pipeline;

import dev.ferry.FerryException;
import dev.ferry.sink.Command;
import dev.ferry.sink.TargetProfile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The write commands of Redis 8.2-8.8 and Valkey 8.1-9.2 as their sources put them in a replica's stream, for a
 * target without them (observed live on Redis 8.0.6, Valkey 8.1.1 and 9.1.2; read in the servers' sources for the
 * others). A command whose condition was checked on the source is replicated only when it held, and the target is
 * an exact copy, so it becomes the unconditional write ({@code SET ... IFEQ v} a {@code SET}, {@code DELEX} and
 * {@code DELIFEQ} a {@code DEL}). One that reads the consumer groups ({@code XACKDEL}, {@code XDELEX},
 * {@code DELREF} trims) or computes bits ({@code BITOP DIFF}) becomes a script of one {@code EVAL} over the same
 * keys: atomic, and in the same slot of a cluster target. What no target before can hold (idempotent producers)
 * is left out; what has no exact equivalent ({@code ACKED} trims) stops the sync naming the command.
 *
 * <p>Stateless; called on the link thread by {@link CommandTranslator}.
 */
final class RecentCommands {

    private static final byte[] EVAL = ascii("EVAL");
    private static final byte[] ONE = ascii("1");

    /** Lua helpers: a stream ID in full form, and the order of two full IDs (numbers of any length). */
    private static final String ID_HELPERS = String.join("\n",
            "local function full(id)",
            "  local ms, seq = string.match(id, '^(%d+)-?(%d*)$')",
            "  if not ms then return id end",
            "  if seq == '' then seq = '0' end",
            "  return (string.gsub(ms, '^0+(%d)', '%1')) .. '-' .. (string.gsub(seq, '^0+(%d)', '%1'))",
            "end",
            "local function num_lt(a, b)",
            "  if #a ~= #b then return #a < #b end",
            "  return a < b",
            "end",
            "local function before(a, b)",
            "  local am, as = string.match(a, '^(%d+)-(%d+)$')",
            "  local bm, bs = string.match(b, '^(%d+)-(%d+)$')",
            "  if am ~= bm then return num_lt(am, bm) end",
            "  return num_lt(as, bs)",
            "end",
            "local function groups(k)",
            "  local out = {}",
            "  for _, g in ipairs(redis.call('XINFO', 'GROUPS', k)) do",
            "    local t = {}",
            "    for i = 1, #g, 2 do t[g[i]] = g[i + 1] end",
            "    table.insert(out, t)",
            "  end",
            "  return out",
            "end",
            "");

    /**
     * {@code XACKDEL} and {@code XDELEX} with {@code DELREF} or {@code ACKED} (and {@code XACKDEL KEEPREF}), as
     * Redis 8.2 does them: KEYS[1] = stream; ARGV = group ("" for XDELEX), policy, IDs. With a group, an ID is
     * handled only when it was pending in that group (XACK says so). ACKED deletes an entry only when no group
     * has it pending and none can still deliver it (its last delivered ID is not before the entry).
     */
    private static final byte[] STREAM_DELETE_SCRIPT = ascii(ID_HELPERS + String.join("\n",
            "local k, group, policy = KEYS[1], ARGV[1], ARGV[2]",
            "if redis.call('EXISTS', k) == 0 then return 0 end",
            "local deleted = 0",
            "for i = 3, #ARGV do",
            "  local id = full(ARGV[i])",
            "  if group == '' or redis.call('XACK', k, group, id) == 1 then",
            "    local keep = false",
            "    if policy == 'ACKED' then",
            "      for _, g in ipairs(groups(k)) do",
            "        if before(g['last-delivered-id'], id) or #redis.call('XPENDING', k, g['name'], id, id, 1) > 0 then",
            "          keep = true",
            "        end",
            "      end",
            "    elseif policy == 'DELREF' then",
            "      for _, g in ipairs(groups(k)) do redis.call('XACK', k, g['name'], id) end",
            "    end",
            "    if not keep then deleted = deleted + redis.call('XDEL', k, id) end",
            "  end",
            "end",
            "return deleted"));

    /**
     * An exact trim that also removes the trimmed entries from every group's pending list ({@code DELREF}):
     * KEYS[1] = stream; ARGV = MAXLEN or MINID, threshold, then the arguments of an {@code XADD} to run first
     * (none for {@code XTRIM}), since {@code XADD} appends before it trims.
     */
    private static final byte[] TRIM_DELREF_SCRIPT = ascii(String.join("\n",
            "local k = KEYS[1]",
            "if #ARGV > 2 then",
            "  local add = {'XADD', k}",
            "  for i = 3, #ARGV do table.insert(add, ARGV[i]) end",
            "  redis.call(unpack(add))",
            "end",
            "if redis.call('EXISTS', k) == 0 then return 0 end",
            "local gone = {}",
            "if ARGV[1] == 'MAXLEN' then",
            "  local over = redis.call('XLEN', k) - tonumber(ARGV[2])",
            "  if over > 0 then",
            "    for _, e in ipairs(redis.call('XRANGE', k, '-', '+', 'COUNT', over)) do table.insert(gone, e[1]) end",
            "  end",
            "else",
            "  for _, e in ipairs(redis.call('XRANGE', k, '-', ARGV[2])) do",
            "    if e[1] ~= ARGV[2] then table.insert(gone, e[1]) end",
            "  end",
            "end",
            "if #gone == 0 then return 0 end",
            "redis.call('XTRIM', k, ARGV[1], ARGV[2])",
            "for _, g in ipairs(redis.call('XINFO', 'GROUPS', k)) do",
            "  local name",
            "  for i = 1, #g, 2 do if g[i] == 'name' then name = g[i + 1] end end",
            "  for first = 1, #gone, 1000 do",
            "    redis.call('XACK', k, name, unpack(gone, first, math.min(first + 999, #gone)))",
            "  end",
            "end",
            "return #gone"));

    /**
     * {@code MSETEX} made unconditional: KEYS = the keys; ARGV = expiry kind (PXAT, PX, KEEPTTL or ""), amount,
     * then one value per key.
     */
    private static final byte[] MSETEX_SCRIPT = ascii(String.join("\n",
            "for i, k in ipairs(KEYS) do",
            "  local ttl = -1",
            "  if ARGV[1] == 'KEEPTTL' then ttl = redis.call('PTTL', k) end",
            "  redis.call('SET', k, ARGV[2 + i])",
            "  if ARGV[1] == 'PXAT' then redis.call('PEXPIREAT', k, ARGV[2])",
            "  elseif ARGV[1] == 'PX' then redis.call('PEXPIRE', k, ARGV[2])",
            "  elseif ttl > 0 then redis.call('PEXPIRE', k, ttl) end",
            "end",
            "return 1"));

    /**
     * Redis 8.2's {@code BITOP DIFF|DIFF1|ANDOR|ONE}: KEYS = destination, sources; ARGV[1] = the operation. A
     * missing source is empty; the result is as long as the longest source; an empty result deletes the
     * destination, as {@code BITOP} does.
     */
    private static final byte[] BITOP_SCRIPT = ascii(String.join("\n",
            "local op, vals, len = ARGV[1], {}, 0",
            "for i = 2, #KEYS do",
            "  local v = redis.call('GET', KEYS[i]) or ''",
            "  vals[i - 1] = v",
            "  if #v > len then len = #v end",
            "end",
            "if len == 0 then return redis.call('DEL', KEYS[1]) * 0 end",
            "local chunks, out = {}, {}",
            "for p = 1, len do",
            "  local r",
            "  if op == 'ONE' then",
            "    local once, twice = 0, 0",
            "    for i = 1, #vals do",
            "      local b = string.byte(vals[i], p) or 0",
            "      twice = bit.bor(twice, bit.band(once, b))",
            "      once = bit.bor(once, b)",
            "    end",
            "    r = bit.band(once, bit.bnot(twice))",
            "  else",
            "    local x, any = string.byte(vals[1], p) or 0, 0",
            "    for i = 2, #vals do any = bit.bor(any, string.byte(vals[i], p) or 0) end",
            "    if op == 'DIFF' then r = bit.band(x, bit.bnot(any))",
            "    elseif op == 'DIFF1' then r = bit.band(bit.bnot(x), any)",
            "    else r = bit.band(x, any) end",
            "  end",
            "  table.insert(out, string.char(bit.band(r, 255)))",
            "  if #out == 4096 then table.insert(chunks, table.concat(out)); out = {} end",
            "end",
            "table.insert(chunks, table.concat(out))",
            "redis.call('SET', KEYS[1], table.concat(chunks))",
            "return len"));

    private RecentCommands() {
    }

    /**
     * {@code SET} without the conditions of Redis 8.4 / Valkey 8.1 ({@code IFEQ}, {@code IFNE}, {@code IFDEQ},
     * {@code IFDNE} and their argument) that the target lacks; {@code argv} itself when it has none of them.
     */
    static byte[][] setWithoutConditions(byte[][] argv, TargetProfile target) {
        List<byte[]> out = null;
        for (int i = 3; i < argv.length; i++) {
            String opt = upper(argv[i]);
            boolean condition = opt.equals("IFEQ") || opt.equals("IFNE") || opt.equals("IFDEQ") || opt.equals("IFDNE");
            boolean known = opt.equals("IFEQ") ? target.setIfEq() : target.redis84Strings();
            if (condition && !known) {
                if (out == null) {
                    out = new ArrayList<>(List.of(argv).subList(0, i));
                }
                i++;
            } else if (out != null) {
                out.add(argv[i]);
            }
        }
        return out == null ? argv : out.toArray(new byte[0][]);
    }

    /** {@code DELEX key [condition]} (Redis 8.4) or {@code DELIFEQ key value} (Valkey 9): the key was deleted. */
    static byte[][] del(byte[][] argv) {
        if (argv.length < 2) {
            throw malformed(argv);
        }
        return new byte[][] {ascii("DEL"), argv[1]};
    }

    /** Valkey 9 replicates {@code HGETDEL key FIELDS n field…} as it is: the fields were deleted. */
    static byte[][] hgetdel(byte[][] argv) {
        if (argv.length < 5 || !upper(argv[2]).equals("FIELDS") || number(argv, 3) != argv.length - 4) {
            throw malformed(argv);
        }
        byte[][] hdel = new byte[argv.length - 2][];
        hdel[0] = ascii("HDEL");
        hdel[1] = argv[1];
        System.arraycopy(argv, 4, hdel, 2, argv.length - 4);
        return hdel;
    }

    /** {@code MSETEX numkeys key value … [NX|XX] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]} (Redis 8.4). */
    static byte[][] msetex(byte[][] argv) {
        long keys = argv.length > 1 ? number(argv, 1) : -1;
        if (keys <= 0 || 2 + 2 * keys > argv.length) {
            throw malformed(argv);
        }
        int end = (int) (2 + 2 * keys);
        String expiry = "";
        long amount = 0;
        for (int i = end; i < argv.length; i++) {
            String opt = upper(argv[i]);
            switch (opt) {
                case "NX", "XX" -> {
                    // It held on the source: every key was set.
                }
                case "KEEPTTL" -> expiry = "KEEPTTL";
                case "EX", "PX", "EXAT", "PXAT" -> {
                    if (i + 1 >= argv.length) {
                        throw malformed(argv);
                    }
                    long n = number(argv, ++i);
                    amount = opt.startsWith("EX") ? n * 1000 : n;
                    expiry = opt.endsWith("AT") ? "PXAT" : "PX";
                }
                default -> throw malformed(argv);
            }
        }
        if (expiry.isEmpty()) {
            byte[][] mset = new byte[end - 1][];
            mset[0] = ascii("MSET");
            System.arraycopy(argv, 2, mset, 1, end - 2);
            return mset;
        }
        int n = (int) keys;
        byte[][] eval = new byte[3 + n + 2 + n][];
        eval[0] = EVAL;
        eval[1] = MSETEX_SCRIPT;
        eval[2] = ascii(Integer.toString(n));
        for (int i = 0; i < n; i++) {
            eval[3 + i] = argv[2 + 2 * i];
            eval[5 + n + i] = argv[3 + 2 * i];
        }
        eval[3 + n] = ascii(expiry);
        eval[4 + n] = ascii(Long.toString(amount));
        return eval;
    }

    /**
     * {@code XACKDEL key group [KEEPREF|DELREF|ACKED] IDS n id…} ({@code withGroup}) or
     * {@code XDELEX key [KEEPREF|DELREF|ACKED] IDS n id…} (Redis 8.2, Valkey 9.2). {@code XDELEX KEEPREF} is an
     * {@code XDEL}; the others a script.
     */
    static byte[][] streamDelete(byte[][] argv, boolean withGroup) {
        int first = withGroup ? 3 : 2;
        if (argv.length < first + 2) {
            throw malformed(argv);
        }
        String policy = "KEEPREF";
        List<byte[]> ids = null;
        for (int i = first; i < argv.length; i++) {
            String opt = upper(argv[i]);
            if (opt.equals("KEEPREF") || opt.equals("DELREF") || opt.equals("ACKED")) {
                policy = opt;
            } else if (opt.equals("IDS") && ids == null && i + 1 < argv.length) {
                long n = number(argv, i + 1);
                if (n <= 0 || i + 2 + n > argv.length) {
                    throw malformed(argv);
                }
                ids = List.of(argv).subList(i + 2, (int) (i + 2 + n));
                i += 1 + (int) n;
            } else {
                throw malformed(argv);
            }
        }
        if (ids == null) {
            throw malformed(argv);
        }
        if (!withGroup && policy.equals("KEEPREF")) {
            byte[][] xdel = new byte[2 + ids.size()][];
            xdel[0] = ascii("XDEL");
            xdel[1] = argv[1];
            for (int i = 0; i < ids.size(); i++) {
                xdel[2 + i] = ids.get(i);
            }
            return xdel;
        }
        byte[][] eval = new byte[6 + ids.size()][];
        eval[0] = EVAL;
        eval[1] = STREAM_DELETE_SCRIPT;
        eval[2] = ONE;
        eval[3] = argv[1];
        eval[4] = withGroup ? argv[2] : new byte[0];
        eval[5] = ascii(policy);
        for (int i = 0; i < ids.size(); i++) {
            eval[6 + i] = ids.get(i);
        }
        return eval;
    }

    /**
     * {@code XADD} / {@code XTRIM} with the options of Redis 8.2 ({@code KEEPREF|DELREF|ACKED}) and 8.6
     * ({@code IDMP producer iid}, {@code IDMPAUTO producer}) for a target without them: {@code argv} itself when
     * it has none. {@code KEEPREF} is how trims always worked and goes; the idempotency record, which the target
     * cannot hold, goes (the entries are the same); a {@code DELREF} trim is a script; an {@code ACKED} trim,
     * whose result depends on state the stream's trim alone does not show, stops the sync.
     *
     * @param idmp whether the target has idempotent producers (then those options stay)
     */
    static byte[][] xaddOrTrim(byte[][] argv, boolean idmp, boolean refPolicies) {
        boolean add = upper(argv[0]).equals("XADD");
        List<byte[]> kept = new ArrayList<>(argv.length);
        kept.add(argv[0]);
        kept.add(argv[1]);
        String policy = null;
        String trimKind = null;
        byte[] threshold = null;
        int i = 2;
        while (i < argv.length) {
            String opt = upper(argv[i]);
            if (opt.equals("KEEPREF") || opt.equals("DELREF") || opt.equals("ACKED")) {
                policy = opt;
                if (refPolicies) {
                    kept.add(argv[i]);
                }
                i++;
            } else if ((opt.equals("IDMP") || opt.equals("IDMPAUTO")) && add) {
                int width = opt.equals("IDMP") ? 3 : 2;
                if (i + width > argv.length) {
                    throw malformed(argv);
                }
                if (idmp) {
                    kept.addAll(List.of(argv).subList(i, i + width));
                }
                i += width;
            } else if ((opt.equals("MAXLEN") || opt.equals("MINID")) && i + 1 < argv.length) {
                trimKind = opt;
                kept.add(argv[i++]);
                if (argv[i].length == 1 && (argv[i][0] == '=' || argv[i][0] == '~')) {
                    kept.add(argv[i++]);
                }
                if (i >= argv.length) {
                    throw malformed(argv);
                }
                threshold = argv[i];
                kept.add(argv[i++]);
            } else if (opt.equals("LIMIT") && i + 1 < argv.length) {
                kept.add(argv[i++]);
                kept.add(argv[i++]);
            } else if (opt.equals("NOMKSTREAM") && add) {
                kept.add(argv[i++]);
            } else {
                break;
            }
        }
        if (!add && i < argv.length) {
            throw malformed(argv);
        }
        if (kept.size() + (argv.length - i) == argv.length) {
            return argv;
        }
        if (refPolicies || policy == null || policy.equals("KEEPREF") || trimKind == null) {
            kept.addAll(List.of(argv).subList(i, argv.length));
            return kept.toArray(new byte[0][]);
        }
        if (policy.equals("ACKED")) {
            throw new FerryException("the source sent " + Command.describe(argv) + ", a trim of key "
                    + Command.printable(argv[1]) + " that keeps the entries some consumer group still needs (ACKED), which"
                    + " target Redis before 8.2 cannot do exactly: use a target of Redis 8.2+ (or Valkey 9.2+)");
        }
        return trimDelref(argv, add, trimKind, threshold, i);
    }

    /** The {@link #TRIM_DELREF_SCRIPT} for a {@code DELREF} trim; {@code idAt} is where XADD's ID is. */
    private static byte[][] trimDelref(byte[][] argv, boolean add, String trimKind, byte[] threshold, int idAt) {
        String limit = new String(threshold, StandardCharsets.US_ASCII);
        if (trimKind.equals("MINID") && !limit.contains("-")) {
            limit = limit + "-0";
        }
        List<byte[]> eval = new ArrayList<>();
        eval.add(EVAL);
        eval.add(TRIM_DELREF_SCRIPT);
        eval.add(ONE);
        eval.add(argv[1]);
        eval.add(ascii(trimKind));
        eval.add(ascii(limit));
        if (add) {
            for (int j = 2; j < idAt; j++) {
                if (upper(argv[j]).equals("NOMKSTREAM")) {
                    eval.add(argv[j]);
                }
            }
            eval.addAll(List.of(argv).subList(idAt, argv.length));
        }
        return eval.toArray(new byte[0][]);
    }

    /** {@code BITOP DIFF|DIFF1|ANDOR|ONE dest src…} (Redis 8.2) as a script; {@code argv} itself for the older ops. */
    static byte[][] bitop(byte[][] argv) {
        if (argv.length < 4) {
            return argv;
        }
        String op = upper(argv[1]);
        if (!op.equals("DIFF") && !op.equals("DIFF1") && !op.equals("ANDOR") && !op.equals("ONE")) {
            return argv;
        }
        int keys = argv.length - 2;
        byte[][] eval = new byte[3 + keys + 1][];
        eval[0] = EVAL;
        eval[1] = BITOP_SCRIPT;
        eval[2] = ascii(Integer.toString(keys));
        System.arraycopy(argv, 2, eval, 3, keys);
        eval[3 + keys] = ascii(op);
        return eval;
    }

    private static long number(byte[][] argv, int i) {
        try {
            return Long.parseLong(new String(argv[i], StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw malformed(argv);
        }
    }

    private static FerryException malformed(byte[][] argv) {
        return new FerryException("malformed " + Command.name(argv) + " in the replication stream: " + Command.describe(argv));
    }

    private static String upper(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
