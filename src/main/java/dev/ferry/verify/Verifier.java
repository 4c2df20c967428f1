package dev.ferry.verify;

import dev.ferry.Throttle;
import dev.ferry.cluster.ClusterDatabases;
import dev.ferry.cluster.Topology;
import dev.ferry.FerryException;
import dev.ferry.pipeline.DbMap;
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
 * keys that differed, so that writes still in flight through a live sync are not reported. With a
 * {@link VerifyOptions#dbMap()}, each source database is compared with the target database it landed in,
 * and a key of a target database is extra when no source database landing there holds it. Blocking; the
 * caller's thread coordinates, workers and scanners run on threads of their own.
 */
public final class Verifier {

    private final VerifyOptions options;
    private final Topology source;
    private final Topology target;
    private final Throttle sourceLimiter;
    private final Throttle targetLimiter;
    private final boolean exactExpiry;
    private final Set<Integer> dbs;

    private Verifier(VerifyOptions options) {
        this.options = options;
        this.source = Topology.discover(options.source());
        this.target = Topology.discover(options.target());
        this.sourceLimiter = new Throttle(options.rate(), 0);
        this.targetLimiter = new Throttle(options.rate(), 0);
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
            }
            for (int db : options.dbMap().destinations(dbs)) {
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
                () -> new KeyComparer(new SideClient(source, sourceLimiter),
                        new SideClient(target, targetLimiter, options.dbMap()::target),
                        options.mode(), exactExpiry, options.ttlTolerance().toMillis(), db -> options.dbMap().sources(db, dbs)),
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
     * The source databases to compare: those asked for, or every database holding keys on the source, and
     * every database holding keys on the target that the map neither moves nor fills (its keys may be extra).
     * A cluster has database 0 only (a Redis Cluster) or {@code cluster-databases} of them (Valkey 9): comparing a
     * database it does not have is refused.
     */
    private Set<Integer> chooseDbs() {
        DbMap map = options.dbMap();
        Set<Integer> chosen;
        if (options.dbs() != null) {
            chosen = options.dbs();
        } else {
            chosen = new TreeSet<>(keyspace(source));
            keyspace(target).stream().filter(db -> !map.mentions(db)).forEach(chosen::add);
            if (chosen.isEmpty() || source.isCluster()) {
                chosen.add(0);
            }
        }
        String given = options.dbs() != null ? "--dbs " + joined(chosen) : "keys in database(s) " + joined(chosen);
        int sourceDbs = clusterDatabases(source);
        if (chosen.stream().anyMatch(db -> db >= sourceDbs)) {
            throw new VerifyException(sourceDbs == 1
                    ? "a Redis Cluster has database 0 only, and the source is one: " + given + " (expected: --dbs 0)"
                    : "the source cluster has " + sourceDbs + " databases (0-" + (sourceDbs - 1) + ", cluster-databases): "
                    + given);
        }
        Set<Integer> landing = map.destinations(chosen);
        int targetDbs = clusterDatabases(target);
        if (landing.stream().anyMatch(db -> db >= targetDbs)) {
            throw new VerifyException(targetDbs == 1
                    ? "a Redis Cluster has database 0 only, and the target is one: " + given + ", which land in database(s) "
                    + joined(landing) + " (expected: --dbs 0, or --db-map N:0 as the sync had)"
                    : "the target cluster has " + targetDbs + " databases (0-" + (targetDbs - 1) + ", cluster-databases): "
                    + given + ", which land in database(s) " + joined(landing) + " (expected: --db-map as the sync had)");
        }
        return chosen;
    }

    /** How many databases {@code side} has if it is a cluster (read on its first master); unbounded otherwise. */
    private static int clusterDatabases(Topology side) {
        if (!side.isCluster()) {
            return Integer.MAX_VALUE;
        }
        try (RedisConnection conn = RedisConnection.open(side.masters().get(0))) {
            return ClusterDatabases.count(conn);
        }
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
