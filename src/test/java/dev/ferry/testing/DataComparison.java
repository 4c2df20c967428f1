package dev.ferry.testing;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * One comparison of two servers' data, database by database: key sets, types, values (by
 * {@code DEBUG DIGEST-VALUE} when both servers have it, confirmed and explained by {@link ValueReader}),
 * stream metadata, expiry times, and at last the whole-server {@code DEBUG DIGEST}. Collects differences
 * instead of stopping at the first.
 */
final class DataComparison {

    static final byte[] FERRY_PREFIX = "__ferry:".getBytes(StandardCharsets.US_ASCII);
    /**
     * Before 7.0 a master replicates EXPIRE, SETEX and SET EX as they were sent (relative), so every replica, Ferry
     * included, counts the time from when it applies them: a copy's TTL is longer by the replication delay, seconds
     * on a machine busy with parallel test suites. Exact from 7.0 on (PEXPIRETIME), where masters send absolute times.
     */
    private static final long TTL_TOLERANCE_MS = 5000;
    private static final int BATCH = 200;

    private final RedisConnection source;
    private final RedisConnection target;
    private final ServerInfo sourceInfo;
    private final ServerInfo targetInfo;
    private final boolean sameVersion;
    private final boolean exactExpiry;
    private final boolean digestValues;
    private final ValueReader sourceReader;
    private final ValueReader targetReader;
    private final List<String> differences = new ArrayList<>();
    /** Whether both servers have hash field TTLs, which are then compared. */
    private final boolean fieldTtls;
    private boolean sawFerryKeys;
    private long keysCompared;

    DataComparison(RedisConnection source, RedisConnection target) {
        this.source = source;
        this.target = target;
        this.sourceInfo = ServerInfo.fetch(source);
        this.targetInfo = ServerInfo.fetch(target);
        ServerInfo.Version sv = sourceInfo.version();
        ServerInfo.Version tv = targetInfo.version();
        this.sameVersion = sv.major() == tv.major() && sv.minor() == tv.minor() && sv.valkey() == tv.valkey();
        this.exactExpiry = sv.atLeast(7, 0) && tv.atLeast(7, 0);
        this.digestValues = answersDigestValue(source) && answersDigestValue(target);
        this.fieldTtls = sv.hashFieldTtls() && tv.hashFieldTtls();
        this.sourceReader = new ValueReader(source, exactExpiry, fieldTtls);
        this.targetReader = new ValueReader(target, exactExpiry, fieldTtls);
    }

    /** Compares {@code dbs} and returns the differences found, in order ("db 0 "k": ..."). */
    List<String> run(Set<Integer> dbs) {
        for (int db : new TreeSet<>(dbs)) {
            compareDb(db);
        }
        compareWholeServerDigest(dbs);
        int back = Math.max(source.endpoint().db(), 0);
        source.callChecked("SELECT", back);
        target.callChecked("SELECT", Math.max(target.endpoint().db(), 0));
        return differences;
    }

    String describeServers() {
        return "source " + source.endpoint().address() + " (" + sourceInfo.version() + ") and target "
                + target.endpoint().address() + " (" + targetInfo.version() + ")";
    }

    long keysCompared() {
        return keysCompared;
    }

    /**
     * Compares each source database (a key of {@code targetOf}) with the target database it landed in, several
     * source databases landing in one allowed (--db-map): no key name may then repeat among them.
     */
    List<String> run(Map<Integer, Integer> targetOf) {
        Map<Integer, Set<Integer>> sourcesOf = new TreeMap<>();
        targetOf.forEach((from, to) -> sourcesOf.computeIfAbsent(to, t -> new TreeSet<>()).add(from));
        sourcesOf.forEach(this::compareInto);
        source.callChecked("SELECT", Math.max(source.endpoint().db(), 0));
        target.callChecked("SELECT", Math.max(target.endpoint().db(), 0));
        return differences;
    }

    private void compareDb(int db) {
        compareInto(db, Set.of(db));
    }

    private void compareInto(int targetDb, Set<Integer> sourceDbs) {
        target.callChecked("SELECT", targetDb);
        Set<Key> targetKeys = scan(target);
        Set<Key> seen = new HashSet<>();
        for (int db : sourceDbs) {
            source.callChecked("SELECT", db);
            List<Key> common = new ArrayList<>();
            for (Key key : new TreeSet<>(scan(source))) {
                if (!seen.add(key)) {
                    differ(db, key, "also in another source database landing in target database " + targetDb);
                } else if (!targetKeys.contains(key)) {
                    differ(db, key, "missing on target (source has a " + type(source, key) + ")");
                } else {
                    common.add(key);
                }
            }
            keysCompared += common.size();
            for (int from = 0; from < common.size(); from += BATCH) {
                List<Key> batch = common.subList(from, Math.min(common.size(), from + BATCH));
                compareValues(db, batch);
                compareExpiries(db, batch);
            }
        }
        for (Key key : new TreeSet<>(targetKeys)) {
            if (!seen.contains(key)) {
                differ(targetDb, key, "only on target (a " + type(target, key) + ")");
            }
        }
    }

    private void compareValues(int db, List<Key> keys) {
        List<String> sourceTypes = texts(pipeline(source, keys, key -> new Object[] {"TYPE", key.bytes()}));
        List<String> targetTypes = texts(pipeline(target, keys, key -> new Object[] {"TYPE", key.bytes()}));
        List<String> sourceDigests = digests(source, keys);
        List<String> targetDigests = digests(target, keys);
        for (int i = 0; i < keys.size(); i++) {
            Key key = keys.get(i);
            String type = sourceTypes.get(i);
            if (!type.equals(targetTypes.get(i))) {
                differ(db, key, "type differs: source " + type + ", target " + targetTypes.get(i));
                continue;
            }
            boolean digestsDiffer = !Objects.equals(sourceDigests.get(i), targetDigests.get(i));
            if (digestValues && !digestsDiffer) {
                // The digest covers stream entries but not groups, consumers or pending entries.
                if (type.equals("stream")) {
                    compareItems(db, key, "stream", sourceReader.streamMeta(key), targetReader.streamMeta(key));
                }
                // Nor the expiry times of hash fields (Valkey 9's leaves them out).
                if (type.equals("hash") && fieldTtls) {
                    compareItems(db, key, "hash", sourceReader.read(type, key), targetReader.read(type, key));
                }
                continue;
            }
            boolean equal = compareItems(db, key, type, sourceReader.read(type, key), targetReader.read(type, key));
            if (equal && digestsDiffer && sameVersion) {
                differ(db, key, "DEBUG DIGEST-VALUE differs (source " + sourceDigests.get(i) + ", target "
                        + targetDigests.get(i) + ") although the values read the same");
            }
        }
    }

    private boolean compareItems(int db, Key key, String type, List<String> a, List<String> b) {
        if (a.equals(b)) {
            return true;
        }
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
            i++;
        }
        String sourceItem = i < a.size() ? Printable.shorten(a.get(i), 80) : "(none)";
        String targetItem = i < b.size() ? Printable.shorten(b.get(i), 80) : "(none)";
        String sizes = a.size() == b.size() ? a.size() + " items" : "source " + a.size() + " items, target " + b.size();
        differ(db, key, type + " differs at item " + i + " (" + sizes + "): source " + sourceItem + ", target " + targetItem);
        return false;
    }

    private void compareExpiries(int db, List<Key> keys) {
        String command = exactExpiry ? "PEXPIRETIME" : "PTTL";
        // Both servers are asked back to back, so relative PTTLs are taken at nearly the same moment.
        for (Key key : keys) {
            source.send(command, key.bytes());
            target.send(command, key.bytes());
        }
        source.flush();
        target.flush();
        List<RespValue> a = readAll(source, keys.size());
        List<RespValue> b = readAll(target, keys.size());
        for (int i = 0; i < keys.size(); i++) {
            long s = a.get(i).asLong();
            long t = b.get(i).asLong();
            boolean same = exactExpiry || s < 0 || t < 0 ? s == t : Math.abs(s - t) <= TTL_TOLERANCE_MS;
            if (!same) {
                differ(db, keys.get(i), "expiry differs: " + command + " source " + expiryText(s) + ", target " + expiryText(t)
                        + (exactExpiry ? "" : " (tolerance " + TTL_TOLERANCE_MS + " ms)"));
            }
        }
    }

    private void compareWholeServerDigest(Set<Integer> dbs) {
        if (sawFerryKeys || !sameVersion || !dbs.containsAll(sourceInfo.keysPerDb().keySet())
                || !dbs.containsAll(targetInfo.keysPerDb().keySet())) {
            return;
        }
        RespValue a = source.call("DEBUG", "DIGEST");
        RespValue b = target.call("DEBUG", "DIGEST");
        if (a.isError() || b.isError()) {
            return;
        }
        if (!a.asText().equals(b.asText()) && differences.isEmpty()) {
            differences.add("whole-server DEBUG DIGEST differs (source " + a.asText() + ", target " + b.asText()
                    + ") although every key compared equal");
        }
    }

    private Set<Key> scan(RedisConnection conn) {
        Set<Key> keys = new HashSet<>();
        forEachKey(conn, key -> {
            if (key.startsWith(FERRY_PREFIX)) {
                sawFerryKeys = true;
            } else {
                keys.add(key);
            }
        });
        return keys;
    }

    /** Every key of the connection's current database, with {@code SCAN}. */
    static void forEachKey(RedisConnection conn, java.util.function.Consumer<Key> visit) {
        String cursor = "0";
        do {
            List<RespValue> reply = ((RespValue.Array) conn.callChecked("SCAN", cursor, "COUNT", "1000")).items();
            cursor = reply.get(0).asText();
            for (RespValue k : ((RespValue.Array) reply.get(1)).items()) {
                visit.accept(new Key(((RespValue.Bulk) k).bytes()));
            }
        } while (!cursor.equals("0"));
    }

    private List<String> digests(RedisConnection conn, List<Key> keys) {
        List<String> result = new ArrayList<>();
        if (!digestValues) {
            keys.forEach(k -> result.add(null));
            return result;
        }
        Object[] cmd = new Object[keys.size() + 2];
        cmd[0] = "DEBUG";
        cmd[1] = "DIGEST-VALUE";
        for (int i = 0; i < keys.size(); i++) {
            cmd[i + 2] = keys.get(i).bytes();
        }
        RespValue reply = conn.callChecked(cmd);
        if (reply instanceof RespValue.Array a) {
            a.items().forEach(v -> result.add(v.asText()));
        } else {
            result.add(reply.asText());
        }
        return result;
    }

    private static boolean answersDigestValue(RedisConnection conn) {
        return !conn.call("DEBUG", "DIGEST-VALUE", "__ferry:digest-probe").isError();
    }

    private static String type(RedisConnection conn, Key key) {
        return conn.callChecked("TYPE", key.bytes()).asText();
    }

    private static List<RespValue> pipeline(RedisConnection conn, List<Key> keys, Function<Key, Object[]> command) {
        for (Key key : keys) {
            conn.send(command.apply(key));
        }
        conn.flush();
        return readAll(conn, keys.size());
    }

    private static List<RespValue> readAll(RedisConnection conn, int n) {
        List<RespValue> replies = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            RespValue reply = conn.read();
            if (reply.isError()) {
                throw new IllegalStateException(conn.endpoint().address() + " answered " + reply.asText());
            }
            replies.add(reply);
        }
        return replies;
    }

    private static List<String> texts(List<RespValue> values) {
        List<String> texts = new ArrayList<>(values.size());
        values.forEach(v -> texts.add(v.asText()));
        return texts;
    }

    private static String expiryText(long v) {
        return v == -1 ? "none (-1)" : v == -2 ? "no key (-2)" : Long.toString(v);
    }

    private void differ(int db, Key key, String what) {
        differences.add("db " + db + " " + key + ": " + what);
    }
}
