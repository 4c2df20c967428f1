package dev.ferry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.cli.SyncDefinitions;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.BackgroundLoad;
import dev.ferry.testing.ClusterData;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.Exposition;
import dev.ferry.testing.MonitoringFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ferry server} against real servers (7.0.15): a standalone source and a 3-master cluster source from a YAML
 * file; the API creates, pauses, resumes, stops, restarts, verifies and deletes; the server itself restarts under
 * load; the token is required; no response carries a password.
 */
class ServerIT {

    private static final String SOURCE_PASSWORD = "src-Pw-0451";
    private static final String TARGET_PASSWORD = "tgt-Pw-7730";
    private static final String TOKEN = "token-3c1e9a";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    /** Every response body of the run, to look for passwords in. */
    private final List<String> bodies = new ArrayList<>();
    private FerryServer server;
    private ApiServer api;

    @Test
    void tasksFromAFileAndTheApiArePausedResumedAndSurviveARestartOfTheServer() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--requirepass", SOURCE_PASSWORD)
                     .arg("--repl-backlog-size", "64mb").start();
             RedisServer target = RedisServer.builder().version("7.0.15").arg("--requirepass", TARGET_PASSWORD).start();
             RedisServer clusterTarget = RedisServer.builder().version("7.0.15").start();
             RedisServer apiTarget = RedisServer.builder().version("7.0.15").start();
             ClusterHarness cluster = ClusterHarness.start(3, "--repl-backlog-size", "64mb", "--repl-diskless-sync-delay", "0");
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect();
             RedisConnection clusterTgt = clusterTarget.connect()) {
            for (int i = 0; i < 300; i++) {
                src.callChecked("SET", "k:" + i, "v" + i);
                cluster.call("HSET", "h:" + i, "f", Integer.toString(i));
            }
            Files.writeString(dir.resolve("source.pw"), SOURCE_PASSWORD + "\n");
            Files.writeString(dir.resolve("target.pw"), TARGET_PASSWORD + "\n");
            Path config = dir.resolve("ferry.yaml");
            Files.writeString(config, "tasks:\n"
                    + "  - name: standalone\n"
                    + "    source: redis://127.0.0.1:" + source.port() + "\n"
                    + "    source-password-file: " + dir.resolve("source.pw") + "\n"
                    + "    target: redis://127.0.0.1:" + target.port() + "\n"
                    + "    target-password-file: " + dir.resolve("target.pw") + "\n"
                    + "  - name: cluster\n"
                    + "    source: " + cluster.uri() + "\n"
                    + "    target: redis://127.0.0.1:" + clusterTarget.port() + "\n");
            startServer(config);

            // The token is required on every route.
            assertThat(call("GET", "/tasks", null, null).statusCode()).isEqualTo(401);
            assertThat(call("GET", "/openapi.json", null, "wrong").statusCode()).isEqualTo(401);
            assertThat(json(call("GET", "/openapi.json", null, TOKEN)).get("openapi").asText()).startsWith("3.");
            assertThat(json(call("GET", "/tasks", null, TOKEN)).get("tasks")).hasSize(2);
            assertThat(call("GET", "/tasks/standalone/pause", null, TOKEN).statusCode()).isEqualTo(405);
            assertThat(json(call("GET", "/tasks/nothing", null, TOKEN)).get("error").asText()).contains("no task named");
            awaitState("standalone", "streaming");
            awaitState("cluster", "streaming");
            assertMetricsOfBothTasks(source, cluster);

            // A failing precheck creates nothing and shows the table.
            HttpResponse<String> refused = call("POST", "/tasks", "{\"name\": \"unreachable\", \"source\":"
                    + " \"redis://127.0.0.1:1\", \"target\": \"redis://127.0.0.1:" + apiTarget.port() + "\"}", TOKEN);
            assertThat(refused.statusCode()).isEqualTo(422);
            assertThat(json(refused).get("precheck").findValuesAsText("status")).contains("fail");
            assertThat(call("GET", "/tasks/unreachable", null, TOKEN).statusCode()).isEqualTo(404);
            // An inline password is refused, and not echoed.
            HttpResponse<String> inline = call("POST", "/tasks", "{\"name\": \"inline\", \"source\": \"redis://:"
                    + SOURCE_PASSWORD + "@127.0.0.1:" + source.port() + "\", \"target\": \"redis://127.0.0.1:1\"}", TOKEN);
            assertThat(inline.statusCode()).isEqualTo(400);
            assertThat(json(inline).get("error").asText()).contains("source-password-env");

            // Created through the API, stopped, deleted.
            HttpResponse<String> created = call("POST", "/tasks", "{\"name\": \"copy\", \"source\": \"redis://127.0.0.1:"
                    + source.port() + "\", \"source-password-file\": \"" + dir.resolve("source.pw") + "\", \"target\":"
                    + " \"redis://127.0.0.1:" + apiTarget.port() + "\", \"mode\": \"full\"}", TOKEN);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            awaitState("copy", "finished");
            assertThat(call("POST", "/tasks/copy/stop", "", TOKEN).statusCode()).isEqualTo(202);
            assertThat(json(call("GET", "/tasks/copy", null, TOKEN)).get("state").asText()).isEqualTo("stopped");
            assertThat(call("DELETE", "/tasks/copy", null, TOKEN).statusCode()).isEqualTo(200);
            assertThat(call("GET", "/tasks/copy", null, TOKEN).statusCode()).isEqualTo(404);

            try (BackgroundLoad load = BackgroundLoad.onStandalone(source, 11, 0);
                 BackgroundLoad clusterLoad = BackgroundLoad.onCluster(cluster, 12)) {
                // Paused for 10 s under writes, then resumed: the stream continues (no full resync).
                assertThat(call("POST", "/tasks/standalone/pause", "", TOKEN).statusCode()).isEqualTo(202);
                assertThat(call("POST", "/tasks/cluster/pause", "", TOKEN).statusCode()).isEqualTo(202);
                awaitState("standalone", "paused");
                awaitState("cluster", "paused");
                long pausedAt = System.nanoTime();
                load.awaitMoreRounds(3, TIMEOUT);
                JsonNode covers = await("standalone", t -> t.get("backlogCovers").get("text").asText().startsWith("about"))
                        .get("backlogCovers");
                assertThat(covers.get("secondsLeft").asLong()).as(covers.toString()).isGreaterThan(10);
                while (System.nanoTime() - pausedAt < Duration.ofSeconds(10).toNanos()) {
                    assertThat(state("standalone")).isEqualTo("paused");
                    Thread.sleep(500);
                }
                assertThat(call("POST", "/tasks/standalone/resume", "", TOKEN).statusCode()).isEqualTo(202);
                assertThat(call("POST", "/tasks/cluster/resume", "", TOKEN).statusCode()).isEqualTo(202);
                awaitState("standalone", "streaming");
                awaitState("cluster", "streaming");
                assertPartialOnly("standalone", 1);
                assertPartialOnly("cluster", 3);
                assertThat(json(call("GET", "/tasks/standalone/events", null, TOKEN)).findValuesAsText("message"))
                        .contains("paused", "streaming");

                // The server process restarts under load: the tasks resume with partial resyncs.
                load.awaitMoreRounds(2, TIMEOUT);
                stopServer();
                load.awaitMoreRounds(2, TIMEOUT);
                startServer(config);
                awaitState("standalone", "streaming");
                awaitState("cluster", "streaming");
                assertPartialOnly("standalone", 1);
                assertPartialOnly("cluster", 3);
                load.awaitMoreRounds(2, TIMEOUT);
            }
            awaitSame(() -> DataAssertions.differences(src, tgt, Set.of(0)));
            awaitSame(() -> ClusterData.differences(clusterTgt, cluster));
            JsonNode verified = json(call("POST", "/tasks/standalone/verify", "", TOKEN));
            assertThat(verified.get("consistent").asBoolean()).as(verified.toString()).isTrue();

            // A restart with a fresh full sync copies everything again.
            assertThat(call("POST", "/tasks/standalone/restart", "", TOKEN).statusCode()).isEqualTo(202);
            awaitState("standalone", "streaming");
            JsonNode shard = json(call("GET", "/tasks/standalone", null, TOKEN)).get("shards").get(0);
            assertThat(shard.get("fullResyncs").asInt()).as(shard.toString()).isEqualTo(1);
            awaitSame(() -> DataAssertions.differences(src, tgt, Set.of(0)));
            stopServer();
        } finally {
            stopServer();
        }
        assertThat(bodies).hasSizeGreaterThan(20);
        assertThat(bodies).noneMatch(b -> b.contains(SOURCE_PASSWORD) || b.contains(TARGET_PASSWORD));
    }

    @Test
    void aStandaloneAClusterAndATwoWayPairFromAFileResumeWithPartialResyncsAfterARestartUnderLoad() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-backlog-size", "64mb").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisServer clusterTarget = RedisServer.builder().version("7.0.15").start();
             RedisServer a = RedisServer.builder().version("7.0.15").arg("--repl-backlog-size", "64mb").start();
             RedisServer b = RedisServer.builder().version("7.0.15").arg("--repl-backlog-size", "64mb").start();
             ClusterHarness cluster = ClusterHarness.start(3, "--repl-backlog-size", "64mb", "--repl-diskless-sync-delay", "0");
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect();
             RedisConnection clusterTgt = clusterTarget.connect();
             RedisConnection aConn = a.connect();
             RedisConnection bConn = b.connect()) {
            for (int i = 0; i < 200; i++) {
                src.callChecked("SET", "k:" + i, "v" + i);
                aConn.callChecked("SET", "a:" + i, "v" + i);
                cluster.call("HSET", "h:" + i, "f", Integer.toString(i));
            }
            // The file lists the reverse direction first: it waits, retrying, until the forward one streams.
            Path config = dir.resolve("ferry.yaml");
            Files.writeString(config, "tasks:\n"
                    + "  - {name: standalone, source: 'redis://127.0.0.1:" + source.port() + "', target: 'redis://127.0.0.1:"
                    + target.port() + "'}\n"
                    + "  - {name: cluster, source: '" + cluster.uri() + "', target: 'redis://127.0.0.1:" + clusterTarget.port()
                    + "'}\n"
                    + "  - {name: b-to-a, source: 'redis://127.0.0.1:" + b.port() + "', target: 'redis://127.0.0.1:"
                    + a.port() + "', two-way: true, mode: incremental}\n"
                    + "  - {name: a-to-b, source: 'redis://127.0.0.1:" + a.port() + "', target: 'redis://127.0.0.1:"
                    + b.port() + "', two-way: true}\n");
            startServer(config);
            List<String> tasks = List.of("standalone", "cluster", "a-to-b", "b-to-a");
            for (String task : tasks) {
                awaitState(task, "streaming");
            }
            assertThat(json(call("GET", "/tasks/b-to-a/events", null, TOKEN)).findValuesAsText("message"))
                    .anyMatch(m -> m.startsWith("two-way: the forward task") && m.contains("retrying every"));

            // Writes on both sides of the pair, in databases of their own (never the same key on both sides).
            try (BackgroundLoad load = BackgroundLoad.onStandalone(source, 21, 0);
                 BackgroundLoad clusterLoad = BackgroundLoad.onCluster(cluster, 22);
                 BackgroundLoad onA = BackgroundLoad.onStandalone(a, 23, 1);
                 BackgroundLoad onB = BackgroundLoad.onStandalone(b, 24, 2)) {
                onB.awaitMoreRounds(2, TIMEOUT);
                stopServer();
                load.awaitMoreRounds(2, TIMEOUT);
                onA.awaitMoreRounds(2, TIMEOUT);
                onB.awaitMoreRounds(2, TIMEOUT);
                startServer(config);
                for (String task : tasks) {
                    awaitState(task, "streaming");
                }
                assertPartialOnly("standalone", 1);
                assertPartialOnly("cluster", 3);
                assertPartialOnly("a-to-b", 1);
                assertPartialOnly("b-to-a", 1);
                onA.awaitMoreRounds(2, TIMEOUT);
                onB.awaitMoreRounds(2, TIMEOUT);
                clusterLoad.awaitMoreRounds(2, TIMEOUT);
            }
            awaitSame(() -> DataAssertions.differences(src, tgt, Set.of(0)));
            awaitSame(() -> ClusterData.differences(clusterTgt, cluster));
            awaitSame(() -> DataAssertions.differences(aConn, bConn, Set.of(0, 1, 2)));
            assertThat(bConn.callChecked("GET", "a:7").asText()).isEqualTo("v7");
            stopServer();
        } finally {
            stopServer();
        }
    }

    /** /metrics needs the token too, and holds both tasks' shards under their names, parsed strictly. */
    private void assertMetricsOfBothTasks(RedisServer source, ClusterHarness cluster) throws Exception {
        assertThat(scrape(null).statusCode()).isEqualTo(401);
        assertThat(scrape(TOKEN).headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        // The sources' offsets are read every 5 s: the offset lag shows up after the first read.
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Map<String, Exposition.Family> metrics = Exposition.parse(scrape(TOKEN).body());
        while (!MonitoringFiles.missingIn(metrics).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            metrics = Exposition.parse(scrape(TOKEN).body());
        }
        List<Exposition.Sample> shards = metrics.get("ferry_shard_info").samples();
        assertThat(shards.stream().map(s -> s.labels().get("task")).toList())
                .containsExactlyInAnyOrder("standalone", "cluster", "cluster", "cluster");
        Set<String> sources = new HashSet<>();
        cluster.masters().forEach(m -> sources.add("127.0.0.1:" + m.port()));
        sources.add("127.0.0.1:" + source.port());
        assertThat(shards.stream().map(s -> s.labels().get("source")).collect(Collectors.toSet())).isEqualTo(sources);
        assertThat(metrics.get("ferry_snapshot_keys_copied").samples().stream().mapToDouble(Exposition.Sample::value).sum())
                .isEqualTo(600);
        assertThat(metrics.get("ferry_task_state").samples().stream().filter(s -> s.value() == 1)
                .map(s -> s.labels().get("state")).toList()).containsOnly("streaming").hasSize(4);
        assertThat(MonitoringFiles.missingIn(metrics)).as("metrics the dashboard and alerts use").isEmpty();
    }

    private HttpResponse<String> scrape(String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/metrics"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        bodies.add(response.body());
        return response;
    }

    private void startServer(Path config) throws Exception {
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, TOKEN + "\n");
        SyncDefinitions planner = new SyncDefinitions();
        server = new FerryServer(new TaskStore(dir.resolve("data")), planner);
        server.start(ConfigFile.read(config));
        api = new ApiServer(server, planner, "127.0.0.1", 0, Files.readAllLines(tokenFile).get(0));
    }

    private void stopServer() {
        if (api != null) {
            api.close();
            api = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private void assertPartialOnly(String task, int shards) throws Exception {
        JsonNode detail = json(call("GET", "/tasks/" + task, null, TOKEN));
        assertThat(detail.get("shards")).as(detail.toString()).hasSize(shards);
        for (JsonNode shard : detail.get("shards")) {
            assertThat(shard.get("fullResyncs").asInt()).as(shard.toString()).isZero();
            assertThat(shard.get("partialResyncs").asInt()).as(shard.toString()).isEqualTo(1);
        }
    }

    private String state(String task) throws Exception {
        return json(call("GET", "/tasks/" + task, null, TOKEN)).get("state").asText();
    }

    private void awaitState(String task, String state) throws Exception {
        await(task, t -> {
            assertThat(t.get("state").asText()).as(t.toString()).isNotIn("failed", "precheck-failed");
            return t.get("state").asText().equals(state) && (!state.equals("streaming")
                    || t.get("shards").size() > 0 && t.get("shards").findValuesAsText("state").stream().allMatch(state::equals));
        });
    }

    private JsonNode await(String task, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            JsonNode t = json(call("GET", "/tasks/" + task, null, TOKEN));
            if (condition.test(t)) {
                return t;
            }
            assertThat(System.nanoTime()).as("waiting on task " + task + ": " + t).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private interface Differences {
        List<String> get() throws Exception;
    }

    private static void awaitSame(Differences differences) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> found;
        while (!(found = differences.get()).isEmpty()) {
            assertThat(System.nanoTime()).as("the same data; still: " + found).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/api/v1" + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        bodies.add(response.body());
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return response;
    }

    private JsonNode json(HttpResponse<String> response) throws Exception {
        return json.readTree(response.body());
    }
}
