package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.BackgroundLoad;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.SentinelProcess;
import dev.ferry.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Sentinel-managed master as the target ({@code redis-sentinel://host:port/<name>}): failed over with
 * {@code SENTINEL FAILOVER} while the source takes INCR, LPUSH, APPEND, XADD and more, the sync moves its writes to
 * the promoted replica without a restart and resumes there from the checkpoint that replica holds, every key exact;
 * and Sentinels with a password of their own, given in the environment or a file, never printed.
 */
class SentinelTargetIT {

    private static final String VERSION = "7.0.15";
    private static final String NAME = "ferrytarget";
    private static final String SENTINEL_SECRET = "Sentinel-Okapi-5521";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final Servers servers = new Servers();

    @Test
    void aSentinelFailoverOfTheTargetIsFollowedAndEveryKeyEndsExact() throws Exception {
        // A backlog that covers the writes the failover makes Ferry read again: the source continues the stream.
        RedisServer source = servers.start(VERSION, "--repl-backlog-size", "64mb");
        RedisServer master = servers.start(VERSION, "--repl-diskless-sync-delay", "0");
        RedisServer replica = servers.startReplicaOf(master, "--repl-diskless-sync-delay", "0");
        try (SentinelProcess sentinel = SentinelProcess.watch(master, NAME, 1);
             RedisConnection src = source.connect();
             BackgroundLoad load = BackgroundLoad.onStandalone(source, 11, 0)) {
            String uri = "redis-sentinel://" + sentinel.endpoint().address() + "/" + NAME;
            try (FerryProcess ferry = FerryProcess.start("sync", "--source", "redis://" + source.endpoint().address(),
                    "--target", uri)) {
                ferry.awaitLog("snapshot read", TIMEOUT);
                load.awaitMoreRounds(20, TIMEOUT);
                sentinel.failover(NAME, TIMEOUT);
                ferry.awaitLog("failed over to " + replica.endpoint().address(), TIMEOUT);
                ferry.awaitLog("is " + replica.endpoint().address() + " now, not " + master.endpoint().address(), TIMEOUT);
                load.awaitMoreRounds(20, TIMEOUT);
                load.stop();
                src.callChecked("SET", "written-last", "1");
                try (RedisConnection now = replica.connect()) {
                    long deadline = System.nanoTime() + TIMEOUT.toNanos();
                    while (now.callChecked("EXISTS", "written-last").asLong() == 0) {
                        assertThat(System.nanoTime()).as("the last write arrives on the new master; log:\n%s", ferry.log())
                                .isLessThan(deadline);
                        Thread.sleep(20);
                    }
                    DataAssertions.assertSameData(src, now);
                }
                String log = ferry.log();
                assertThat(log).as("resumed from the new master's checkpoint with PSYNC; log:\n%s", log)
                        .contains("resumed from checkpoint");
                assertThat(log.split("starts a full resync", -1)).as("one full resync, the first; log:\n%s", log).hasSize(2);
                assertThat(ferry.terminate()).isZero();
            }
        }
    }

    @Test
    void sentinelsWithAPasswordAreAskedWithTheOneFromTheEnvironmentOrAFileAndRefusedClearlyWithoutIt() throws Exception {
        RedisServer source = servers.start(VERSION);
        RedisServer master = servers.start(VERSION);
        try (SentinelProcess sentinel = SentinelProcess.watch(master, NAME, 0, SENTINEL_SECRET);
             RedisConnection src = source.connect();
             RedisConnection tgt = master.connect()) {
            src.callChecked("SET", "k1", "v1");
            src.callChecked("RPUSH", "k2", "a", "b");
            String sourceUri = "redis://" + source.endpoint().address();
            String uri = "redis-sentinel://" + sentinel.endpoint().address() + "/" + NAME;

            String without = run(Map.of(), 1, "sync", "--mode", "full", "--source", sourceUri, "--target", uri);
            assertThat(without).contains("FERRY_SENTINEL_PASSWORD").contains("require a password");
            assertThat(tgt.callChecked("DBSIZE").asLong()).isZero();

            Path wrong = Files.createTempFile("ferry-sentinel-password", ".txt");
            Files.writeString(wrong, "Wrong-Gazelle-1187\n");
            String refused = run(Map.of(), 1, "sync", "--mode", "full", "--sentinel-password-file", wrong.toString(),
                    "--source", sourceUri, "--target", uri);
            assertThat(refused).contains("refused the password").contains("--sentinel-password-file")
                    .doesNotContain("Wrong-Gazelle").doesNotContain("1187");

            String fromEnv = run(Map.of("FERRY_SENTINEL_PASSWORD", SENTINEL_SECRET), 0, "sync", "--mode", "full",
                    "--source", sourceUri, "--target", uri);
            DataAssertions.assertSameData(src, tgt);

            Path right = Files.createTempFile("ferry-sentinel-password", ".txt");
            Files.writeString(right, SENTINEL_SECRET + "\n");
            String fromFile = run(Map.of(), 0, "verify", "--sentinel-password-file", right.toString(),
                    "--source", sourceUri, "--target", uri);
            assertThat(fromFile).contains("result: consistent");
            for (String output : new String[] {without, fromEnv, fromFile}) {
                assertThat(output).doesNotContain(SENTINEL_SECRET).doesNotContain("Okapi").doesNotContain("5521");
            }
        }
    }

    private static String run(Map<String, String> env, int expectedExit, String... args) throws Exception {
        try (FerryProcess ferry = FerryProcess.start(env, args)) {
            int exit = ferry.awaitExit(TIMEOUT);
            assertThat(exit).as("exit code; output:\n%s", ferry.log()).isEqualTo(expectedExit);
            return ferry.log();
        }
    }
}
