package dev.ferry.precheck;

import dev.ferry.FerryException;
import dev.ferry.resp.ServerInfo;

import java.util.Set;
import java.util.TreeSet;

import static dev.ferry.precheck.ReplicationChecks.bytes;
import static dev.ferry.precheck.ReplicationChecks.parseBytes;

/** Will the source's data fit into the target and stay there: memory, eviction ({@link ModuleCheck}: modules). */
final class CapacityChecks {

    /** Above this share of the target's free memory, the copy may not fit once encodings and overheads differ. */
    private static final double TIGHT = 0.8;

    private CapacityChecks() {
    }

    static CheckResult memory(String name, Side source, Side target) {
        long need = source.sum("used_memory_dataset");
        if (need < 0) {
            need = source.sum("used_memory");
        }
        long limit = 0;
        for (ServerInfo i : target.masterInfos()) {
            long max = i.getLong("maxmemory", -1);
            if (max < 0) {
                max = parseBytes(target.config("maxmemory"));
            }
            if (max == 0) {
                limit = 0;
                break;
            }
            limit += max;
        }
        long used = Math.max(0, target.sum("used_memory"));
        String data = "source data set about " + bytes(need);
        if (limit == 0) {
            return CheckResult.pass(name, data + "; the target has no maxmemory limit");
        }
        long free = Math.max(0, limit - used);
        String room = "the target has " + bytes(free) + " free (maxmemory " + bytes(limit) + ", " + bytes(used) + " used)";
        if (need > free) {
            return CheckResult.fail(name, data + " does not fit: " + room,
                    "raise maxmemory on the target (CONFIG SET maxmemory ...) or use a bigger target");
        }
        if (need > free * TIGHT) {
            return CheckResult.warn(name, data + " nearly fills " + room + " (the estimate varies with encodings)",
                    "raise maxmemory on the target to at least " + bytes((long) (need / TIGHT) + used));
        }
        return CheckResult.pass(name, data + "; " + room);
    }

    static CheckResult eviction(String name, Side target) {
        Set<String> policies = new TreeSet<>();
        for (ServerInfo i : target.masterInfos()) {
            String p = i.get("maxmemory_policy");
            policies.add(p != null ? p.trim() : target.config("maxmemory-policy"));
        }
        policies.remove("noeviction");
        if (policies.isEmpty()) {
            return CheckResult.pass(name, "maxmemory-policy noeviction");
        }
        return CheckResult.warn(name, "the target evicts keys when full (maxmemory-policy " + String.join(", ", policies)
                        + "): copied keys can silently disappear",
                "CONFIG SET maxmemory-policy noeviction on the target (a full target then refuses writes, and the sync stops and says so)");
    }

    /** The target's proto-max-bulk-len: configurable from 3.2 (CONFIG GET), fixed at 512 MB before. */
    static long protoMaxBulkLen(Side target) {
        try {
            return parseBytes(target.config("proto-max-bulk-len"));
        } catch (FerryException e) {
            return 512L << 20;
        }
    }
}
