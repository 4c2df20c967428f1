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
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What a sync checks and does differently when its target is a Redis Cluster: every copied database mapped
 * to 0, the target's keys and the per-slot checkpoints looked at on every master.
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
     * Refuses a copied source database that does not land in database 0, the only one a cluster has; the
     * copied databases are those the precheck's {@code db-mapping} check counts: {@code --dbs}, or every
     * database the source holds keys in.
     */
    static void checkDatabases(SyncOptions options, ServerInfo source) {
        Set<Integer> copied = options.dbs() != null ? options.dbs() : new TreeSet<>(source.keysPerDb().keySet());
        List<String> elsewhere = new ArrayList<>();
        for (int db : copied) {
            int to = options.dbMap().target(db);
            if (to != 0) {
                elsewhere.add(db + (to == db ? "" : " (mapped to " + to + ")"));
            }
        }
        if (options.twoWay() && copied.size() > 1) {
            // Merged into database 0, the reverse direction could not tell where each key came from.
            throw new FerryException("the target " + options.target().address() + " is a Redis Cluster, which has"
                    + " database 0 only, and --two-way copies one database into it, not " + copied.size() + " (" + copied
                    + "): choose one with --dbs N (and --db-map N:0 if N is not 0; the reverse task then takes --dbs 0"
                    + " --db-map 0:N)");
        }
        if (!elsewhere.isEmpty()) {
            throw new FerryException("the target " + options.target().address() + " is a Redis Cluster, which has"
                    + " database 0 only, and source database(s) " + String.join(", ", elsewhere) + " would land"
                    + " elsewhere: map each copied database to 0 with --db-map (e.g. --db-map "
                    + String.join(",", copied.stream().map(d -> d + ":0").toList()) + "), or copy fewer with --dbs");
        }
    }

    /** With {@code --existing check}: refuses a target cluster any master of which holds keys the task would own. */
    static void checkExisting(Topology topology, SyncOptions options, KeyWalk walk) {
        if (options.existing() != ExistingKeys.CHECK) {
            return;
        }
        List<String> busy = new ArrayList<>();
        for (RedisEndpoint master : topology.masters()) {
            try (RedisConnection conn = RedisConnection.open(master)) {
                long keys = ServerInfo.fetch(conn).keysPerDb().getOrDefault(0, 0L);
                boolean[] found = {false};
                if (keys > 0) {
                    walk.forEach(conn, 0, key -> {
                        found[0] = true;
                        return false;
                    });
                }
                if (found[0]) {
                    busy.add(master.address() + ": " + keys + " keys");
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

    /** One {@code DEL} per target key the task owns, over every master (a cluster's DEL takes keys of one slot). */
    static List<byte[][]> ownedDeletes(Topology topology, KeyWalk walk) {
        List<byte[][]> cmds = new ArrayList<>();
        byte[] del = "DEL".getBytes(StandardCharsets.US_ASCII);
        for (RedisEndpoint master : topology.masters()) {
            try (RedisConnection conn = RedisConnection.open(master)) {
                walk.forEach(conn, 0, key -> cmds.add(new byte[][] {del, key}));
            }
        }
        return cmds;
    }
}
