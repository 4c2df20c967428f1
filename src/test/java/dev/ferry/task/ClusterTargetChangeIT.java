package dev.ferry.task;

import dev.ferry.checkpoint.CheckpointStore;
import dev.ferry.checkpoint.ControlKeys;
import dev.ferry.cluster.SlotHash;
import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.ServerInfo;
import dev.ferry.testing.ClusterData;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.StreamLoad;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The target cluster changes while Ferry streams into it under non-idempotent writes: slots migrated between
 * masters with their keys (the task's own checkpoint and lease among them), a master added and given slots,
 * a graceful failover, a master killed. The sync goes on by itself; every counter, list and string ends
 * exactly as on the source.
 */
class ClusterTargetChangeIT {

    private static final String VERSION = "7.0.15";
    private static final Duration SETTLE = Duration.ofSeconds(90);

    @Test
    void slotsMigratedAndAMasterAddedUnderLoadAreFollowedLiveWithoutAResync() throws Exception {
        try (RedisServer source = source();
             ClusterHarness target = ClusterHarness.start(VERSION, 3);
             RedisConnection src = source.connect();
             StreamLoad load = new StreamLoad(source, 11)) {
            String[] args = args(source, target);
            ControlKeys keys = controlKeys(args);
            try (FerryProcess ferry = FerryProcess.start(args)) {
                ferry.awaitCheckpoint(new CheckpointStore(keys), target.connectionFor(keys.checkpointBytes()), 0);
                load.awaitMore(2000, SETTLE);
                ServerInfo before = ServerInfo.fetch(src);

                // Slots holding the load's counters, and the one holding the task's checkpoint and lease, change owner.
                List<RedisServer> masters = target.masters();
                int controlSlot = SlotHash.slot(keys.checkpointBytes());
                Set<Integer> toSecond = slotsOf(target, masters.get(0), "c:", 300, 25);
                toSecond.add(controlSlot);
                RedisServer second = masters.get(1) == target.ownerOf(controlSlot) ? masters.get(2) : masters.get(1);
                target.migrateSlots(toSecond, second);
                toSecond.forEach(slot -> assertThat(target.ownerOf(slot)).as("owner of slot %s", slot).isSameAs(second));
                load.awaitMore(2000, SETTLE);

                RedisServer added = target.addNode(VERSION);
                Set<Integer> toAdded = slotsOf(target, masters.get(2), "l:", 100, 25);
                toAdded.add(controlSlot);
                target.migrateSlots(toAdded, added);
                toAdded.forEach(slot -> assertThat(target.ownerOf(slot)).as("owner of slot %s", slot).isSameAs(added));
                load.awaitMore(2000, SETTLE);
                load.stop();

                ferry.awaitSameData(src, target, SETTLE);
                // Each change is logged, once: the slots that moved and to where, and the lease following its slot.
                ferry.awaitLog("moved " + masters.get(0).endpoint().address() + " -> " + second.endpoint().address(), SETTLE);
                ferry.awaitLog(" -> " + added.endpoint().address() + ";", SETTLE);
                ferry.awaitLog("now lives on " + added.endpoint().address(), SETTLE);
                assertThat(ferry.log()).doesNotContain("retrying in").doesNotContain("WARN");
                ServerInfo after = ServerInfo.fetch(src);
                assertThat(after.getLong("sync_full", -1)).as("full resyncs").isEqualTo(before.getLong("sync_full", -1));
                assertThat(after.getLong("sync_partial_ok", -1)).as("partial resyncs: the stream never restarted")
                        .isEqualTo(before.getLong("sync_partial_ok", -1));
                assertThat(ferry.terminate()).as("exit code; log:\n%s", ferry.log()).isZero();
            }
        }
    }

    @Test
    void aGracefulFailoverAndAKilledMasterAreFollowedWithAPartialResyncAndNothingAppliedTwice() throws Exception {
        try (RedisServer source = source();
             ClusterHarness target = ClusterHarness.startWithReplicas(VERSION, 3, 1, 2000);
             RedisConnection src = source.connect();
             StreamLoad load = new StreamLoad(source, 12)) {
            String[] args = args(source, target);
            ControlKeys keys = controlKeys(args);
            RedisServer seed = target.nodes().get(0);
            try (FerryProcess ferry = FerryProcess.start(args)) {
                ferry.awaitCheckpoint(new CheckpointStore(keys), target.connectionFor(keys.checkpointBytes()), 0);
                load.awaitMore(2000, SETTLE);
                long fullBefore = ServerInfo.fetch(src).getLong("sync_full", -1);

                // The master holding the task's checkpoint and lease hands over to its replica (not the seed node).
                RedisServer controlMaster = target.ownerOf(SlotHash.slot(keys.checkpointBytes()));
                RedisServer handsOver = controlMaster != seed ? controlMaster
                        : target.masters().stream().filter(m -> m != seed).findFirst().orElseThrow();
                target.failover(target.replicasOf(handsOver).get(0));
                ferry.awaitLog("failed over", SETTLE);
                load.awaitMore(2000, SETTLE);

                // The node named on the command line dies; its replica takes over after the node timeout.
                target.killMaster(seed);
                load.awaitMore(2000, SETTLE);
                load.stop();

                ferry.awaitSameData(src, target, SETTLE);
                assertThat(ServerInfo.fetch(src).getLong("sync_full", -1)).as("full resyncs; log:\n%s", ferry.log())
                        .isEqualTo(fullBefore);
                assertThat(ferry.log()).as("the stream resumed where the target's checkpoints say")
                        .contains("continues the stream after offset").contains("no full resync");
                assertThat(ferry.terminate()).as("exit code; log:\n%s", ferry.log()).isZero();
            }
        }
    }

    @Test
    void aSnapshotCopiedWhileSlotsMigrateBackAndForthArrivesWhole() throws Exception {
        try (RedisServer source = source();
             ClusterHarness target = ClusterHarness.start(VERSION, 3);
             RedisConnection src = source.connect()) {
            SampleData.load(src, VERSION, SampleData.Options.builder().dbs(0).build());
            src.callChecked("DEBUG", "POPULATE", "60000", "pop", "32");
            List<RedisServer> masters = target.masters();
            Set<Integer> slots = slotsOf(target, masters.get(0), "pop:", 20_000, 30);
            AtomicBoolean copying = new AtomicBoolean(true);
            AtomicInteger moves = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread migrations = new Thread(() -> {
                try {
                    for (int i = 0; copying.get(); i++) {
                        target.migrateSlots(slots, masters.get(1 - i % 2));
                        moves.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "migrations");
            migrations.start();
            try (FerryProcess ferry = FerryProcess.start("sync", "--quiet", "--mode", "full", "--source",
                    "redis://127.0.0.1:" + source.port(), "--target", target.uri())) {
                assertThat(ferry.awaitExit(SETTLE)).as("exit code; log:\n%s", ferry.log()).isZero();
                copying.set(false);
                migrations.join();
                assertThat(failure.get()).as("the migrations").isNull();
                assertThat(moves.get()).as("slot moves completed while copying").isPositive();
                assertThat(ferry.log()).contains("target cluster changed");
            } finally {
                copying.set(false);
                migrations.join();
            }
            target.refreshTopology();
            ClusterData.assertSameData(src, target);
        }
    }

    private static RedisServer source() {
        return RedisServer.builder().version(VERSION).arg("--repl-diskless-sync-delay", "0")
                .arg("--repl-backlog-size", "64mb").start();
    }

    private static String[] args(RedisServer source, ClusterHarness target) {
        return new String[] {"sync", "--quiet", "--source", "redis://127.0.0.1:" + source.port(), "--target", target.uri()};
    }

    private static ControlKeys controlKeys(String[] args) {
        return ControlKeys.cluster(SyncTask.taskId(SyncOptions.builder(RedisEndpoint.parse(args[3]),
                RedisEndpoint.parse(args[5])).build()));
    }

    /** Up to {@code max} slots of keys {@code prefix}0 … {@code prefix}{@code count-1} that {@code owner} serves. */
    private static Set<Integer> slotsOf(ClusterHarness cluster, RedisServer owner, String prefix, int count, int max) {
        Set<Integer> slots = new TreeSet<>();
        for (int i = 0; i < count && slots.size() < max; i++) {
            int slot = SlotHash.slot((prefix + i).getBytes(StandardCharsets.UTF_8));
            if (cluster.ownerOf(slot) == owner) {
                slots.add(slot);
            }
        }
        assertThat(slots).as("slots of %s* on %s", prefix, owner).isNotEmpty();
        return slots;
    }
}
