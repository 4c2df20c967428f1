package dev.ferry.task;

import dev.ferry.checkpoint.CheckpointStore;
import dev.ferry.checkpoint.ControlKeys;
import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.ServerInfo;
import dev.ferry.testing.ClusterHarness;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A source {@code FLUSHALL} or {@code FLUSHDB} while streaming into a cluster: the user keys of every master go,
 * as checkpointed per-slot {@code DEL}s, Ferry's own keys (lease, checkpoints) stay, and a {@code kill -9} right
 * after applies nothing twice.
 */
class ClusterFlushIT {

    private static final String VERSION = "7.0.15";

    @Test
    void aSourceFlushEmptiesEveryMasterOfTheTargetButFerrysOwnKeysAndSurvivesAKill() throws Exception {
        try (RedisServer source = RedisServer.builder().version(VERSION).arg("--repl-backlog-size", "64mb").start();
             ClusterHarness target = ClusterHarness.start(VERSION, 3);
             RedisConnection src = source.connect()) {
            SampleData.load(src, VERSION, SampleData.Options.builder().dbs(0).build());
            String[] args = {"sync", "--quiet", "--source", "redis://127.0.0.1:" + source.port(), "--target", target.uri()};
            ControlKeys keys = ControlKeys.cluster(SyncTask.taskId(SyncOptions.builder(RedisEndpoint.parse(args[3]),
                    RedisEndpoint.parse(args[5])).build()));
            RedisConnection home = target.connectionFor(keys.checkpointBytes());
            long fullBefore;
            try (FerryProcess ferry = FerryProcess.start(args)) {
                ferry.awaitCheckpoint(new CheckpointStore(keys), home, 0);
                fullBefore = ServerInfo.fetch(src).getLong("sync_full", -1);
                write(src, "before", 40);
                src.callChecked("FLUSHALL");
                write(src, "after", 40);
                ferry.awaitSameData(src, target, Duration.ofSeconds(60));
                assertThat(home.callChecked("EXISTS", keys.lease().getBytes(StandardCharsets.UTF_8)).asLong())
                        .as("the lease survives the flush").isEqualTo(1);
                // A flush, more writes, then SIGKILL before anything says the batch was acknowledged.
                src.callChecked("FLUSHDB");
                write(src, "again", 40);
                ferry.kill();
            }
            write(src, "later", 40);
            try (FerryProcess ferry = FerryProcess.start(args)) {
                ferry.awaitLog("continues the stream", Duration.ofSeconds(60));
                ferry.awaitSameData(src, target, Duration.ofSeconds(60));
                assertThat(ferry.terminate()).as("exit code; log:\n%s", ferry.log()).isZero();
            }
            assertThat(ServerInfo.fetch(src).getLong("sync_full", -1)).as("full resyncs").isEqualTo(fullBefore);
            assertThat(target.call("GET", "after:counter").asText()).isNull();
            assertThat(target.call("GET", "later:counter").asText()).isEqualTo("40");
        }
    }

    /** {@code count} INCRs of one counter and {@code count} keys over every slot, named after {@code prefix}. */
    private static void write(RedisConnection src, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            src.callChecked("INCR", prefix + ":counter");
            src.callChecked("RPUSH", prefix + ":" + i, "v" + i);
        }
    }
}
