package dev.ferry.precheck;

import dev.ferry.FerryException;
import dev.ferry.cluster.ClusterDatabases;
import dev.ferry.pipeline.DbMap;
import dev.ferry.pipeline.Filters;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Where the copied databases land on the target, and whether they are empty there. */
final class TargetChecks {

    private TargetChecks() {
    }

    /** The source databases the sync copies: those asked for, or every one holding keys (database 0 if none do). */
    static Set<Integer> sourceDbs(Check.Context ctx) {
        if (ctx.options().dbs() != null) {
            return ctx.options().dbs();
        }
        Set<Integer> dbs = new TreeSet<>(ctx.source().keysPerDb().keySet());
        return dbs.isEmpty() ? Set.of(0) : dbs;
    }

    /**
     * Every database of {@code --dbs} exists on the source, and on a standalone target where it lands: a database
     * that does not exist would be copied as nothing, for ever. Probed with {@code SELECT}, which needs no CONFIG.
     */
    static CheckResult databases(String name, Check.Context ctx) {
        Set<Integer> dbs = ctx.options().dbs();
        if (dbs == null && ctx.options().dbMap().isEmpty()) {
            return CheckResult.pass(name, "every database the source holds is copied");
        }
        Set<Integer> targetDbs = new TreeSet<>();
        if (dbs == null) {
            // Every database is copied; the mapped ones land in the databases the map names.
            targetDbs.addAll(ctx.options().dbMap().values());
            String missing = ctx.target().isCluster() ? null : missingDbs(ctx.target(), targetDbs);
            return missing != null ? CheckResult.fail(name, missing, "map into databases that exist (--db-map), or raise"
                    + " 'databases' in the target's configuration")
                    : CheckResult.pass(name, "every database the source holds is copied; database(s) " + join(targetDbs)
                    + " exist on the target");
        }
        dbs.forEach(db -> targetDbs.add(ctx.options().targetDb(db)));
        String missing = missingDbs(ctx.source(), dbs);
        if (missing == null && !ctx.target().isCluster()) {
            missing = missingDbs(ctx.target(), targetDbs);
        }
        if (missing != null) {
            return CheckResult.fail(name, missing, "copy databases that exist (--dbs), or raise 'databases' in that server's configuration");
        }
        return CheckResult.pass(name, "database(s) " + join(dbs) + " exist on the source"
                + (ctx.target().isCluster() ? "" : " and " + join(targetDbs) + " on the target"));
    }

    /** What is missing on {@code side} ("the source has no database 99 (it has 16: 0-15)"), or null. */
    private static String missingDbs(Side side, Set<Integer> dbs) {
        if (side.isCluster()) {
            int count = ClusterDatabases.count(side.conn());
            Set<Integer> other = new TreeSet<>();
            dbs.stream().filter(db -> db >= count).forEach(other::add);
            return other.isEmpty() ? null : side.describe() + " is a cluster, which has " + (count == 1 ? "only database 0"
                    : count + " databases (0-" + (count - 1) + ", cluster-databases)") + "; asked for database(s) " + join(other);
        }
        Set<Integer> missing = new TreeSet<>();
        for (int db : dbs) {
            if (side.conn().call("SELECT", db).isError()) {
                missing.add(db);
            }
        }
        side.conn().callChecked("SELECT", 0);
        if (missing.isEmpty()) {
            return null;
        }
        String count;
        try {
            int n = Integer.parseInt(side.config("databases").trim());
            count = " (it has " + n + ": 0-" + (n - 1) + ")";
        } catch (FerryException | NumberFormatException e) {
            count = "";
        }
        return side.describe() + " has no database " + join(missing) + count;
    }

    /**
     * Every copied database must land in one the target has: a cluster has database 0 only (a Redis Cluster, a
     * Valkey one with {@code cluster-databases 1}) or {@code cluster-databases} of them (Valkey 9); databases merged
     * into one are warned about.
     */
    static CheckResult dbMapping(String name, Check.Context ctx) {
        if (!ctx.target().isCluster()) {
            DbMap map = DbMap.of(ctx.options().dbMap());
            if (map.isIdentity()) {
                return CheckResult.pass(name, "the target is not a cluster: every database keeps its number");
            }
            String merged = merged(map, ctx.options().dbs());
            return merged != null ? mergeWarning(name, merged)
                    : CheckResult.pass(name, "--db-map " + map + ": each copied database lands alone in its target database");
        }
        Set<Integer> dbs = sourceDbs(ctx);
        int count = ClusterDatabases.count(ctx.target().conn());
        Map<Integer, Integer> mapped = new TreeMap<>();
        for (int db : dbs) {
            mapped.put(db, ctx.options().targetDb(db));
        }
        List<String> beyond = new ArrayList<>();
        mapped.forEach((from, to) -> {
            if (to >= count) {
                beyond.add(from + (from.equals(to) ? "" : " (mapped to " + to + ")"));
            }
        });
        String has = count == 1 ? "database 0 only (cluster-databases 1)"
                : count + " databases (0-" + (count - 1) + ", cluster-databases " + count + ")";
        if (!beyond.isEmpty()) {
            return CheckResult.fail(name, "the source copies database(s) " + join(dbs) + " but the target is a cluster"
                            + " with " + has + "; not mapped into " + (count == 1 ? "0" : "one of them") + " with --db-map: "
                            + String.join(", ", beyond),
                    count == 1 ? "copy one database (--dbs N) and map it to 0 (--db-map N:0), map each to 0 if their"
                            + " keys never clash, or give the target cluster more databases (Valkey 9: cluster-databases)"
                            : "map each copied database into one the cluster has (--db-map), or copy fewer (--dbs)");
        }
        String merged = merged(DbMap.of(ctx.options().dbMap()), dbs);
        if (merged != null) {
            return mergeWarning(name, merged + " of the cluster");
        }
        return CheckResult.pass(name, "database(s) " + join(dbs) + " land in database(s) " + join(new TreeSet<>(mapped.values()))
                + " of the cluster, which has " + has);
    }

    /** The groups of copied databases ({@code copied}, null for all) that land in one target database, or null. */
    private static String merged(DbMap map, Set<Integer> copied) {
        Set<Integer> landing = copied == null ? new TreeSet<>(map.asMap().values()) : map.destinations(copied);
        List<String> groups = new ArrayList<>();
        for (int db : landing) {
            Set<Integer> sources = map.sources(db, copied);
            if (sources.size() > 1) {
                groups.add("databases " + join(sources) + " land in target database " + db);
            }
        }
        return groups.isEmpty() ? null : String.join("; ", groups);
    }

    /** Merged databases: same-name keys become one (the later write wins), and a FLUSHDB of one of them stops the sync. */
    private static CheckResult mergeWarning(String name, String merged) {
        return CheckResult.warn(name, merged + ": a key of the same name in two of them is one key there (the later"
                        + " write wins), and a FLUSHDB of one of them (or a SWAPDB with another database) stops the sync",
                "make sure key names never repeat across these databases (a prefix per database), or map them apart");
    }

    /** With {@code --existing check}, the target must hold no keys (Ferry's own aside) in the databases written. */
    static CheckResult empty(String name, Check.Context ctx) {
        if (ctx.options().existing() != dev.ferry.task.ExistingKeys.CHECK) {
            return CheckResult.pass(name, "--existing overwrite: same-name keys on the target will be replaced");
        }
        Set<Integer> targetDbs = new TreeSet<>();
        sourceDbs(ctx).forEach(db -> targetDbs.add(ctx.options().targetDb(db)));
        if (ctx.options().dbs() == null && !ctx.target().isCluster()) {
            // Every source database is copied, including ones that fill up later: any key on the target counts.
            targetDbs.addAll(ctx.target().keysPerDb().keySet());
        }
        Side target = ctx.target();
        List<RedisEndpoint> nodes = target.isCluster() ? target.topology().masters() : List.of(target.endpoint());
        Map<Integer, Long> busy = new TreeMap<>();
        Map<Integer, Long> counts = target.keysPerDb();
        for (int db : targetDbs) {
            if (counts.getOrDefault(db, 0L) == 0) {
                continue;
            }
            for (RedisEndpoint node : nodes) {
                try (RedisConnection conn = RedisConnection.open(node)) {
                    if (hasUserKeys(conn, db)) {
                        busy.put(db, counts.get(db));
                        break;
                    }
                }
            }
        }
        if (busy.isEmpty()) {
            return CheckResult.pass(name, "the target holds no keys in database(s) " + join(targetDbs) + " (Ferry's own keys aside)");
        }
        String where = busy.entrySet().stream().map(e -> "db" + e.getKey() + ": " + e.getValue() + " keys").collect(Collectors.joining(", "));
        return CheckResult.fail(name, "the target already holds keys (" + where + ")",
                "empty those databases on the target (FLUSHDB), or pass --existing overwrite to replace same-name keys");
    }

    private static boolean hasUserKeys(RedisConnection conn, int db) {
        conn.callChecked("SELECT", db);
        String cursor = "0";
        do {
            List<RespValue> page = ((RespValue.Array) conn.callChecked("SCAN", cursor, "COUNT", 1000)).items();
            cursor = page.get(0).asText();
            for (RespValue k : ((RespValue.Array) page.get(1)).items()) {
                if (!Filters.isControlKey(((RespValue.Bulk) k).bytes())) {
                    return true;
                }
            }
        } while (!cursor.equals("0"));
        return false;
    }

    private static String join(Set<Integer> dbs) {
        return dbs.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
