package dev.ferry.cluster;

import dev.ferry.FerryException;
import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.VersionName;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.testing.ClusterData;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.Servers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every cross-slot command the applier knows, run on a standalone server as it is and through the applier on a
 * 3-master cluster of the same version, from the same data (big collections, expiries, missing keys, empty
 * results): after each command the replies match and every key (type, value, expiry) is the same on both,
 * with no temporary key left behind.
 */
class CrossSlotApplierIT {

    /** An absolute expiry an hour ahead, the same on both sides, so 7.0's PEXPIRETIME compares exactly. */
    private static final long EXPIRE_AT = System.currentTimeMillis() + 3_600_000;

    static List<String> versions() {
        List<String> versions = Servers.versionsUnderTest().stream()
                .filter(v -> VersionName.parse(v).version().atLeast(6, 2)).toList();
        return versions.isEmpty() ? List.of("7.0.15") : versions;
    }

    @ParameterizedTest
    @MethodSource("versions")
    void everyCrossSlotCommandLeavesTheClusterAsTheStandaloneServer(String version) {
        try (ClusterHarness cluster = ClusterHarness.start(version, 3);
             RedisServer server = RedisServer.builder().version(version).start();
             RedisConnection standalone = server.connect();
             ClusterClient client = new ClusterClient(Topology.discover(cluster.endpoint()))) {
            seed(standalone, cluster);
            ClusterData.assertSameData(standalone, cluster);
            CrossSlotApplier applier = new CrossSlotApplier(client);

            for (String[] command : commands()) {
                byte[][] argv = argv(command);
                RespValue expected = standalone.call((Object[]) argv);
                RespValue actual = applier.apply(argv);
                assertThat(describe(actual)).as("reply to %s", String.join(" ", command)).isEqualTo(describe(expected));
                assertThat(ClusterData.differences(standalone, cluster)).as("after %s", String.join(" ", command)).isEmpty();
            }

            CrossSlotCounters.Snapshot counts = applier.counters().snapshot();
            assertThat(counts.split()).containsEntry("MSET", 1L).containsEntry("MSETNX", 1L).containsEntry("DEL", 1L)
                    .containsEntry("UNLINK", 1L).containsEntry("TOUCH", 1L);
            assertThat(counts.emulated()).containsEntry("RENAME", 4L).containsEntry("SMOVE", 3L)
                    .containsEntry("LMOVE", 3L).containsEntry("SUNIONSTORE", 2L).containsEntry("BITOP", 4L)
                    .containsKeys("RENAMENX", "COPY", "RPOPLPUSH", "BLMOVE", "SINTERSTORE", "SDIFFSTORE", "ZUNIONSTORE",
                            "ZINTERSTORE", "ZDIFFSTORE", "ZRANGESTORE", "PFMERGE", "GEOSEARCHSTORE", "SORT");
            // Every command was counted, so none had its keys in one slot and went through as it is.
            assertThat(counts.total()).isEqualTo(commands().size());
        }
    }

    @ParameterizedTest
    @MethodSource("versions")
    void commandsWhoseKeysShareASlotAreSentAsTheyAreAndNotCounted(String version) {
        try (ClusterHarness cluster = ClusterHarness.start(version, 3);
             ClusterClient client = new ClusterClient(Topology.discover(cluster.endpoint()))) {
            cluster.call("SADD", "{u}a", "1", "2");
            cluster.call("SADD", "{u}b", "2", "3");
            CrossSlotApplier applier = new CrossSlotApplier(client);

            assertThat(applier.apply(argv("SUNIONSTORE", "{u}dst", "{u}a", "{u}b")).asLong()).isEqualTo(3);
            assertThat(applier.apply(argv("MSET", "{u}x", "1", "{u}y", "2")).asText()).isEqualTo("OK");
            assertThat(applier.apply(argv("RENAME", "{u}x", "{u}z")).asText()).isEqualTo("OK");

            assertThat(cluster.call("SCARD", "{u}dst").asLong()).isEqualTo(3);
            assertThat(cluster.call("GET", "{u}z").asText()).isEqualTo("1");
            assertThat(applier.counters().snapshot().total()).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("versions")
    void whatCannotBeAppliedAcrossSlotsIsRefusedByName(String version) {
        try (ClusterHarness cluster = ClusterHarness.start(version, 3);
             ClusterClient client = new ClusterClient(Topology.discover(cluster.endpoint()))) {
            cluster.call("RPUSH", "nums", "3", "1", "2");
            CrossSlotApplier applier = new CrossSlotApplier(client);

            assertThatThrownBy(() -> applier.apply(argv("EVAL", "return 1", "2", "k1", "k2")))
                    .isInstanceOf(FerryException.class).hasMessageContaining("EVAL").hasMessageContaining("several slots");
            assertThatThrownBy(() -> applier.apply(argv("COPY", "nums", "other", "DB", "1")))
                    .isInstanceOf(FerryException.class).hasMessageContaining("COPY … DB");
            assertThatThrownBy(() -> applier.apply(argv("SORT", "nums", "BY", "weight_*", "STORE", "sorted")))
                    .isInstanceOf(FerryException.class).hasMessageContaining("SORT … BY <pattern>");
            assertThat(cluster.call("LRANGE", "nums", "0", "-1").asText()).isEqualTo("[Bulk[3], Bulk[1], Bulk[2]]");
        }
    }

    /** The same data on both sides: every type, collections of thousands, expiries, a stream with a group. */
    private static void seed(RedisConnection standalone, ClusterHarness cluster) {
        List<Object[]> writes = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            writes.add(new Object[] {"SET", "s:" + i, "value " + i});
        }
        writes.add(variadic("RPUSH", "list:a", 3000, i -> "element " + i));
        writes.add(variadic("RPUSH", "list:b", 10, i -> "b" + i));
        writes.add(variadic("RPUSH", "list:c", 20, i -> "c" + i));
        writes.add(new Object[] {"RPUSH", "list:one", "only"});
        writes.add(variadic("RPUSH", "list:nums", 500, i -> Integer.toString((i * 7919) % 1000)));
        writes.add(variadic("SADD", "set:a", 2000, i -> "m" + i));
        writes.add(variadic("SADD", "set:b", 2000, i -> "m" + (i + 1000)));
        writes.add(new Object[] {"SADD", "set:c", "x", "y", "z"});
        writes.add(new Object[] {"SADD", "set:q", "q1", "q2"});
        writes.add(new Object[] {"SADD", "set:disjoint", "d1"});
        writes.add(scored("zset:a", 1000, 0, 1.5));
        writes.add(scored("zset:b", 1000, 500, 1));
        writes.add(variadic("HSET", "hash:h", 200, i -> i % 2 == 0 ? "field " + i / 2 : "value " + i));
        writes.add(variadic("PFADD", "hll:a", 1000, i -> "visitor " + i));
        writes.add(variadic("PFADD", "hll:b", 1000, i -> "visitor " + (i + 700)));
        writes.add(variadic("PFADD", "hll:dst", 10, i -> "old " + i));
        writes.add(new Object[] {"SET", "bits:a", "abc"});
        writes.add(new Object[] {"SET", "bits:b", "a much longer bit string"});
        writes.add(geo());
        writes.add(new Object[] {"XADD", "stream:x", "1-1", "f", "v1"});
        writes.add(new Object[] {"XADD", "stream:x", "2-1", "f", "v2"});
        writes.add(new Object[] {"SET", "dst:existing", "to be replaced"});
        for (String key : List.of("s:1", "s:5", "s:7", "s:10", "s:11", "hash:h", "set:b", "zset:a", "list:c", "stream:x")) {
            writes.add(new Object[] {"PEXPIREAT", key, EXPIRE_AT});
        }
        for (Object[] write : writes) {
            standalone.callChecked(write);
            cluster.call(write);
        }
        byte[] stream = "stream:x".getBytes(StandardCharsets.UTF_8);
        for (Object[] write : List.of(new Object[] {"XGROUP", "CREATE", "stream:x", "readers", "0"},
                new Object[] {"XREADGROUP", "GROUP", "readers", "alice", "COUNT", "1", "STREAMS", "stream:x", ">"})) {
            standalone.callChecked(write);
            cluster.connectionFor(stream).callChecked(write);
        }
    }

    /** Cross-slot commands in an order where later ones see what earlier ones did. */
    private static List<String[]> commands() {
        return List.of(
                cmd("MSET", "s:new1", "v1", "s:new2", "v2", "s:new3", "v3", "s:1", "overwritten, expiry gone"),
                cmd("MSETNX", "n:1", "a", "n:2", "b", "n:3", "c"),
                cmd("DEL", "s:2", "s:3", "missing:1", "list:b"),
                cmd("UNLINK", "s:4", "missing:2", "set:disjoint"),
                cmd("TOUCH", "s:5", "s:6", "missing:3"),
                cmd("RENAME", "hash:h", "hash:renamed"),
                cmd("RENAME", "list:a", "dst:existing"),
                cmd("RENAME", "stream:x", "stream:y"),
                cmd("RENAME", "missing:4", "anything"),
                cmd("RENAMENX", "s:7", "n:fresh"),
                cmd("RENAMENX", "s:8", "s:9"),
                cmd("COPY", "s:10", "copy:1"),
                cmd("COPY", "s:11", "s:12"),
                cmd("COPY", "zset:a", "s:12", "REPLACE"),
                cmd("SMOVE", "set:c", "set:a", "x"),
                cmd("SMOVE", "set:c", "set:a", "not a member"),
                cmd("SMOVE", "set:c", "set:new", "y"),
                cmd("LMOVE", "list:c", "list:d", "LEFT", "RIGHT"),
                cmd("RPOPLPUSH", "list:c", "list:d"),
                cmd("BLMOVE", "list:c", "list:e", "RIGHT", "LEFT", "0"),
                cmd("LMOVE", "list:one", "list:d", "LEFT", "LEFT"),
                cmd("LMOVE", "list:one", "list:d", "LEFT", "LEFT"),
                cmd("SUNIONSTORE", "u:dst", "set:a", "set:b", "missing:5"),
                cmd("SINTERSTORE", "i:dst", "set:a", "set:b"),
                cmd("SINTERSTORE", "s:13", "set:a", "set:q"),
                cmd("SDIFFSTORE", "d:dst", "set:b", "set:a", "set:c"),
                cmd("ZUNIONSTORE", "zu:dst", "3", "zset:a", "zset:b", "set:q", "WEIGHTS", "2", "0.5", "10", "AGGREGATE", "MAX"),
                cmd("ZINTERSTORE", "zi:dst", "2", "zset:a", "zset:b", "AGGREGATE", "MIN"),
                cmd("ZDIFFSTORE", "zd:dst", "2", "zset:a", "zset:b"),
                cmd("ZRANGESTORE", "zr:dst", "zset:b", "600", "900", "BYSCORE", "LIMIT", "5", "20"),
                cmd("ZRANGESTORE", "s:14", "zset:a", "1000000", "2000000", "BYSCORE"),
                cmd("PFMERGE", "hll:dst", "hll:a", "hll:b"),
                cmd("PFMERGE", "hll:new", "hll:a", "hll:b"),
                cmd("BITOP", "OR", "bits:or", "bits:a", "bits:b"),
                cmd("BITOP", "AND", "bits:and", "bits:a", "bits:b", "missing:6"),
                cmd("BITOP", "XOR", "bits:a", "bits:a", "bits:b"),
                cmd("BITOP", "NOT", "bits:not", "bits:b"),
                cmd("GEOSEARCHSTORE", "geo:near", "geo:g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC", "COUNT", "10",
                        "STOREDIST"),
                cmd("GEOSEARCHSTORE", "geo:box", "geo:g", "FROMMEMBER", "p3", "BYBOX", "400", "400", "km", "ASC"),
                cmd("SORT", "list:nums", "STORE", "sorted:1"),
                cmd("SORT", "set:a", "ALPHA", "DESC", "LIMIT", "0", "50", "STORE", "sorted:2"),
                cmd("SORT", "list:nums", "BY", "nosort", "GET", "#", "STORE", "sorted:3"),
                cmd("SUNIONSTORE", "we{ird}}dest{", "set:c", "set:new", "u:dst"));
    }

    private static String[] cmd(String... args) {
        return args;
    }

    private static Object[] variadic(String command, String key, int n, java.util.function.IntFunction<String> item) {
        Object[] args = new Object[n + 2];
        args[0] = command;
        args[1] = key;
        for (int i = 0; i < n; i++) {
            args[i + 2] = item.apply(i);
        }
        return args;
    }

    private static Object[] scored(String key, int n, int first, double step) {
        Object[] args = new Object[2 + 2 * n];
        args[0] = "ZADD";
        args[1] = key;
        for (int i = 0; i < n; i++) {
            args[2 + 2 * i] = Double.toString((first + i) * step);
            args[3 + 2 * i] = "z" + (first + i);
        }
        return args;
    }

    private static Object[] geo() {
        List<Object> args = new ArrayList<>(List.of("GEOADD", "geo:g"));
        for (int i = 0; i < 60; i++) {
            args.add(Double.toString(12 + (i % 10) * 0.5));
            args.add(Double.toString(35 + (i / 10) * 0.7));
            args.add("p" + i);
        }
        return args.toArray();
    }

    private static byte[][] argv(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return argv;
    }

    private static String describe(RespValue reply) {
        return reply.getClass().getSimpleName() + " " + reply.asText();
    }
}
