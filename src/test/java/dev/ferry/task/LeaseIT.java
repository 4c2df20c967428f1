package dev.ferry.task;

import dev.ferry.checkpoint.CheckpointStore;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.ServerInfo;
import dev.ferry.testing.IncrLoad;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One process per task: a second process on a running task refuses to start, and a process frozen past
 * its lease (SIGSTOP) while another took over cannot apply a single write once it runs again (SIGCONT).
 * Both under a steady INCR load: the target's counter must equal the source's, exactly.
 */
class LeaseIT {

    @Test
    void aSecondProcessOnARunningTaskRefusesToStart() throws Exception {
        try (RedisServer source = source(); RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect(); RedisConnection tgt = target.connect();
             IncrLoad load = new IncrLoad(source, 5)) {
            String[] args = args(source, target);
            try (FerryProcess first = FerryProcess.start(args)) {
                first.awaitCheckpoint(store(args), tgt, 0);
                try (FerryProcess second = FerryProcess.start(args)) {
                    int exit = second.awaitExit(Duration.ofSeconds(30));
                    assertThat(exit).as("second process exit code; log:\n%s", second.log()).isEqualTo(1);
                    assertThat(second.log()).contains("is running on host").contains("pid")
                            .contains("a task runs in one process at a time");
                }
                load.stop();
                first.awaitCheckpoint(store(args), tgt, ServerInfo.fetch(src).getLong("master_repl_offset", -1));
                assertThat(first.terminate()).isZero();
            }
            assertThat(tgt.callChecked("GET", "counter").asText()).isEqualTo(Long.toString(load.count()));
        }
    }

    @Test
    void aProcessFrozenPastItsLeaseAppliesNothingOnceAnotherTookOver() throws Exception {
        try (RedisServer source = source(); RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect(); RedisConnection tgt = target.connect();
             IncrLoad load = new IncrLoad(source, 5)) {
            String[] args = args(source, target);
            try (FerryProcess frozen = FerryProcess.start(args)) {
                frozen.awaitCheckpoint(store(args), tgt, 0);
                frozen.signal("STOP");
                try (FerryProcess successor = FerryProcess.start(args)) {
                    // It waits for the frozen process's lease to expire, then continues the stream.
                    successor.awaitLog("continues the stream", Duration.ofSeconds(40));
                    long applied = Long.parseLong(tgt.callChecked("GET", "counter").asText());
                    assertThat(applied).isPositive();
                    // The frozen process wakes up with source writes in its socket buffer and tries to apply them.
                    frozen.signal("CONT");
                    int exit = frozen.awaitExit(Duration.ofSeconds(30));
                    assertThat(exit).as("exit code of the process that lost its lease; log:\n%s", frozen.log()).isEqualTo(1);
                    assertThat(frozen.log()).contains("took the task over");
                    load.stop();
                    successor.awaitCheckpoint(store(args), tgt, ServerInfo.fetch(src).getLong("master_repl_offset", -1));
                    assertThat(successor.terminate()).isZero();
                }
            }
            assertThat(tgt.callChecked("GET", "counter").asText()).as("every INCR applied exactly once")
                    .isEqualTo(Long.toString(load.count()));
        }
    }

    @Test
    void aTargetThatRefusesScriptsIsSyncedWithoutALease() throws Exception {
        try (RedisServer source = source();
             RedisServer target = RedisServer.builder().version("7.0.15").arg("--rename-command", "EVAL", "").start();
             RedisConnection src = source.connect(); RedisConnection tgt = target.connect()) {
            src.callChecked("SET", "k", "v");
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(Duration.ofSeconds(60));
                src.callChecked("INCR", "counter");
                sync.awaitCaughtUp(src, Duration.ofSeconds(60));
                sync.stop();
            }
            assertThat(tgt.callChecked("GET", "counter").asText()).isEqualTo("1");
            assertThat(tgt.callChecked("EXISTS", "__ferry:lease:" + SyncTask.taskId(options)).asLong()).isZero();
        }
    }

    private static RedisServer source() {
        return RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0")
                .arg("--repl-backlog-size", "64mb").start();
    }

    private static String[] args(RedisServer source, RedisServer target) {
        return new String[] {"sync", "--quiet", "--source", "redis://127.0.0.1:" + source.port(),
            "--target", "redis://127.0.0.1:" + target.port()};
    }

    private static CheckpointStore store(String[] args) {
        return new CheckpointStore(SyncTask.taskId(SyncOptions.builder(RedisEndpoint.parse(args[3]),
                RedisEndpoint.parse(args[5])).build()));
    }
}
