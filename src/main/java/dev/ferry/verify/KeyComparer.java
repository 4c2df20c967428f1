package dev.ferry.verify;

import dev.ferry.resp.RespValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Compares batches of keys between the two sides, with as few round trips as the mode allows: type and
 * expiry of every key of a batch in one pipeline per side, then sizes in a second, then (full mode)
 * whole small values in a third; big values go to {@link BigValueComparer} one by one. Both sides are
 * sent each stage before either is read, so the two servers work at the same time, and so that
 * relative {@code PTTL}s are taken at nearly the same moment. Not thread-safe: one per worker.
 */
final class KeyComparer {

    private final SideClient source;
    private final SideClient target;
    private final VerifyMode mode;
    private final boolean exactExpiry;
    private final long ttlToleranceMillis;
    private final BigValueComparer big;
    private final IntFunction<Set<Integer>> sourcesOf;

    /** What one stage learned about one key on both sides. */
    private record Pair(byte[] key, String type, long sourceSize, long targetSize) {
    }

    /** Every database compared with the target database of the same number. */
    KeyComparer(SideClient source, SideClient target, VerifyMode mode, boolean exactExpiry, long ttlToleranceMillis) {
        this(source, target, mode, exactExpiry, ttlToleranceMillis, Set::of);
    }

    /**
     * @param target reads each source database's keys where they landed ({@link SideClient})
     * @param sourcesOf the compared source databases that land in a target database, in order
     */
    KeyComparer(SideClient source, SideClient target, VerifyMode mode, boolean exactExpiry, long ttlToleranceMillis,
                IntFunction<Set<Integer>> sourcesOf) {
        this.sourcesOf = sourcesOf;
        this.source = source;
        this.target = target;
        this.mode = mode;
        this.exactExpiry = exactExpiry;
        this.ttlToleranceMillis = ttlToleranceMillis;
        this.big = new BigValueComparer(source, target);
    }

    /** Closes both sides' connections. */
    void close() {
        source.close();
        target.close();
    }

    /**
     * Keys seen on the target in target database {@code targetDb}: those no source database landing there
     * holds are compared, as extra keys, under the first of them.
     */
    List<Difference> compareSeenOnTarget(int targetDb, List<byte[]> keys) {
        List<byte[]> absent = keys;
        int first = -1;
        for (int db : sourcesOf.apply(targetDb)) {
            first = first < 0 ? db : first;
            absent = absentFromSource(db, absent);
            if (absent.isEmpty()) {
                break;
            }
        }
        return first < 0 ? List.of() : compare(first, absent);
    }

    /** Keys of {@code keys} (seen on the target) that the source does not hold: {@code EXISTS} on the source. */
    private List<byte[]> absentFromSource(int db, List<byte[]> keys) {
        if (!source.topology().isCluster() && !keys.isEmpty()) {
            // One multi-key EXISTS answers the usual case, "all of them", with one command instead of one per key.
            Object[] all = new Object[keys.size() + 1];
            all[0] = "EXISTS";
            for (int i = 0; i < keys.size(); i++) {
                all[i + 1] = keys.get(i);
            }
            RespValue count = BigValueComparer.failOnError(source, source.call(db, keys.get(0), all), all);
            if (count.asLong() == keys.size() && distinct(keys)) {
                return List.of();
            }
        }
        List<Object[]> commands = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            commands.add(new Object[] {"EXISTS", key});
        }
        List<RespValue> replies = source.call(db, keys, commands);
        List<byte[]> absent = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            if (BigValueComparer.failOnError(source, replies.get(i), commands.get(i)).asLong() == 0) {
                absent.add(keys.get(i));
            }
        }
        return absent;
    }

    /** Whether no key repeats: multi-key EXISTS counts a repeated key twice. */
    private static boolean distinct(List<byte[]> keys) {
        java.util.Set<KeyRef> seen = new java.util.HashSet<>();
        for (byte[] key : keys) {
            if (!seen.add(new KeyRef(0, key))) {
                return false;
            }
        }
        return true;
    }

    /** Compares each key on both sides; returns one difference per differing key. */
    List<Difference> compare(int db, List<byte[]> keys) {
        List<Difference> differences = new ArrayList<>();
        if (keys.isEmpty()) {
            return differences;
        }
        String expiryCommand = exactExpiry ? "PEXPIRETIME" : "PTTL";
        List<byte[]> routes = new ArrayList<>(keys.size() * 2);
        List<Object[]> commands = new ArrayList<>(keys.size() * 2);
        for (byte[] key : keys) {
            routes.add(key);
            commands.add(new Object[] {"TYPE", key});
            routes.add(key);
            commands.add(new Object[] {expiryCommand, key});
        }
        long before = System.currentTimeMillis();
        SideClient.Pending ps = source.submit(db, routes, commands);
        SideClient.Pending pt = target.submit(db, routes, commands);
        List<RespValue> rs = ps.await();
        List<RespValue> rt = pt.await();
        long now = (before + System.currentTimeMillis()) / 2;

        List<byte[]> sameType = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            KeyRef ref = new KeyRef(db, keys.get(i));
            String st = BigValueComparer.failOnError(source, rs.get(2 * i), commands.get(2 * i)).asText();
            String tt = BigValueComparer.failOnError(target, rt.get(2 * i), commands.get(2 * i)).asText();
            if (st.equals("none") && tt.equals("none")) {
                continue;
            }
            if (tt.equals("none")) {
                differences.add(new Difference(ref, Difference.Kind.MISSING, "missing on target (source has a " + st + ")"));
            } else if (st.equals("none")) {
                differences.add(new Difference(ref, Difference.Kind.EXTRA, "only on target (a " + tt + ")"));
            } else if (!st.equals(tt)) {
                differences.add(new Difference(ref, Difference.Kind.TYPE, "type differs: source " + st + ", target " + tt));
            } else {
                String expiry = compareExpiry(rs.get(2 * i + 1).asLong(), rt.get(2 * i + 1).asLong(), now);
                if (expiry != null) {
                    differences.add(new Difference(ref, Difference.Kind.EXPIRY, expiry));
                } else if (Values.size(st, keys.get(i)) != null) {
                    sameType.add(keys.get(i));
                    types.add(st);
                }
            }
        }
        compareValues(db, sameType, types, differences);
        return differences;
    }

    private void compareValues(int db, List<byte[]> keys, List<String> types, List<Difference> differences) {
        if (keys.isEmpty()) {
            return;
        }
        boolean full = mode == VerifyMode.FULL;
        // Full mode reads a bounded first chunk together with the size: for most keys that is the whole value.
        List<byte[]> routes = new ArrayList<>(keys.size() * 2);
        List<Object[]> commands = new ArrayList<>(keys.size() * 2);
        int[] sizeAt = new int[keys.size()];
        int[] firstAt = new int[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            sizeAt[i] = commands.size();
            routes.add(keys.get(i));
            commands.add(Values.size(types.get(i), keys.get(i)));
            Object[] first = full ? Values.readFirst(types.get(i), keys.get(i), BigValueComparer.STRING_CHUNK,
                    BigValueComparer.ELEMENT_CHUNK) : null;
            firstAt[i] = first == null ? -1 : commands.size();
            if (first != null) {
                routes.add(keys.get(i));
                commands.add(first);
            }
        }
        List<RespValue>[] replies = both(db, routes, commands);
        List<Pair> small = new ArrayList<>();
        List<Pair> large = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            Pair pair;
            try {
                pair = new Pair(keys.get(i), types.get(i), checkedLong(source, replies[0].get(sizeAt[i]), commands.get(sizeAt[i])),
                        checkedLong(target, replies[1].get(sizeAt[i]), commands.get(sizeAt[i])));
            } catch (BigValueComparer.ChangedWhileReading e) {
                differences.add(changed(db, keys.get(i)));
                continue;
            }
            if (pair.sourceSize() != pair.targetSize()) {
                String unit = pair.type().equals("string") ? " bytes" : " elements";
                differences.add(new Difference(new KeyRef(db, pair.key()), Difference.Kind.VALUE, pair.type()
                        + " size differs: source " + pair.sourceSize() + unit + ", target " + pair.targetSize() + unit));
            } else if (full) {
                boolean isSmall = pair.type().equals("string")
                        ? pair.sourceSize() <= BigValueComparer.STRING_CHUNK
                        : pair.sourceSize() <= BigValueComparer.ELEMENT_CHUNK;
                if (isSmall && firstAt[i] >= 0) {
                    Difference d = compareItems(db, pair, commands.get(firstAt[i]), replies[0].get(firstAt[i]), replies[1].get(firstAt[i]));
                    if (d != null) {
                        differences.add(d);
                    }
                } else {
                    (isSmall ? small : large).add(pair);
                }
            }
        }
        compareSmall(db, small, differences);
        for (Pair pair : large) {
            String detail;
            try {
                detail = big.compare(db, pair.key(), pair.type(), pair.sourceSize());
            } catch (BigValueComparer.ChangedWhileReading e) {
                detail = e.getMessage();
            }
            if (detail != null) {
                differences.add(new Difference(new KeyRef(db, pair.key()), Difference.Kind.VALUE, detail));
            }
        }
    }

    private void compareSmall(int db, List<Pair> pairs, List<Difference> differences) {
        if (pairs.isEmpty()) {
            return;
        }
        List<byte[]> keys = new ArrayList<>(pairs.size());
        List<Object[]> commands = new ArrayList<>(pairs.size());
        for (Pair pair : pairs) {
            keys.add(pair.key());
            commands.add(Values.readAll(pair.type(), pair.key()));
        }
        List<RespValue>[] values = both(db, keys, commands);
        for (int i = 0; i < pairs.size(); i++) {
            Difference d = compareItems(db, pairs.get(i), commands.get(i), values[0].get(i), values[1].get(i));
            if (d != null) {
                differences.add(d);
            }
        }
    }

    /** Compares two whole values read by {@code command}; null when equal. */
    private Difference compareItems(int db, Pair pair, Object[] command, RespValue sourceReply, RespValue targetReply) {
        KeyRef ref = new KeyRef(db, pair.key());
        List<byte[]> a;
        List<byte[]> b;
        try {
            a = Values.items(pair.type(), BigValueComparer.failOnError(source, sourceReply, command));
            b = Values.items(pair.type(), BigValueComparer.failOnError(target, targetReply, command));
        } catch (BigValueComparer.ChangedWhileReading e) {
            return changed(db, pair.key());
        }
        int at = Values.firstDifference(a, b);
        if (at < 0) {
            return null;
        }
        String detail = pair.type().equals("string")
                ? "string differs: source " + Values.item(a, 0) + ", target " + Values.item(b, 0)
                : Values.describe(pair.type(), a, b, at);
        return new Difference(ref, Difference.Kind.VALUE, detail);
    }

    /** The same commands on both sides, each sent before either is read. */
    @SuppressWarnings("unchecked")
    private List<RespValue>[] both(int db, List<byte[]> keys, List<Object[]> commands) {
        SideClient.Pending ps = source.submit(db, keys, commands);
        SideClient.Pending pt = target.submit(db, keys, commands);
        return new List[] {ps.await(), pt.await()};
    }

    /**
     * Null when the two expiry replies mean the same time. Exact mode compares absolute times
     * ({@code PEXPIRETIME}); otherwise relative {@code PTTL}s read at {@code now} are turned into absolute
     * times. Both allow the tolerance.
     */
    String compareExpiry(long sourceReply, long targetReply, long now) {
        boolean sourcePersists = sourceReply < 0;
        boolean targetPersists = targetReply < 0;
        if (sourcePersists && targetPersists) {
            return null;
        }
        long a = sourcePersists ? -1 : exactExpiry ? sourceReply : now + sourceReply;
        long b = targetPersists ? -1 : exactExpiry ? targetReply : now + targetReply;
        if (!sourcePersists && !targetPersists && Math.abs(a - b) <= ttlToleranceMillis) {
            return null;
        }
        return "expiry differs: source " + expiryText(a) + ", target " + expiryText(b)
                + (sourcePersists || targetPersists ? "" : " (" + Math.abs(a - b) + " ms apart)");
    }

    private static String expiryText(long at) {
        return at < 0 ? "none" : Instant.ofEpochMilli(at) + " (" + at + ")";
    }

    private static long checkedLong(SideClient side, RespValue reply, Object[] command) {
        return BigValueComparer.failOnError(side, reply, command).asLong();
    }

    private static Difference changed(int db, byte[] key) {
        return new Difference(new KeyRef(db, key), Difference.Kind.VALUE, "changed type while being compared");
    }
}
