package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.checkpoint.Checkpoint;
import dev.ferry.checkpoint.CheckpointStore;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.testing.DataAssertions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A write the target refuses inside a transaction (Redis still applies the transaction's other writes,
 * checkpoint included): the sync stops naming the write, a restart applies exactly that write again and
 * nothing else twice, and {@code --skip-refused} passes over it knowingly.
 */
class RefusedWriteIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void aRefusedWriteStopsTheSyncAndARestartRetriesItWithoutApplyingTheRestTwice() throws Exception {
        try (RedisServer source = server(); RedisServer target = server();
             RedisConnection src = source.connect(); RedisConnection tgt = target.connect()) {
            src.callChecked("RPUSH", "list", "a");
            FerryException failure = refuseOneWrite(source, target, src, tgt);
            assertThat(failure.getMessage()).contains("LPUSH").contains("WRONGTYPE")
                    .contains("the write after source offset").contains("--skip-refused");
            assertThat(failure.isRetriable()).isFalse();
            // The writes around the refused one were applied once, by the transaction that carried them.
            assertThat(tgt.callChecked("GET", "before").asText()).isEqualTo("1");
            assertThat(tgt.callChecked("GET", "after").asText()).isEqualTo("1");
            Checkpoint cp = new CheckpointStore(SyncTask.taskId(options(source, target).build())).load(tgt);
            assertThat(cp.hasRefusedWrite()).isTrue();

            // Still broken: the restart stops again on the same write instead of running on past it.
            try (SyncHarness again = SyncHarness.start(options(source, target).build())) {
                FerryException second = again.awaitEnd(TIMEOUT);
                assertThat(second).isNotNull();
                assertThat(second.getMessage()).contains("LPUSH").contains("WRONGTYPE");
            }
            assertThat(tgt.callChecked("GET", "before").asText()).isEqualTo("1");

            // Repaired on the target: the restart applies the refused write, then the later ones, each once.
            tgt.callChecked("DEL", "list");
            tgt.callChecked("RPUSH", "list", "a");
            try (SyncHarness resumed = SyncHarness.start(options(source, target).build())) {
                resumed.awaitStreaming(TIMEOUT);
                src.callChecked("INCR", "after");
                resumed.awaitCaughtUp(src, TIMEOUT);
                resumed.stop();
                assertThat(resumed.task.fullResyncs()).isZero();
            }
            DataAssertions.assertSameData(src, tgt, Set.of(0));
            assertThat(tgt.callChecked("LRANGE", "list", "0", "-1").toString()).contains("b").contains("a");
            assertThat(tgt.callChecked("GET", "after").asText()).isEqualTo("2");
        }
    }

    @Test
    void skipRefusedPassesOverTheRefusedWriteAndCountsIt() throws Exception {
        try (RedisServer source = server(); RedisServer target = server();
             RedisConnection src = source.connect(); RedisConnection tgt = target.connect()) {
            src.callChecked("RPUSH", "list", "a");
            refuseOneWrite(source, target, src, tgt);
            try (SyncHarness resumed = SyncHarness.start(options(source, target).skipRefused(true).build())) {
                resumed.awaitStreaming(TIMEOUT);
                src.callChecked("INCR", "after");
                resumed.awaitCaughtUp(src, TIMEOUT);
                resumed.stop();
                assertThat(resumed.task.counters().refusedSkipped.sum()).isEqualTo(1);
            }
            // The target keeps its own value of the refused key; every other write arrived once.
            assertThat(tgt.callChecked("TYPE", "list").asText()).isEqualTo("string");
            assertThat(tgt.callChecked("GET", "before").asText()).isEqualTo("1");
            assertThat(tgt.callChecked("GET", "after").asText()).isEqualTo("2");
            assertThat(new CheckpointStore(SyncTask.taskId(options(source, target).build())).load(tgt).hasRefusedWrite())
                    .isFalse();
        }
    }

    /**
     * Syncs, makes the target's copy of "list" a string, then writes on the source one transaction whose
     * LPUSH the target refuses with WRONGTYPE between two INCRs it applies; returns the sync's failure.
     */
    private static FerryException refuseOneWrite(RedisServer source, RedisServer target, RedisConnection src,
                                                  RedisConnection tgt) throws InterruptedException {
        try (SyncHarness sync = SyncHarness.start(options(source, target).build())) {
            sync.awaitStreaming(TIMEOUT);
            sync.awaitCaughtUp(src, TIMEOUT);
            tgt.callChecked("SET", "list", "diverged");
            List<RespValue> replies = src.pipeline(List.of(new Object[] {"MULTI"}, new Object[] {"INCR", "before"},
                    new Object[] {"LPUSH", "list", "b"}, new Object[] {"INCR", "after"}, new Object[] {"EXEC"}));
            assertThat(replies.get(4).isError()).isFalse();
            FerryException failure = sync.awaitEnd(TIMEOUT);
            assertThat(failure).as("the sync stops on the refused write").isNotNull();
            return failure;
        }
    }

    private static SyncOptions.Builder options(RedisServer source, RedisServer target) {
        return SyncOptions.builder(source.endpoint(), target.endpoint()).progressInterval(Duration.ZERO);
    }

    private static RedisServer server() {
        return RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
    }
}
