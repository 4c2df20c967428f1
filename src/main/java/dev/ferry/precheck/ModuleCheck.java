package dev.ferry.precheck;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Whether the source holds keys the target cannot take because their module is not loaded there. A module
 * missing on the target fails the check only when the source holds keys of a module type: Redis 8 ships
 * {@code vectorset} and Valkey 9 its Lua engine as modules on every server, and a copy into an older server
 * must not be refused for a module none of its keys uses. Keys are typed by sampling ({@code SCAN} and a
 * pipelined {@code TYPE}, within the precheck's key and time budget): exact when the budget covers the data
 * set, a warning when a sample found none, a failure with the count when any key of a module type is found.
 */
final class ModuleCheck {

    /** The types every server since streams (5.0) knows; any other name {@code TYPE} answers is a module's. */
    private static final Set<String> CORE_TYPES = Set.of("string", "list", "set", "zset", "hash", "stream", "none");
    private static final int BATCH = 500;

    private ModuleCheck() {
    }

    static CheckResult run(String name, Check.Context ctx) {
        Side source = ctx.source();
        Side target = ctx.target();
        if (!source.version().atLeast(4, 0)) {
            return CheckResult.pass(name, "source " + source.version() + " has no modules (added in 4.0)");
        }
        Map<String, String> used = modules(source.conn());
        if (used.isEmpty()) {
            return CheckResult.pass(name, "the source loads no modules");
        }
        Set<String> missing = new TreeSet<>(used.keySet());
        if (target.version().atLeast(4, 0)) {
            missing.removeAll(modules(target.conn()).keySet());
        }
        if (missing.isEmpty()) {
            return CheckResult.pass(name, "the target loads every source module: " + String.join(", ", used.keySet()));
        }
        Sample sample = sample(ctx);
        String which = "module(s) " + describe(missing, used) + " loaded on the source but not on the target";
        if (!sample.moduleKeys().isEmpty()) {
            StringBuilder counts = new StringBuilder();
            sample.moduleKeys().forEach((type, n) -> counts.append(counts.length() == 0 ? "" : ", ").append(n).append(" of type ").append(type));
            return CheckResult.fail(name, which + "; the source holds keys of module types: " + counts
                            + (sample.exhaustive() ? "" : " (in a sample of " + sample.keys() + " of " + sample.total() + " keys)"),
                    "load the same modules on the target (loadmodule in its configuration), or leave those keys out (--exclude-keys)");
        }
        if (sample.exhaustive()) {
            return CheckResult.pass(name, which + ", but none of the source's " + sample.keys() + " keys is of a module type");
        }
        return CheckResult.warn(name, which + "; no key of a module type in a sample of " + sample.keys() + " of "
                        + sample.total() + " keys, but there may be some beyond it",
                "load the same modules on the target, or check the source's key types (SCAN ... TYPE <module type>)");
    }

    /** "vectorset (built in), ReJSON" */
    private static String describe(Set<String> names, Map<String, String> paths) {
        List<String> parts = new ArrayList<>();
        for (String n : names) {
            parts.add(n + (builtIn(paths.get(n)) ? " (built in)" : ""));
        }
        return String.join(", ", parts);
    }

    /** A module the server ships (Redis 8's vectorset: no path; Valkey 9's lua: a bare name), not a loaded file. */
    static boolean builtIn(String path) {
        return path == null || path.isEmpty() || (path.indexOf('/') < 0 && !path.endsWith(".so"));
    }

    /** The modules {@code MODULE LIST} names, with their paths ("" when the reply has none). */
    private static Map<String, String> modules(RedisConnection conn) {
        Map<String, String> modules = new TreeMap<>();
        RespValue reply = conn.callChecked("MODULE", "LIST");
        for (RespValue module : ((RespValue.Array) reply).items()) {
            List<RespValue> fields = ((RespValue.Array) module).items();
            String moduleName = null;
            String path = "";
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                String field = fields.get(i).asText();
                if (field.equals("name")) {
                    moduleName = fields.get(i + 1).asText();
                } else if (field.equals("path")) {
                    path = fields.get(i + 1).asText();
                }
            }
            if (moduleName != null) {
                modules.put(moduleName, path == null ? "" : path);
            }
        }
        return modules;
    }

    /** Keys of module types among the source's copied keys, as far as the budget goes. */
    private static Sample sample(Check.Context ctx) {
        Map<String, Long> moduleKeys = new TreeMap<>();
        KeySample.Result result = KeySample.scan(ctx, BATCH, (conn, keys) -> {
            List<Object[]> types = new ArrayList<>();
            keys.forEach(k -> types.add(new Object[] {"TYPE", k}));
            for (RespValue type : conn.pipeline(types)) {
                String t = type.asText();
                if (!CORE_TYPES.contains(t)) {
                    moduleKeys.merge(t, 1L, Long::sum);
                }
            }
        });
        return new Sample(result.total(), moduleKeys, result.sampled(), result.complete());
    }

    /** What the sampling saw. */
    private record Sample(long total, Map<String, Long> moduleKeys, long keys, boolean exhaustive) {
    }
}
