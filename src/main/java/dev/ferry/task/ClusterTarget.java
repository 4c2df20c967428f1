package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.checkpoint.SlotCheckpoints;
import dev.ferry.resp.RespValue;
import dev.ferry.source.ReplicationOffset;
import dev.ferry.cluster.Topology;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.ServerInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What a sync checks and does differently when its target is a Redis Cluster: every copied database landing in
 * one the cluster has (database 0 only, or Valkey 9's {@code cluster-databases}), the target's keys and the
 * per-slot checkpoints looked at on every master.
 * Blocking; called on the task's thread.
 */
final class ClusterTarget {

    /** Walks a target node's keys that the task owns in one database; stops when the visitor says false. */
    @FunctionalInterface
    interface KeyWalk {
        void forEach(RedisConnection conn, int db, Predicate<byte[]> visit);
    }

    private ClusterTarget() {
    }

    /**
     * The slot map of the cluster target, read from {@code node} (the one named on the command line, or another
     * node of the cluster when that one is gone), after refusing what it cannot take yet.
     *
     * @throws FerryException slots that no master serves
     */
    static Topology discover(SyncOptions options, RedisEndpoint node) {
        Topology topology = Topology.discover(node);
        if (!topology.uncoveredRanges().isEmpty()) {
            int[] r = topology.uncoveredRanges().get(0);
            throw new FerryException("target cluster " + options.target().address() + ": slots " + r[0] + "-" + r[1]
                    + " are served by no master; fix the cluster first (redis-cli --cluster fix)");
        }
        return topology;
    }

    /**
     * Refuses a copied source database that lands in a database the target cluster does not have: past database 0
     * on a Redis Cluster (or a Valkey one with {@code cluster-databases 1}), past {@code targetDbs - 1} on a Valkey 9
     * cluster with more. The copied databases are those the precheck's {@code db-mapping} check counts:
     * {@code --dbs}, or every database the source holds keys in.
     *
     * @param targetDbs how many databases the target cluster has ({@link dev.ferry.cluster.ClusterDatabases})
     */
    static void checkDatabases(SyncOptions options, ServerInfo source, int targetDbs) {
        Set<Integer> copied = options.dbs() != null ? options.dbs() : new TreeSet<>(source.keysPerDb().keySet());
        List<String> beyond = new ArrayList<>();
        for (int db : copied) {
            int to = options.dbMap().target(db);
            if (to >= targetDbs) {
                beyond.add(db + (to == db ? "" : " (mapped to " + to + ")"));
            }
        }
        if (options.twoWay() && copied.size() > 1) {
            // The reverse direction reads one database back (merged into database 0, it could not tell them apart).
            throw new FerryException("the target " + options.target().address() + " is a Redis Cluster, and --two-way"
                    + " copies one database into it, not " + copied.size() + " (" + copied + "): choose one with --dbs N"
                    + " (and --db-map N:0 if N is not 0; the reverse task then takes --dbs 0 --db-map 0:N)");
        }
        if (!beyond.isEmpty()) {
            throw new FerryException("the target " + options.target().address() + " is a cluster with "
                    + databases(targetDbs) + ", and source database(s) " + String.join(", ", beyond) + " would land"
                    + " beyond them: map each copied database into one it has with --db-map (e.g. --db-map "
                    // With one database, every copied one goes to 0; with more, only those beyond need a place.
                    + String.join(",", copied.stream().filter(d -> targetDbs == 1 || options.dbMap().target(d) >= targetDbs)
                            .map(d -> d + ":0").toList())
                    + "), copy fewer with --dbs, or give the target cluster more databases (Valkey 9: cluster-databases)");
        }
    }

    /** "database 0 only (cluster-databases 1)", "4 databases (0-3, cluster-databases 4)". */
    static String databases(int count) {
        return count == 1 ? "database 0 only (cluster-databases 1)"
                : count + " databases (0-" + (count - 1) + ", cluster-databases " + count + ")";
    }

    /**
     * With {@code --existing check}: refuses a target cluster any master of which holds keys the task would own, in
     * a database the copied ones land in.
     */
    static void checkExisting(Topology topology, SyncOptions options, KeyWalk walk) {
        if (options.existing() != ExistingKeys.CHECK) {
            return;
        }
        List<String> busy = new ArrayList<>();
        for (RedisEndpoint master : topology.masters()) {
            try (RedisConnection conn = RedisConnection.open(master)) {
                for (Map.Entry<Integer, Long> e : new TreeMap<>(ServerInfo.fetch(conn).keysPerDb()).entrySet()) {
                    int db = e.getKey();
                    if (e.getValue() == 0 || !options.dbMap().isDestination(db, options.dbs())) {
                        continue;
                    }
                    boolean[] found = {false};
                    walk.forEach(conn, db, key -> {
                        found[0] = true;
                        return false;
                    });
                    if (found[0]) {
                        busy.add(master.address() + (db == 0 ? "" : " db" + db) + ": " + e.getValue() + " keys");
                    }
                }
            }
        }
        if (!busy.isEmpty()) {
            throw new FerryException("target cluster " + options.target().address() + " already holds keys ("
                    + String.join(", ", busy) + "): empty it, or pass --existing overwrite to replace same-name keys");
        }
    }

    /**
     * Reads the task's slot checkpoints on every master ({@code SCAN MATCH}) into {@code slots}, keeping those
     * beyond the base checkpoint {@code base} and deleting the others, which the base covers (or which belong to
     * an earlier history): this is where they are cleaned up, lazily, once per run.
     *
     * @return how many slots are ahead of the base
     */
    static int loadSlotCheckpoints(Topology topology, SlotCheckpoints slots, ReplicationOffset base) {
        for (RedisEndpoint master : topology.masters()) {
            try (RedisConnection conn = RedisConnection.open(master)) {
                String cursor = "0";
                do {
                    List<RespValue> reply = ((RespValue.Array) conn.callChecked("SCAN", cursor, "MATCH", slots.pattern(),
                            "COUNT", "1000")).items();
                    cursor = reply.get(0).asText();
                    for (RespValue k : ((RespValue.Array) reply.get(1)).items()) {
                        byte[] key = ((RespValue.Bulk) k).bytes();
                        if (!(conn.callChecked("GET", key) instanceof RespValue.Bulk value && slots.load(key, value.bytes(), base))) {
                            conn.callChecked("DEL", key);
                        }
                    }
                } while (!cursor.equals("0"));
            }
        }
        return slots.slotsAhead();
    }

    /**
     * One {@code DEL} per target key the task owns, over every master (a cluster's DEL takes keys of one slot), in
     * each database the copied ones land in ({@code isDestination}), each database's after its {@code SELECT};
     * database 0 selected at the end.
     */
    static List<byte[][]> ownedDeletes(Topology topology, java.util.function.IntPredicate isDestination, KeyWalk walk) {
        Map<Integer, List<byte[][]>> byDb = ownedDeletesByDb(topology, -1, isDestination, walk);
        List<byte[][]> cmds = new ArrayList<>();
        byDb.forEach((db, dels) -> {
            cmds.add(select(db));
            cmds.addAll(dels);
        });
        if (!cmds.isEmpty()) {
            cmds.add(select(0));
        }
        return cmds;
    }

    /**
     * One {@code DEL} per target key the task owns in database {@code db} (-1: every one {@code isDestination}
     * accepts) over every master of {@code topology}, by database.
     */
    static Map<Integer, List<byte[][]>> ownedDeletesByDb(Topology topology, int db,
                                                        java.util.function.IntPredicate isDestination, KeyWalk walk) {
        Map<Integer, List<byte[][]>> byDb = new TreeMap<>();
        byte[] del = "DEL".getBytes(StandardCharsets.US_ASCII);
        for (RedisEndpoint master : topology.masters()) {
            try (RedisConnection conn = RedisConnection.open(master)) {
                // A Valkey 9 cluster's numbered databases too (cluster-databases); a Redis Cluster has only 0.
                Set<Integer> dbs = db >= 0 ? Set.of(db) : new TreeSet<>(ServerInfo.fetch(conn).keysPerDb().keySet());
                for (int d : dbs) {
                    if (db < 0 && !isDestination.test(d)) {
                        continue;
                    }
                    List<byte[][]> dels = byDb.computeIfAbsent(d, x -> new ArrayList<>());
                    walk.forEach(conn, d, key -> dels.add(new byte[][] {del, key}));
                }
            }
        }
        return byDb;
    }

    private static byte[][] select(int db) {
        return new byte[][] {"SELECT".getBytes(StandardCharsets.US_ASCII),
                Integer.toString(db).getBytes(StandardCharsets.US_ASCII)};
    }
}
