package dev.ferry.task;

import dev.ferry.checkpoint.CheckpointStore;
import dev.ferry.checkpoint.ControlKeys;
import dev.ferry.checkpoint.SlotCheckpoints;
import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.ServerInfo;
import dev.ferry.testing.ClusterData;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.StreamLoad;
import dev.ferry.verify.Verifier;
import dev.ferry.verify.VerifyMode;
import dev.ferry.verify.VerifyOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streaming into a Redis Cluster target (3 masters, stable slots), exactly once: writes split per slot and
 * applied in per-slot checkpointed transactions, SIGKILLs at random moments of streaming, a cluster source,
 * and a cross-slot command Ferry cannot apply.
 */
class ClusterStreamIT {

    private static final String VERSION = "7.0.15";
    private static final int KILLS = 10;

    @Test
    void killedAtRandomMomentsWhileStreamingIntoAClusterFerryAppliesEveryWriteExactlyOnce() throws Exception {
        try (RedisServer source = RedisServer.builder().version(VERSION).arg("--repl-diskless-sync-delay", "0")
                .arg("--repl-backlog-size", "64mb").start();
             ClusterHarness target = ClusterHarness.start(VERSION, 3);
             RedisConnection src = source.connect()) {
            SampleData.load(src, VERSION, SampleData.Options.builder().dbs(0).build());
            String[] args = {"sync", "--quiet", "--source", "redis://127.0.0.1:" + source.port(), "--target", target.uri()};
            String taskId = SyncTask.taskId(SyncOptions.builder(RedisEndpoint.parse(args[3]), RedisEndpoint.parse(args[5])).build());
            ControlKeys keys = ControlKeys.cluster(taskId);
            CheckpointStore base = new CheckpointStore(keys);
            RedisConnection baseHome = target.connectionFor(keys.checkpointBytes());
            Random random = new Random(20_261_129);

            try (StreamLoad load = new StreamLoad(source, 7)) {
                // One kill while the snapshot is being applied or just after.
                try (FerryProcess ferry = FerryProcess.start(args)) {
                    Thread.sleep(300 + random.nextInt(700));
                    ferry.kill();
                }
                try (FerryProcess ferry = FerryProcess.start(args)) {
                    ferry.awaitCheckpoint(base, baseHome, 0);
                    ferry.kill();
                }
                ServerInfo before = ServerInfo.fetch(src);
                long fullBefore = before.getLong("sync_full", -1);
                long partialBefore = before.getLong("sync_partial_ok", -1);
                for (int i = 0; i < KILLS; i++) {
                    try (FerryProcess ferry = FerryProcess.start(args)) {
                        ferry.awaitLog("continues the stream", Duration.ofSeconds(60));
                        Thread.sleep(random.nextInt(1500));
                        assertThat(ferry.isAlive()).as("ferry died by itself:\n%s", ferry.log()).isTrue();
                        ferry.kill();
                    }
                }
                load.stop();
                // A slot checkpoint the base covers (as left by an earlier run) is deleted when the task resumes.
                byte[] stale = new SlotCheckpoints(taskId).key(1234);
                target.call("SET", stale, SlotCheckpoints.value(base.load(baseHome).position(), 0));
                try (FerryProcess ferry = FerryProcess.start(args)) {
                    ferry.awaitLog("continues the stream", Duration.ofSeconds(60));
                    assertThat(target.call("EXISTS", stale).asLong()).as("stale slot checkpoint").isZero();
                    ferry.awaitCheckpoint(base, baseHome, ServerInfo.fetch(src).getLong("master_repl_offset", -1));
                    assertThat(ferry.terminate()).as("exit code after SIGTERM; log:\n%s", ferry.log()).isZero();
                }
                assertThat(load.ops()).as("the load ran").isGreaterThan(1000);
                ClusterData.assertSameData(src, target);
                ServerInfo after = ServerInfo.fetch(src);
                assertThat(after.getLong("sync_full", -1)).as("no full resync after the stream started").isEqualTo(fullBefore);
                assertThat(after.getLong("sync_partial_ok", -1) - partialBefore).as("partial resyncs").isEqualTo(KILLS + 1);
            }
        }
    }

    @Test
    void aClusterSourceStreamsIntoAClusterTargetExactly() throws Exception {
        try (ClusterHarness source = ClusterHarness.start(VERSION, 3);
             ClusterHarness target = ClusterHarness.start(VERSION, 3)) {
            for (int i = 0; i < 300; i++) {
                source.call("SET", "s:" + i, "v" + i);
            }
            try (FerryProcess ferry = FerryProcess.start("sync", "--quiet", "--source", source.uri(), "--target", target.uri())) {
                ferry.awaitLog("snapshot read", Duration.ofSeconds(60));
                Random random = new Random(3);
                for (int i = 0; i < 3000; i++) {
                    int n = random.nextInt(200);
                    source.call("INCR", "c:" + n);
                    source.call("LPUSH", "l:" + n % 50, Integer.toString(i));
                    source.call("APPEND", "a:" + n % 50, i + ";");
                }
                long deadline = System.currentTimeMillis() + 60_000;
                List<?> differences = differences(source, target);
                while (!differences.isEmpty() && System.currentTimeMillis() < deadline) {
                    assertThat(ferry.isAlive()).as("ferry died:\n%s", ferry.log()).isTrue();
                    Thread.sleep(100);
                    differences = differences(source, target);
                }
                assertThat(differences).as("log:\n%s", ferry.log()).isEmpty();
                assertThat(target.call("GET", "c:7").asText()).isNotNull();
            }
        }
    }

    @Test
    void aCommandThatCannotBeAppliedAcrossSlotsStopsTheSyncNamingIt() throws Exception {
        try (RedisServer source = RedisServer.builder().version(VERSION).start();
             ClusterHarness target = ClusterHarness.start(VERSION, 3);
             RedisConnection src = source.connect()) {
            src.callChecked("RPUSH", "{a}from", "3", "1", "2");
            String[] args = {"sync", "--quiet", "--retry-for", "0", "--source", "redis://127.0.0.1:" + source.port(),
                    "--target", target.uri()};
            try (FerryProcess ferry = FerryProcess.start(args)) {
                awaitStreaming(ferry, args, target);
                // Sorted by the weights of other keys, which a cluster cannot read together.
                src.callChecked("SORT", "{a}from", "BY", "weight_*", "STORE", "{b}to");

                assertThat(ferry.awaitExit(Duration.ofSeconds(60))).as(ferry.log()).isNotZero();
                assertThat(ferry.log()).contains("ferry: error: ").contains("SORT … BY <pattern>").contains("across slots")
                        .doesNotContain("\tat ");
            }
            assertThat(target.call("EXISTS", "{a}from").asLong()).as("the snapshot was applied").isEqualTo(1);
        }
    }

    @Test
    void aWriteRefusedInASlotTransactionIsAppliedAgainAloneOnceFixedOrPassedOverKnowingly() throws Exception {
        try (RedisServer source = RedisServer.builder().version(VERSION).start();
             ClusterHarness target = ClusterHarness.start(VERSION, 3);
             RedisConnection src = source.connect()) {
            src.callChecked("RPUSH", "{a}list", "a");
            String[] args = {"sync", "--quiet", "--retry-for", "0", "--source", "redis://127.0.0.1:" + source.port(),
                    "--target", target.uri()};
            try (FerryProcess ferry = FerryProcess.start(args)) {
                awaitStreaming(ferry, args, target);
                // The target's copy diverged: the LPUSH of the next transaction is refused, its INCRs are applied.
                target.call("SET", "{a}list", "diverged");
                src.callChecked("MULTI");
                src.callChecked("INCR", "{a}before");
                src.callChecked("LPUSH", "{a}list", "b");
                src.callChecked("INCR", "{a}after");
                src.callChecked("EXEC");
                assertThat(ferry.awaitExit(Duration.ofSeconds(60))).as(ferry.log()).isEqualTo(1);
                assertThat(ferry.log()).contains("WRONGTYPE").contains("in slot").contains("run the same command again")
                        .contains("--skip-refused");
            }
            assertThat(target.call("GET", "{a}after").asText()).isEqualTo("1");
            // Not fixed yet: the same command line applies the refused write again, alone, and is refused again.
            try (FerryProcess again = FerryProcess.start(args)) {
                assertThat(again.awaitExit(Duration.ofSeconds(60))).as(again.log()).isEqualTo(1);
                assertThat(again.log()).contains("applying it again").contains("WRONGTYPE");
            }
            // Fixed: the refused write is applied, and nothing else of that transaction a second time.
            target.call("DEL", "{a}list");
            target.call("RPUSH", "{a}list", "a");
            try (FerryProcess fixed = FerryProcess.start(args)) {
                fixed.awaitLog("applying it again", Duration.ofSeconds(60));
                src.callChecked("INCR", "{a}after");
                awaitValue(target, "{a}after", "2", fixed);
                assertThat(fixed.terminate()).isZero();
            }
            assertThat(target.call("LRANGE", "{a}list", "0", "-1").asText()).isEqualTo("[Bulk[b], Bulk[a]]");
            assertThat(target.call("GET", "{a}before").asText()).isEqualTo("1");

            // Refused again; this time passed over knowingly, and the stream goes on.
            target.call("SET", "{a}list", "diverged");
            src.callChecked("MULTI");
            src.callChecked("LPUSH", "{a}list", "c");
            src.callChecked("INCR", "{a}after");
            src.callChecked("EXEC");
            try (FerryProcess refused = FerryProcess.start(args)) {
                assertThat(refused.awaitExit(Duration.ofSeconds(60))).as(refused.log()).isEqualTo(1);
            }
            String[] skip = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--skip-refused"))
                    .toArray(String[]::new);
            try (FerryProcess resumed = FerryProcess.start(skip)) {
                resumed.awaitLog("--skip-refused: passing over", Duration.ofSeconds(60));
                src.callChecked("INCR", "{a}after");
                awaitValue(target, "{a}after", "4", resumed);
                assertThat(resumed.terminate()).isZero();
            }
            assertThat(target.call("GET", "{a}list").asText()).isEqualTo("diverged");
        }
    }

    private static void awaitValue(ClusterHarness target, String key, String value, FerryProcess ferry) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!value.equals(target.call("GET", key).asText())) {
            assertThat(System.currentTimeMillis()).as("%s reaches %s; log:\n%s", key, value, ferry.log()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Waits until the task a command line names has checkpointed the start of its stream in the target cluster. */
    private static void awaitStreaming(FerryProcess ferry, String[] args, ClusterHarness target) throws InterruptedException {
        String taskId = SyncTask.taskId(SyncOptions.builder(RedisEndpoint.parse(args[5]), RedisEndpoint.parse(args[7])).build());
        ControlKeys keys = ControlKeys.cluster(taskId);
        ferry.awaitCheckpoint(new CheckpointStore(keys), target.connectionFor(keys.checkpointBytes()), 0);
    }

    private static List<?> differences(ClusterHarness source, ClusterHarness target) {
        return Verifier.run(VerifyOptions.builder(source.endpoint(), target.endpoint()).mode(VerifyMode.FULL).rounds(1)
                .build()).differences();
    }
}
