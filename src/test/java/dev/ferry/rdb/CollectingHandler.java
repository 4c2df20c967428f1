package dev.ferry.rdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Records everything a parse produces in canonical form, consuming each value the way its {@link Mode}
 * says, so that parses in different modes (and of differently delivered bytes) can be compared.
 */
final class CollectingHandler implements RdbHandler {

    /** How each value is consumed. */
    enum Mode {
        /** decode() only. */
        DECODE(-1, true),
        /** rawValue(64), which overflows for most values, then decode() from the captured prefix and the stream. */
        RAW_SMALL_THEN_DECODE(64, true),
        /** rawValue(unlimited), then decode() from the captured bytes. */
        RAW_UNLIMITED_THEN_DECODE(Integer.MAX_VALUE, true),
        /** rawValue(64) only: the rest of an overflowed value is skipped by the parser. */
        RAW_SMALL_ONLY(64, false),
        /** Nothing: every value is skipped by the parser. */
        SKIP(-1, false);

        final int rawLimit;
        final boolean decode;

        Mode(int rawLimit, boolean decode) {
            this.rawLimit = rawLimit;
            this.decode = decode;
        }
    }

    private final Mode mode;
    final List<Map<String, Object>> keys = new ArrayList<>();
    final List<String> functions = new ArrayList<>();
    final List<String> luaScripts = new ArrayList<>();
    final List<String> auxNames = new ArrayList<>();
    /** Raw values captured whole, by key (base64), with their type: for DUMP payload checks. */
    final Map<String, Object[]> raws = new LinkedHashMap<>();
    String magic;
    int version;
    Long endChecksum;
    private Integer slot;

    CollectingHandler(Mode mode) {
        this.mode = mode;
    }

    @Override
    public void header(String magic, int version) {
        this.magic = magic;
        this.version = version;
    }

    @Override
    public void aux(byte[] key, byte[] value) {
        String name = new String(key, StandardCharsets.UTF_8);
        auxNames.add(name);
        if (name.equals("lua")) {
            luaScripts.add(new String(value, StandardCharsets.UTF_8));
        }
    }

    @Override
    public void selectDb(int db) {
        slot = null;
    }

    @Override
    public void slotInfo(int slot, long size, long expiresSize) {
        this.slot = slot;
    }

    @Override
    public void function(byte[] code) {
        functions.add(new String(code, StandardCharsets.UTF_8));
    }

    @Override
    public void entry(RdbEntry e) throws IOException {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("db", (long) e.db());
        record.put("key", ValueCollector.b64(e.key()));
        record.put("type", e.type().kind().typeName());
        record.put("rdb_type", (long) e.type().code());
        record.put("expire_ms", e.expireAtMs() == -1 ? null : e.expireAtMs());
        if (slot != null) {
            record.put("slot", (long) slot);
        }
        if (mode.rawLimit >= 0) {
            byte[] raw = e.rawValue(mode.rawLimit);
            if (mode == Mode.RAW_UNLIMITED_THEN_DECODE) {
                assertThat(raw).as("a value captured without limit").isNotNull();
            }
            if (raw != null) {
                assertThat(raw.length).isLessThanOrEqualTo(mode.rawLimit);
                raws.put(ValueCollector.b64(e.key()) + "@" + e.db(), new Object[] {e.type(), raw.clone(), e.rdbVersion()});
            }
        }
        if (mode.decode) {
            ValueCollector collector = new ValueCollector(e.type());
            e.decode(collector);
            collector.into(record);
        }
        keys.add(record);
    }

    @Override
    public void end(long checksum) {
        endChecksum = checksum;
    }

    /** Key records sorted like the manifests: by db, then raw key bytes. */
    List<Map<String, Object>> sortedKeys() {
        List<Map<String, Object>> out = new ArrayList<>(keys);
        out.sort(Comparator.<Map<String, Object>>comparingLong(m -> (Long) m.get("db"))
                .thenComparing((a, b) -> Arrays.compareUnsigned(key(a), key(b))));
        return out;
    }

    private static byte[] key(Map<String, Object> m) {
        return java.util.Base64.getDecoder().decode((String) m.get("key"));
    }

    List<String> sortedFunctions() {
        List<String> out = new ArrayList<>(functions);
        out.sort(Comparator.naturalOrder());
        return out;
    }

    List<String> sortedLuaScripts() {
        List<String> out = new ArrayList<>(luaScripts);
        out.sort(Comparator.naturalOrder());
        return out;
    }
}
