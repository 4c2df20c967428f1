package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.DataAssertions;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --max-bytes-per-sec} and {@code --max-ops-per-sec} hold the snapshot and the stream back (each can
 * take no less time than its limit allows) and lose nothing; the rates themselves are measured in bench/run.sh.
 */
class ThrottleIT {

    @Test
    void aByteLimitStretchesTheSnapshotAndAnOpsLimitTheStreamAndTheCopyIsExact() throws Exception {
        try (RedisServer source = RedisServer.builder().arg("--repl-backlog-size", "16mb").start();
             RedisServer target = RedisServer.builder().start();
             RedisConnection src = source.connect();
             RedisConnection dst = target.connect()) {
            src.callChecked("DEBUG", "POPULATE", "6000", "big", "1000");
            long rdbBytes = 6000L * 1000;
            String[] args = {"sync", "--quiet", "--max-bytes-per-sec", "2MiB,0", "--max-ops-per-sec", "0,500",
                    "--source", "redis://127.0.0.1:" + source.port(), "--target", "redis://127.0.0.1:" + target.port()};
            long started = System.nanoTime();
            try (FerryProcess ferry = FerryProcess.start(args)) {
                ferry.awaitLog("snapshot read", Duration.ofSeconds(60));
                double snapshotSeconds = (System.nanoTime() - started) / 1e9;
                assertThat(snapshotSeconds).as("6 MB at 2 MiB/s").isGreaterThan(0.8 * rdbBytes / (2 << 20));

                long streamStarted = System.nanoTime();
                for (int i = 0; i < 1500; i++) {
                    src.callChecked("INCR", "counter");
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!"1500".equals(dst.callChecked("GET", "counter").asText())) {
                    assertThat(System.nanoTime()).as("the stream arrives; log:\n%s", ferry.log()).isLessThan(deadline);
                    Thread.sleep(20);
                }
                double streamSeconds = (System.nanoTime() - streamStarted) / 1e9;
                assertThat(streamSeconds).as("1,500 commands at 500/s").isGreaterThan(0.8 * 1500 / 500);
                assertThat(ferry.terminate()).isZero();
            }
            DataAssertions.assertSameData(src, dst);
        }
    }
}
