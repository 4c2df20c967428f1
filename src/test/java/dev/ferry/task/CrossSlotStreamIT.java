package dev.ferry.task;

import dev.ferry.checkpoint.CheckpointStore;
import dev.ferry.checkpoint.ControlKeys;
import dev.ferry.checkpoint.SlotCheckpoints;
import dev.ferry.cluster.SlotHash;
import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.ServerInfo;
import dev.ferry.source.ReplicationOffset;
import dev.ferry.testing.ClusterData;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.CrossSlotLoad;
import dev.ferry.testing.Servers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A standalone source whose writes span slots (MSET, DEL, RENAME, SUNIONSTORE, LMOVE, PFMERGE, SMOVE, COPY…,
 * MULTI blocks and scripts over several slots) streamed into a 3-master cluster: split, emulated and applied per
 * slot, each counted once and shown, every key the same at the end (type, value, expiry), also across SIGKILLs.
 */
class CrossSlotStreamIT {

    private static final Pattern SUMMARY = Pattern.compile("ferry: sync stopped: .*across slots of the target: (.*)");
    private static final int KILLS = 6;

    static List<String> versions() {
        return Servers.versionsUnderTestFrom(6, 2);
    }

    @ParameterizedTest
    @MethodSource("versions")
    void crossSlotWritesOfAStandaloneSourceEndTheSameOnAClusterTargetEachCountedOnceAndShown(String version) throws Exception {
        try (RedisServer source = RedisServer.builder().version(version).arg("--repl-diskless-sync-delay", "0").start();
             ClusterHarness target = ClusterHarness.start(version, 3);
             RedisConnection src = source.connect()) {
            SampleData.load(src, version, SampleData.Options.builder().dbs(0).build());
            String[] args = args(source, target);
            try (FerryProcess ferry = FerryProcess.start(args)) {
                awaitStreaming(ferry, args, target);
                // Started once the stream is: every cross-slot command of the load comes through the stream.
                CrossSlotLoad load = new CrossSlotLoad(source, 11);
                try (load) {
                    awaitSteps(load, ferry, 1500);
                }
                load.stop();
                awaitCaughtUp(ferry, args, target, src);
                assertThat(ferry.terminate()).as("exit code after SIGTERM; log:\n%s", ferry.log()).isZero();

                String log = ferry.log();
                Map<String, Long> emulated = counts(log, "emulated");
                assertThat(load.crossSlotCommands()).as("the load wrote across slots")
                        .containsKeys("RENAME", "SUNIONSTORE", "LMOVE", "PFMERGE", "SMOVE", "COPY");
                assertThat(emulated).as("emulated once each; log:\n%s", log).containsAllEntriesOf(load.crossSlotCommands());
                assertThat(emulated).containsKeys("ZUNIONSTORE", "BITOP");
                assertThat(counts(log, "split")).containsKeys("MSET", "DEL");
                assertThat(summary(log)).containsPattern("\\d+ transactions applied per slot");
                for (String command : List.of("RENAME", "LMOVE", "SUNIONSTORE", "PFMERGE")) {
                    assertThat(occurrences(log, command + " with keys in several slots of the cluster target is emulated"))
                            .as("%s logged once", command).isEqualTo(1);
                }
                assertThat(occurrences(log, "a source transaction (MULTI/EXEC or a script's effects) with keys in several"
                        + " slots")).as("logged once").isEqualTo(1);
            }
            ClusterData.assertSameData(src, target);
        }
    }

    @ParameterizedTest
    @MethodSource("versions")
    void killedAtRandomMomentsOfACrossSlotLoadFerryAppliesEachWriteExactlyOnceWithoutAFullResync(String version)
            throws Exception {
        try (RedisServer source = RedisServer.builder().version(version).arg("--repl-diskless-sync-delay", "0")
                .arg("--repl-backlog-size", "64mb").start();
             ClusterHarness target = ClusterHarness.start(version, 3);
             RedisConnection src = source.connect()) {
            String[] args = args(source, target);
            Random random = new Random(20_261_130);
            try (FerryProcess ferry = FerryProcess.start(args)) {
                awaitStreaming(ferry, args, target);
                ferry.kill();
            }
            ServerInfo before = ServerInfo.fetch(src);
            try (CrossSlotLoad load = new CrossSlotLoad(source, 12)) {
                for (int i = 0; i < KILLS; i++) {
                    try (FerryProcess ferry = FerryProcess.start(args)) {
                        ferry.awaitLog("continues the stream", Duration.ofSeconds(60));
                        Thread.sleep(300 + random.nextInt(1500));
                        assertThat(ferry.isAlive()).as("ferry died by itself:\n%s", ferry.log()).isTrue();
                        ferry.kill();
                    }
                }
                load.stop();
                assertThat(load.steps()).as("the load ran").isGreaterThan(1000);
                try (FerryProcess ferry = FerryProcess.start(args)) {
                    ferry.awaitLog("continues the stream", Duration.ofSeconds(60));
                    awaitCaughtUp(ferry, args, target, src);
                    assertThat(ferry.terminate()).as("exit code after SIGTERM; log:\n%s", ferry.log()).isZero();
                }
            }
            ClusterData.assertSameData(src, target);
            ServerInfo after = ServerInfo.fetch(src);
            assertThat(after.getLong("sync_full", -1)).as("no full resync after the stream started")
                    .isEqualTo(before.getLong("sync_full", -1));
            assertThat(after.getLong("sync_partial_ok", -1) - before.getLong("sync_partial_ok", -1))
                    .as("partial resyncs").isEqualTo(KILLS + 1);
        }
    }

    @ParameterizedTest
    @MethodSource("versions")
    void aTaskStoppedBetweenTheTwoPartsOfAnLmoveAppliesOnlyTheSecondWithoutReadingAgain(String version) throws Exception {
        try (RedisServer source = RedisServer.builder().version(version).arg("--repl-diskless-sync-delay", "0").start();
             ClusterHarness target = ClusterHarness.start(version, 3);
             RedisConnection src = source.connect()) {
            src.callChecked("RPUSH", "{a}list", "1", "2", "3");
            src.callChecked("RPUSH", "{b}list", "x");
            String[] args = args(source, target);
            try (FerryProcess ferry = FerryProcess.start(args)) {
                awaitStreaming(ferry, args, target);
                assertThat(ferry.terminate()).isZero();
            }
            src.callChecked("LMOVE", "{a}list", "{b}list", "RIGHT", "LEFT");
            ServerInfo info = ServerInfo.fetch(src);
            ReplicationOffset afterMove = new ReplicationOffset(info.get("master_replid"), info.getLong("master_repl_offset", -1));
            // What a Ferry killed between the two parts leaves: the push, with its slot's checkpoint past the LMOVE.
            SlotCheckpoints slots = new SlotCheckpoints(SyncTask.taskId(SyncOptions.builder(RedisEndpoint.parse(args[3]),
                    RedisEndpoint.parse(args[5])).build()));
            RedisConnection b = target.connectionFor("{b}list".getBytes(StandardCharsets.UTF_8));
            b.callChecked("MULTI");
            b.callChecked("LPUSH", "{b}list", "3");
            b.callChecked("SET", slots.key(SlotHash.slot("{b}".getBytes(StandardCharsets.UTF_8))),
                    SlotCheckpoints.value(afterMove, 0));
            b.callChecked("EXEC");

            try (FerryProcess ferry = FerryProcess.start(args)) {
                awaitCaughtUp(ferry, args, target, src);
                assertThat(ferry.log()).contains("LMOVE at source offset").contains("1 of its 2 parts were applied");
                assertThat(ferry.terminate()).isZero();
            }
            assertThat(target.call("LRANGE", "{b}list", "0", "-1").asText()).as("pushed once")
                    .isEqualTo(src.callChecked("LRANGE", "{b}list", "0", "-1").asText());
            ClusterData.assertSameData(src, target);
        }
    }

    private static String[] args(RedisServer source, ClusterHarness target) {
        return new String[] {"sync", "--quiet", "--source", "redis://127.0.0.1:" + source.port(), "--target", target.uri()};
    }

    private static ControlKeys controlKeys(String[] args) {
        return ControlKeys.cluster(SyncTask.taskId(SyncOptions.builder(RedisEndpoint.parse(args[3]),
                RedisEndpoint.parse(args[5])).build()));
    }

    private static void awaitStreaming(FerryProcess ferry, String[] args, ClusterHarness target) throws InterruptedException {
        ControlKeys keys = controlKeys(args);
        ferry.awaitCheckpoint(new CheckpointStore(keys), target.connectionFor(keys.checkpointBytes()), 0);
    }

    /** Waits until the base checkpoint reaches the source's offset of now: every write before it is applied. */
    private static void awaitCaughtUp(FerryProcess ferry, String[] args, ClusterHarness target, RedisConnection src)
            throws InterruptedException {
        ControlKeys keys = controlKeys(args);
        ferry.awaitCheckpoint(new CheckpointStore(keys), target.connectionFor(keys.checkpointBytes()),
                ServerInfo.fetch(src).getLong("master_repl_offset", -1));
    }

    private static void awaitSteps(CrossSlotLoad load, FerryProcess ferry, long steps) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (load.steps() < steps) {
            assertThat(ferry.isAlive()).as("ferry died:\n%s", ferry.log()).isTrue();
            assertThat(System.currentTimeMillis()).as("the load is this slow").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** The counts after "split" or "emulated" in the final summary. */
    private static Map<String, Long> counts(String log, String kind) {
        Map<String, Long> counts = new TreeMap<>();
        for (String section : summary(log).split("; ")) {
            if (section.startsWith(kind + " ")) {
                Matcher m = Pattern.compile("([A-Z]+) (\\d+)").matcher(section.substring(kind.length()));
                while (m.find()) {
                    counts.put(m.group(1), Long.parseLong(m.group(2)));
                }
            }
        }
        return counts;
    }

    private static String summary(String log) {
        Matcher m = SUMMARY.matcher(log);
        return m.find() ? m.group(1).trim() : "";
    }

    private static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
