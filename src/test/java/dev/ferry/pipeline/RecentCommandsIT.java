package dev.ferry.pipeline;

import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.VersionName;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.sink.TargetProfile;
import dev.ferry.task.SyncOptions;
import dev.ferry.task.SyncTask;
import dev.ferry.task.TaskState;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.Servers;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The translations of {@link RecentCommands} applied to real older targets: each ends in the state the command's
 * specification gives (Redis 8.2-8.6, no binary here), and the commands that Valkey 8.1.1 and 9.1.2 replicate
 * (observed live) leave a 7.0 target equal to the source.
 */
class RecentCommandsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final Servers servers = new Servers();

    static List<String> targets() {
        return Servers.versionsUnderTestFrom(6, 2);
    }

    static List<String> valkeySources() {
        return List.of("valkey-8.1.1", "valkey-9.1.2");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void xackdelAcknowledgesInItsGroupAndDeletesAsEachPolicySays(String version) {
        RedisServer server = servers.start(version);
        try (RedisConnection c = server.connect()) {
            CommandTranslator t = translator(version);
            for (String policy : List.of("KEEPREF", "DELREF", "ACKED")) {
                String s = "s-" + policy;
                twoGroupsReadEverything(c, s);
                c.callChecked("XACK", s, "g2", "2-1");
                apply(c, t, "XACKDEL", s, "g1", policy, "IDS", "3", "1-1", "2-1", "9-9");

                assertThat(pending(c, s, "g1")).as(policy).isEqualTo("3-1");
                // 1-1 is still pending in g2: only ACKED keeps it; DELREF also takes it off g2's list.
                assertThat(ids(c, s)).as(policy).isEqualTo(policy.equals("ACKED") ? "1-1 3-1" : "3-1");
                assertThat(pending(c, s, "g2")).as(policy).isEqualTo(policy.equals("DELREF") ? "3-1" : "1-1 3-1");
            }
            // An entry that a group has not been given yet is kept by ACKED; one not pending in the group is left alone.
            twoGroupsReadEverything(c, "late");
            c.callChecked("XADD", "late", "4-1", "f", "v");
            c.callChecked("XGROUP", "CREATE", "late", "g3", "3-1");
            c.callChecked("XREADGROUP", "GROUP", "g1", "a", "STREAMS", "late", ">");
            c.callChecked("XACK", "late", "g2", "1-1", "2-1", "3-1");
            apply(c, t, "XACKDEL", "late", "g1", "ACKED", "IDS", "2", "3-1", "4-1");
            apply(c, t, "XACKDEL", "late", "g2", "IDS", "1", "2-1");
            assertThat(ids(c, "late")).isEqualTo("1-1 2-1 4-1");
            assertThat(pending(c, "late", "g1")).isEqualTo("1-1 2-1");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void xdelexDeletesAsEachPolicySays(String version) {
        RedisServer server = servers.start(version);
        try (RedisConnection c = server.connect()) {
            CommandTranslator t = translator(version);
            for (String policy : List.of("KEEPREF", "DELREF", "ACKED")) {
                String s = "d-" + policy;
                twoGroupsReadEverything(c, s);
                c.callChecked("XACK", s, "g1", "2-1");
                c.callChecked("XACK", s, "g2", "2-1", "3-1");
                apply(c, t, "XDELEX", s, policy, "IDS", "2", "1-1", "2-1");

                assertThat(ids(c, s)).as(policy).isEqualTo(policy.equals("ACKED") ? "1-1 3-1" : "3-1");
                assertThat(pending(c, s, "g1")).as(policy).isEqualTo(policy.equals("DELREF") ? "3-1" : "1-1 3-1");
                assertThat(pending(c, s, "g2")).as(policy).isEqualTo(policy.equals("DELREF") ? "" : "1-1");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aDelrefTrimRemovesTheTrimmedEntriesFromEveryPendingList(String version) {
        RedisServer server = servers.start(version);
        try (RedisConnection c = server.connect()) {
            CommandTranslator t = translator(version);
            twoGroupsReadEverything(c, "t");
            apply(c, t, "XTRIM", "t", "MAXLEN", "=", "1", "DELREF");
            assertThat(ids(c, "t")).isEqualTo("3-1");
            assertThat(pending(c, "t", "g1")).isEqualTo("3-1");
            assertThat(pending(c, "t", "g2")).isEqualTo("3-1");

            twoGroupsReadEverything(c, "a");
            apply(c, t, "XADD", "a", "DELREF", "MAXLEN", "=", "2", "IDMP", "p", "i", "4-1", "f", "v");
            assertThat(ids(c, "a")).isEqualTo("3-1 4-1");
            assertThat(pending(c, "a", "g2")).isEqualTo("3-1");

            twoGroupsReadEverything(c, "m");
            apply(c, t, "XTRIM", "m", "MINID", "3", "DELREF");
            assertThat(ids(c, "m")).isEqualTo("3-1");
            assertThat(pending(c, "m", "g1")).isEqualTo("3-1");

            twoGroupsReadEverything(c, "k");
            apply(c, t, "XADD", "k", "KEEPREF", "MAXLEN", "=", "1", "4-1", "f", "v");
            assertThat(ids(c, "k")).isEqualTo("4-1");
            assertThat(pending(c, "k", "g1")).as("KEEPREF: the pending list keeps them").isEqualTo("1-1 2-1 3-1");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void theNewBitopOperationsGiveTheBitsTheirDefinitionsSay(String version) {
        RedisServer server = servers.start(version);
        try (RedisConnection c = server.connect()) {
            CommandTranslator t = translator(version);
            byte[] x = {(byte) 0b1111_0000, (byte) 0b1010_1010, 0x7f};
            byte[] y1 = {(byte) 0b1100_1100, (byte) 0xff};
            byte[] y2 = {(byte) 0b0000_0011};
            c.callChecked("SET", "{b}x", x);
            c.callChecked("SET", "{b}y1", y1);
            c.callChecked("SET", "{b}y2", y2);
            c.callChecked("SET", "{b}d", "old", "EX", "100");
            for (String op : List.of("DIFF", "DIFF1", "ANDOR", "ONE")) {
                apply(c, t, "BITOP", op, "{b}d", "{b}x", "{b}y1", "{b}y2", "{b}missing");
                byte[] expected = new byte[3];
                for (int i = 0; i < 3; i++) {
                    int a = at(x, i);
                    int any = at(y1, i) | at(y2, i);
                    expected[i] = (byte) switch (op) {
                        case "DIFF" -> a & ~any;
                        case "DIFF1" -> ~a & any;
                        case "ANDOR" -> a & any;
                        default -> (a ^ at(y1, i) ^ at(y2, i)) & ~((a & at(y1, i)) | (a & at(y2, i)) | (at(y1, i) & at(y2, i)));
                    };
                }
                assertThat(((RespValue.Bulk) c.callChecked("GET", "{b}d")).bytes()).as(op).containsExactly(expected);
                assertThat(c.callChecked("TTL", "{b}d").asLong()).as("BITOP drops the destination's TTL").isEqualTo(-1);
            }
            apply(c, t, "BITOP", "ONE", "{b}d", "{b}missing", "{b}nothing");
            assertThat(c.callChecked("EXISTS", "{b}d").asLong()).as("an empty result deletes the destination").isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void conditionalStringWritesArriveAsTheWritesTheyMade(String version) {
        RedisServer server = servers.start(version);
        try (RedisConnection c = server.connect()) {
            CommandTranslator t = translator(version);
            long at = System.currentTimeMillis() + 3_600_000;
            c.callChecked("SET", "{m}b", "old", "EX", "500");
            apply(c, t, "MSETEX", "2", "{m}a", "1", "{m}b", "2", "XX", "PXAT", Long.toString(at));
            assertThat(c.callChecked("MGET", "{m}a", "{m}b").toString()).contains("1").contains("2");
            assertThat(c.callChecked("PTTL", "{m}a").asLong()).isBetween(3_500_000L, 3_600_000L);
            apply(c, t, "MSETEX", "1", "{m}b", "3", "KEEPTTL");
            assertThat(c.callChecked("PTTL", "{m}b").asLong()).isBetween(3_500_000L, 3_600_000L);

            apply(c, t, "SET", "s", "w", "IFEQ", "v", "KEEPTTL");
            apply(c, t, "DELEX", "{m}a", "IFDEQ", "0123456789abcdef");
            assertThat(c.callChecked("GET", "s").asText()).isEqualTo("w");
            assertThat(c.callChecked("EXISTS", "{m}a").asLong()).isZero();
        }
    }

    @ParameterizedTest(name = "{0} -> 7.0.15")
    @MethodSource("valkeySources")
    void whatValkeyReplicatesForItsNewCommandsLeavesRedis70Equal(String name) throws Exception {
        RedisServer source = servers.start(name, "--repl-diskless-sync-delay", "0");
        RedisServer target = servers.start("7.0.15");
        SyncTask task = new SyncTask(SyncOptions.builder(source.endpoint(), target.endpoint())
                .progressInterval(Duration.ZERO).build(), null);
        Thread sync = new Thread(task::run, "sync-recent-" + name);
        boolean valkey9 = name.equals("valkey-9.1.2");
        try (RedisConnection src = source.connect(); RedisConnection tgt = target.connect()) {
            sync.start();
            await(task, () -> task.state() == TaskState.STREAMING);
            src.callChecked("SET", "s", "v");
            src.callChecked("SET", "s", "w", "IFEQ", "v");
            src.callChecked("SET", "s", "x", "IFEQ", "nope");
            src.callChecked("SET", "t", "v", "EX", "1000");
            src.callChecked("SET", "t", "w", "IFEQ", "v", "KEEPTTL");
            src.callChecked("SET", "u", "v");
            src.callChecked("SET", "u", "w", "IFEQ", "v", "EX", "500");
            if (valkey9) {
                src.callChecked("SET", "gone", "v");
                src.callChecked("DELIFEQ", "gone", "v");
                src.callChecked("DELIFEQ", "s", "nope");
                src.callChecked("HSET", "h", "a", "1", "b", "2", "c", "3");
                src.callChecked("HGETDEL", "h", "FIELDS", "2", "a", "zz");
                src.callChecked("HSETEX", "h", "FNX", "FIELDS", "1", "d", "4");
                src.callChecked("HSETEX", "h", "FXX", "KEEPTTL", "FIELDS", "1", "b", "5");
                src.callChecked("HGETEX", "h", "PERSIST", "FIELDS", "1", "b");
            }
            src.callChecked("SET", "written-last", "1");
            await(task, () -> tgt.callChecked("EXISTS", "written-last").asLong() == 1);

            DataAssertions.assertSameData(src, tgt, Set.of(0));
            assertThat(tgt.callChecked("GET", "s").asText()).isEqualTo("w");
            assertThat(tgt.callChecked("PTTL", "u").asLong()).isBetween(400_000L, 500_000L);
            if (valkey9) {
                assertThat(tgt.callChecked("EXISTS", "gone").asLong()).isZero();
                assertThat(tgt.callChecked("HGETALL", "h").toString()).doesNotContain("Bulk[a]").contains("Bulk[d]");
            }
        } finally {
            task.stop();
            sync.join(TIMEOUT.toMillis());
        }
        assertThat(task.failure()).isNull();
    }

    /** Stream {@code s}: entries 1-1, 2-1, 3-1, all delivered to groups g1 and g2, so pending in both. */
    private static void twoGroupsReadEverything(RedisConnection c, String s) {
        for (String id : List.of("1-1", "2-1", "3-1")) {
            c.callChecked("XADD", s, id, "f", "v");
        }
        for (String g : List.of("g1", "g2")) {
            c.callChecked("XGROUP", "CREATE", s, g, "0");
            c.callChecked("XREADGROUP", "GROUP", g, "alice", "STREAMS", s, ">");
        }
    }

    private static void apply(RedisConnection c, CommandTranslator t, String... command) {
        byte[][] argv = new byte[command.length][];
        for (int i = 0; i < command.length; i++) {
            argv[i] = command[i].getBytes(StandardCharsets.UTF_8);
        }
        byte[][] sent = t.mayTranslate(argv[0]) ? t.translate(command[0].toLowerCase(Locale.ROOT), argv) : argv;
        assertThat(sent).as("translated for the target").isNotSameAs(argv);
        c.callChecked((Object[]) sent);
    }

    private static String ids(RedisConnection c, String s) {
        return firsts((RespValue.Array) c.callChecked("XRANGE", s, "-", "+"));
    }

    private static String pending(RedisConnection c, String s, String group) {
        return firsts((RespValue.Array) c.callChecked("XPENDING", s, group, "-", "+", "100"));
    }

    private static String firsts(RespValue.Array rows) {
        return String.join(" ", rows.items().stream().map(r -> ((RespValue.Array) r).items().get(0).asText()).toList());
    }

    private static int at(byte[] b, int i) {
        return i < b.length ? b[i] & 0xff : 0;
    }

    private static CommandTranslator translator(String version) {
        return new CommandTranslator(new TargetProfile(VersionName.parse(version).version(), 512L << 20));
    }

    private static void await(SyncTask task, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(task.failure()).as("sync failure").isNull();
            assertThat(System.nanoTime()).as("within %s (sync %s)", TIMEOUT, task.state()).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
