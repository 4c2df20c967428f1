package dev.ferry.rdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The golden RDB fixtures of {@code src/test/resources/rdb} and their manifests, in canonical form. */
final class Fixtures {

    static final List<String> NAMES = List.of("redis-3.2", "redis-4.0", "redis-5.0", "redis-6.2", "redis-7.0",
            "redis-7.2", "redis-7.4", "redis-7.4-cluster", "redis-8.0", "redis-8.0.6", "valkey-8.0", "valkey-8.1");

    private Fixtures() {
    }

    static byte[] rdb(String name) {
        return resource("/rdb/" + name + ".rdb");
    }

    static Manifest manifest(String name) {
        String text = new String(resource("/rdb/" + name + ".expected.jsonl"), StandardCharsets.UTF_8);
        List<Map<String, Object>> keys = new ArrayList<>();
        List<String> functions = new ArrayList<>();
        List<String> lua = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> o = (Map<String, Object>) Json.parse(line);
            if (o.containsKey("functions")) {
                for (Object f : (List<?>) o.get("functions")) {
                    functions.add((String) ((Map<?, ?>) f).get("code"));
                }
            } else if (o.containsKey("lua_scripts")) {
                for (Object s : (List<?>) o.get("lua_scripts")) {
                    lua.add((String) s);
                }
            } else {
                keys.add(canonical(o));
            }
        }
        functions.sort(Comparator.naturalOrder());
        lua.sort(Comparator.naturalOrder());
        return new Manifest(keys, functions, lua);
    }

    /** What a fixture holds: canonical key records (see {@link ValueCollector}), function codes, Lua scripts. */
    record Manifest(List<Map<String, Object>> keys, List<String> functions, List<String> luaScripts) {
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> canonical(Map<String, Object> o) {
        Map<String, Object> out = new LinkedHashMap<>();
        String type = (String) o.get("type");
        out.put("db", o.get("db"));
        out.put("key", o.get("key"));
        out.put("type", type);
        out.put("rdb_type", o.get("rdb_type"));
        out.put("expire_ms", o.get("expire_ms"));
        if (o.containsKey("slot")) {
            out.put("slot", o.get("slot"));
        }
        Object value = o.get("value");
        switch (type) {
            case "set" -> {
                List<String> members = new ArrayList<>((List<String>) value);
                members.sort(Comparator.naturalOrder());
                value = members;
            }
            case "zset" -> {
                List<Object> entries = new ArrayList<>();
                for (Object e : (List<Object>) value) {
                    List<Object> pair = (List<Object>) e;
                    entries.add(List.of(pair.get(0), score((String) pair.get(1))));
                }
                value = entries;
            }
            case "hash" -> {
                value = new TreeMap<>((Map<String, Object>) value);
                Object fe = o.get("field_expire_ms");
                out.put("field_expire_ms", fe == null ? new TreeMap<>() : new TreeMap<>((Map<String, Object>) fe));
            }
            default -> {
                // Strings, lists and streams compare as given.
            }
        }
        out.put("value", value);
        return out;
    }

    static Double score(String text) {
        return switch (text) {
            case "inf", "+inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> normalize(Double.parseDouble(text));
        };
    }

    /** -0.0 and 0.0 are the same score. */
    static Double normalize(double d) {
        return d == 0.0 ? 0.0 : d;
    }

    private static byte[] resource(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
