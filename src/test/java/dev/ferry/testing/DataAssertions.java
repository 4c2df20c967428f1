package dev.ferry.testing;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.ServerInfo;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Asserts that two servers hold the same data: the same keys with the same types, values and expiry
 * times, in the given databases. Ferry's own keys ({@code __ferry:...}) are ignored.
 *
 * <p>Values are compared by {@code DEBUG DIGEST-VALUE} where both servers have it (4.0+; 7.0+ needs
 * {@code enable-debug-command}), and otherwise, or when digests differ, by reading them in a canonical,
 * encoding-independent form (so servers of different versions compare fairly). Expiry times are compared
 * exactly with {@code PEXPIRETIME} when both servers are 7.0+, else by {@code PTTL} within 2 seconds.
 * When neither server holds Ferry keys and both run the same version, the whole-server {@code DEBUG DIGEST}
 * must match too.
 *
 * <p>Blocking; both connections are left on their endpoint's database (0 if none).
 */
public final class DataAssertions {

    private static final int MAX_REPORTED = 20;

    private DataAssertions() {
    }

    /**
     * @throws AssertionError listing the first differing keys (escaped) and what differs
     */
    public static void assertSameData(RedisConnection source, RedisConnection target, Set<Integer> dbs) {
        DataComparison comparison = new DataComparison(source, target);
        report(comparison, "databases " + new TreeSet<>(dbs), comparison.run(dbs));
    }

    private static void report(DataComparison comparison, String where, List<String> differences) {
        if (!differences.isEmpty()) {
            StringBuilder sb = new StringBuilder(comparison.describeServers()).append(" differ in ")
                    .append(where).append(": ").append(differences.size()).append(" difference(s)");
            if (differences.size() > MAX_REPORTED) {
                sb.append(", first ").append(MAX_REPORTED);
            }
            differences.stream().limit(MAX_REPORTED).forEach(d -> sb.append("\n  ").append(d));
            throw new AssertionError(sb.toString());
        }
    }

    /**
     * Compares each source database (a key of {@code targetOf}) with the target database it landed in, as a
     * sync with {@code --db-map} copies them; several may land in one, with no key name repeated among them.
     *
     * @throws AssertionError listing the first differing keys (escaped) and what differs
     */
    public static void assertSameData(RedisConnection source, RedisConnection target, Map<Integer, Integer> targetOf) {
        DataComparison comparison = new DataComparison(source, target);
        report(comparison, "databases " + new TreeMap<>(targetOf), comparison.run(targetOf));
    }

    /** Compares every database that holds keys on either server. */
    public static void assertSameData(RedisConnection source, RedisConnection target) {
        Set<Integer> dbs = new TreeSet<>(ServerInfo.fetch(source).keysPerDb().keySet());
        dbs.addAll(ServerInfo.fetch(target).keysPerDb().keySet());
        assertSameData(source, target, dbs);
    }

    /** The differences, one line each ("db 0 "key": what"), empty when the data is the same. */
    public static List<String> differences(RedisConnection source, RedisConnection target, Set<Integer> dbs) {
        return List.copyOf(new DataComparison(source, target).run(dbs));
    }
}
