package dev.ferry.verify;

import dev.ferry.cluster.Topology;
import dev.ferry.FerryException;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.ServerInfo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Compares a source deployment with a target deployment, key by key, in both directions, and in rounds.
 *
 * <p>Round one scans every master of both sides ({@link KeyScanner}) and hands batches of keys to worker
 * threads ({@link WorkerPool}): keys seen on the source are compared in full (type, expiry, size, and in
 * {@link VerifyMode#FULL} every element); keys seen on the target are only looked up on the source, to find
 * the extra ones. Each later round waits {@link VerifyOptions#roundPause()} and compares again only the
 * keys that differed, so that writes still in flight through a live sync are not reported. Blocking; the
 * caller's thread coordinates, workers and scanners run on threads of their own.
 */
public final class Verifier {

    private final VerifyOptions options;
    private final Topology source;
    private final Topology target;
    private final RateLimiter sourceLimiter;
    private final RateLimiter targetLimiter;
    private final boolean exactExpiry;
    private final Set<Integer> dbs;

    private Verifier(VerifyOptions options) {
        this.options = options;
        this.source = Topology.discover(options.source());
        this.target = Topology.discover(options.target());
        this.sourceLimiter = new RateLimiter(options.rate());
        this.targetLimiter = new RateLimiter(options.rate());
        // PEXPIRETIME (7.0) gives the absolute time; before it, PTTL read on both sides at once.
        this.exactExpiry = source.version().atLeast(7, 0) && target.version().atLeast(7, 0);
        this.dbs = chooseDbs();
    }

    /**
     * Runs a verification.
     *
     * @throws FerryException a server cannot be reached, refuses the credentials or a read, or the databases
     *         asked for do not exist on a cluster
     */
    public static VerifyReport run(VerifyOptions options) {
        return new Verifier(options).verify();
    }

    private VerifyReport verify() {
        long start = System.nanoTime();
        AtomicLong sourceKeys = new AtomicLong();
        AtomicLong targetKeys = new AtomicLong();
        Map<KeyRef, Difference> differences = new ConcurrentHashMap<>();
        try (WorkerPool pool = newPool(differences)) {
            List<KeyScanner> scanners = new ArrayList<>();
            for (int db : dbs) {
                for (RedisEndpoint node : source.masters()) {
                    scanners.add(new KeyScanner(node, db, false, sourceLimiter, options.scanCount(), sourceKeys, options.keys()));
                }
                for (RedisEndpoint node : target.masters()) {
                    scanners.add(new KeyScanner(node, db, true, targetLimiter, options.scanCount(), targetKeys, options.keys()));
                }
            }
            pool.runScanners(scanners);
        }
        List<Integer> rounds = new ArrayList<>();
        rounds.add(differences.size());
        for (int round = 2; round <= options.rounds() && !differences.isEmpty(); round++) {
            pause(options.roundPause());
            Set<KeyRef> again = new TreeSet<>(differences.keySet());
            differences.clear();
            try (WorkerPool pool = newPool(differences)) {
                pool.runBatches(batches(again));
            }
            rounds.add(differences.size());
        }
        List<Difference> remaining = new ArrayList<>(differences.values());
        remaining.sort(null);
        return new VerifyReport(options.mode(), describe(options.source(), source), describe(options.target(), target),
                dbs, sourceKeys.get(), targetKeys.get(), rounds, remaining,
                Duration.ofNanos(System.nanoTime() - start).toMillis());
    }

    private WorkerPool newPool(Map<KeyRef, Difference> differences) {
        return new WorkerPool(options.parallelism(),
                () -> new KeyComparer(new SideClient(source, sourceLimiter), new SideClient(target, targetLimiter),
                        options.mode(), exactExpiry, options.ttlTolerance().toMillis()),
                differences);
    }

    private List<KeyBatch> batches(Set<KeyRef> keys) {
        Map<Integer, List<byte[]>> byDb = new TreeMap<>();
        for (KeyRef ref : keys) {
            byDb.computeIfAbsent(ref.db(), db -> new ArrayList<>()).add(ref.key());
        }
        List<KeyBatch> batches = new ArrayList<>();
        int size = Math.max(1, Math.min(options.scanCount(), 200));
        for (Map.Entry<Integer, List<byte[]>> e : byDb.entrySet()) {
            List<byte[]> all = e.getValue();
            for (int from = 0; from < all.size(); from += size) {
                batches.add(new KeyBatch(e.getKey(), List.copyOf(all.subList(from, Math.min(all.size(), from + size))), false));
            }
        }
        return batches;
    }

    /**
     * The databases to compare: those asked for, or every database holding keys on either side. A cluster
     * has database 0 only, so comparing it with another database of a standalone server is refused.
     */
    private Set<Integer> chooseDbs() {
        boolean cluster = source.isCluster() || target.isCluster();
        if (options.dbs() != null) {
            if (cluster && !options.dbs().equals(Set.of(0))) {
                throw new VerifyException("a Redis Cluster has database 0 only, and " + (source.isCluster() ? "the source" : "the target")
                        + " is one: --dbs " + joined(options.dbs()) + " (expected: --dbs 0)");
            }
            return options.dbs();
        }
        Set<Integer> sourceDbs = keyspace(source);
        Set<Integer> targetDbs = keyspace(target);
        if (cluster) {
            Set<Integer> other = new TreeSet<>(source.isCluster() ? targetDbs : sourceDbs);
            other.remove(0);
            if (!other.isEmpty()) {
                throw new VerifyException((source.isCluster() ? "the target" : "the source") + " holds keys in database(s) "
                        + joined(other) + " but " + (source.isCluster() ? "the source" : "the target")
                        + " is a cluster, which has database 0 only: compare database 0 with --dbs 0");
            }
            return Set.of(0);
        }
        Set<Integer> all = new TreeSet<>(sourceDbs);
        all.addAll(targetDbs);
        return all.isEmpty() ? Set.of(0) : all;
    }

    private static Set<Integer> keyspace(Topology side) {
        Set<Integer> dbs = new TreeSet<>();
        for (RedisEndpoint node : side.masters()) {
            try (RedisConnection conn = RedisConnection.open(node)) {
                dbs.addAll(ServerInfo.fetch(conn).keysPerDb().keySet());
            }
        }
        return dbs;
    }

    private static String describe(RedisEndpoint endpoint, Topology topology) {
        return endpoint + " (" + topology.describe() + ")";
    }

    private static String joined(Set<Integer> dbs) {
        return new TreeSet<>(dbs).stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VerifyException("verify interrupted", e);
        }
    }
}
