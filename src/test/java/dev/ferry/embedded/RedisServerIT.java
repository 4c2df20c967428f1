package dev.ferry.embedded;

import dev.ferry.FerryException;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.MixedWorkload;
import dev.ferry.testing.Servers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class RedisServerIT {

    private static final Set<Integer> DBS = Set.of(0, 1, 5);

    @RegisterExtension
    static final Servers servers = new Servers();

    static List<String> versions() {
        return Servers.versionsUnderTest();
    }

    @ParameterizedTest(name = "redis {0}")
    @MethodSource("versions")
    void sampleDataAndWorkloadReplicateAndEveryKindOfChangeIsReported(String version) {
        // 7.0 syncs replicas disklessly by default, after waiting 5 s for more replicas to come.
        RedisServer master = servers.start(version, "--repl-diskless-sync-delay", "0");
        assertThat(master.version()).isEqualTo(version);
        ServerInfo.Version v = master.parsedVersion();
        try (RedisConnection m = master.connect()) {
            assertThat(m.callChecked("PING").asText()).isEqualTo("PONG");

            SampleData.Summary summary = SampleData.load(m, version);
            assertKeyCounts(m, summary);
            assertExpiries(m, summary, v.atLeast(7, 0));
            Map<String, Integer> ran = MixedWorkload.builder(m, version).seed(7).dbs(0, 1, 5).build().run(3000);
            assertThat(ran.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(3000);
            assertThat(ran).containsKeys("SET", "RPUSH", "MULTI", "EVAL", "SELECT", "RENAME");
            if (v.atLeast(5, 0)) {
                assertThat(ran).containsKeys("XADD", "XREADGROUP");
            }

            RedisServer replica = servers.startReplicaOf(master);
            try (RedisConnection r = replica.connect()) {
                DataAssertions.assertSameData(m, r, DBS);

                // The replica becomes a master of its own, and diverges in every way the assertion must see.
                r.callChecked("SLAVEOF", "NO", "ONE");
                r.callChecked("SET", "__ferry:checkpoint", "ignored");
                r.callChecked("SELECT", "1");
                r.callChecked("LSET", "list:large", "17", "changed");
                r.callChecked("ZADD", "zset:special", "0.2", "tenth");
                r.callChecked("SET", new byte[] {'b', 'i', 'n', 0, 'k', 'e', 'y'}, "changed");
                r.callChecked("SELECT", "0");
                r.callChecked("PEXPIREAT", "ttl:string", SampleData.EXPIRY_BASE_MILLIS + 99_000);
                r.callChecked("SELECT", "5");
                r.callChecked("DEL", "hash:small");
                r.callChecked("SET", "extra", "x");
                if (v.atLeast(5, 0)) {
                    r.callChecked("XGROUP", "SETID", "stream:events", "workers", "0");
                }

                AssertionError error = catchThrowableOfType(AssertionError.class, () -> DataAssertions.assertSameData(m, r, DBS));

                assertThat(error).as("differences found").isNotNull();
                assertThat(error.getMessage())
                        .contains("db 1 \"list:large\": list differs at item 17 (5000 items): source \"element-17-")
                        .contains(", target \"changed\"")
                        .contains("db 1 \"zset:special\": zset differs")
                        .contains("db 1 \"bin\\x00key\": string differs at item 0 (1 items): source \"nul in name\", target \"changed\"")
                        .contains("db 0 \"ttl:string\": expiry differs")
                        .contains("db 5 \"hash:small\": missing on target (source has a hash)")
                        .contains("db 5 \"extra\": only on target (a string)")
                        .doesNotContain("__ferry");
                if (v.atLeast(5, 0)) {
                    assertThat(error).as("differences found").isNotNull();
                assertThat(error.getMessage()).contains("db 5 \"stream:events\": stream differs");
                }
            }
        }
    }

    @Test
    void bigKeyExceedsTheRequestedSize() {
        String version = latestVersion();
        RedisServer server = servers.start(version);
        try (RedisConnection conn = server.connect()) {
            SampleData.Options options = SampleData.Options.builder().dbs(0).largeSize(600).bigKey(2 << 20).build();
            SampleData.Summary summary = SampleData.load(conn, version, options);

            RespValue dump = conn.callChecked("DUMP", summary.bigKey());
            assertThat(((RespValue.Bulk) dump).bytes().length).isGreaterThan(2 << 20);
        }
    }

    @Test
    void serverWithPasswordIsReachedThroughItsEndpoint() {
        RedisServer server = servers.start(latestVersion(), "--requirepass", "s3cret", "--maxmemory", "64mb");
        try (RedisConnection conn = server.connect()) {
            assertThat(conn.callChecked("PING").asText()).isEqualTo("PONG");
            assertThat(conn.callChecked("CONFIG", "GET", "maxmemory").asText()).contains("67108864");
        }
        try (RedisConnection anonymous = RedisConnection.open(RedisEndpoint.of("127.0.0.1", server.port()))) {
            assertThat(anonymous.call("PING").asText()).startsWith("NOAUTH");
        }
    }

    @Test
    void failedStartQuotesTheServerLog() {
        assertThatThrownBy(() -> servers.start(latestVersion(), "--maxmemory", "lots"))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("exited with code 1 while starting")
                .hasMessageContaining("maxmemory");
    }

    @Test
    void stopShutsTheServerDownAndDeletesItsDirectory() {
        RedisServer server = servers.start(latestVersion());
        server.stop();
        assertThat(server.isRunning()).isFalse();
        assertThat(server.workDir()).doesNotExist();
        server.stop();
    }

    @Test
    void classpathBinaryIsExtractedOnceEvenByConcurrentCallers(@TempDir Path cache) throws Exception {
        RedisBinaries binaries = new RedisBinaries(null, getClass().getClassLoader(), cache, null);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Path>> found = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                found.add(pool.submit(() -> binaries.find(RedisBinaries.DEFAULT_VERSION)));
            }
            for (Future<Path> f : found) {
                assertThat(f.get()).isEqualTo(found.get(0).get());
            }
        } finally {
            pool.shutdownNow();
        }
        Path binary = binaries.find(RedisBinaries.DEFAULT_VERSION);
        assertThat(binary.getParent()).isEqualTo(cache);
        assertThat(RedisBinaries.versionOf(binary)).isEqualTo(RedisBinaries.DEFAULT_VERSION);
    }

    private static String latestVersion() {
        List<String> versions = Servers.versionsUnderTest();
        return versions.get(versions.size() - 1);
    }

    private static void assertKeyCounts(RedisConnection conn, SampleData.Summary summary) {
        assertThat(summary.keysPerDb().keySet()).containsExactly(0, 1, 5);
        for (Map.Entry<Integer, Integer> e : summary.keysPerDb().entrySet()) {
            conn.callChecked("SELECT", e.getKey());
            assertThat(conn.callChecked("DBSIZE").asLong()).as("keys in db %d", e.getKey()).isEqualTo(e.getValue().longValue());
        }
        conn.callChecked("SELECT", "0");
    }

    private static void assertExpiries(RedisConnection conn, SampleData.Summary summary, boolean exact) {
        assertThat(summary.expiries()).hasSizeGreaterThanOrEqualTo(5 * summary.keysPerDb().size());
        for (SampleData.Expiry expiry : summary.expiries()) {
            conn.callChecked("SELECT", expiry.db());
            if (exact) {
                assertThat(conn.callChecked("PEXPIRETIME", expiry.key()).asLong()).isEqualTo(expiry.unixTimeMillis());
            } else {
                long remaining = expiry.unixTimeMillis() - System.currentTimeMillis();
                assertThat(conn.callChecked("PTTL", expiry.key()).asLong()).isBetween(remaining - 2000, remaining + 10);
            }
        }
        conn.callChecked("SELECT", "0");
    }
}
