package dev.ferry.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.IncrLoad;
import dev.ferry.testing.Servers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sources with an INCR load each, one target, and {@code ferry worker} processes sharing one task per source. Each
 * worker reaches the target (which is also the group's coordinator) through a proxy of its own, so that a test can
 * cut one worker off while the others go on. Not thread-safe: one test drives it.
 */
final class WorkerFleet implements AutoCloseable {

    private static final Pattern HTTP = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+) ");
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String VERSION = "7.0.15";

    final Duration leaseTtl;
    final List<RedisServer> sources = new ArrayList<>();
    final List<IncrLoad> loads = new ArrayList<>();
    final RedisServer target;
    private final Map<String, FerryProcess> workers = new LinkedHashMap<>();
    /** Earlier processes of workers started again under the same id: their logs count too. */
    private final List<Map.Entry<String, FerryProcess>> retired = new ArrayList<>();
    private final Map<String, FaultProxy> proxies = new HashMap<>();
    private final Map<String, Integer> ports = new HashMap<>();
    private final List<Path> files = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    WorkerFleet(Servers servers, int tasks, Duration leaseTtl) {
        this(servers, tasks, leaseTtl, true);
    }

    /**
     * @param incrLoads whether each source gets an {@link IncrLoad} of its own (else the caller loads them)
     * @param sourceArgs directives of every source ("--repl-backlog-size", "64mb")
     */
    WorkerFleet(Servers servers, int tasks, Duration leaseTtl, boolean incrLoads, String... sourceArgs) {
        this.leaseTtl = leaseTtl;
        this.target = servers.start(VERSION);
        for (int i = 0; i < tasks; i++) {
            RedisServer source = servers.start(VERSION, sourceArgs);
            sources.add(source);
            if (incrLoads) {
                loads.add(new IncrLoad(source, 2, "counter:" + i));
            }
        }
    }

    static String task(int i) {
        return "t" + i;
    }

    /** Starts worker {@code id}, its own proxy in front of the target, and waits until its API answers. */
    FerryProcess start(String id) throws IOException, InterruptedException {
        FerryProcess worker = launch(id);
        worker.awaitLog("/api/v1)", Duration.ofSeconds(30));
        assertThat(port(id)).as("the worker's address in its log").isPositive();
        awaitReadiness(id, 200, Duration.ofSeconds(30));
        return worker;
    }

    /** Waits until {@code id}'s /readyz answers {@code status} (200 once it joined its group, 503 while it cannot). */
    void awaitReadiness(String id, int status, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(id) + "/readyz"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (last == status) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("/readyz of " + id + " answered " + last + ", not " + status + ", within " + timeout
                + logs());
    }

    /**
     * Starts worker {@code id} (again, if it ran before: the earlier process's log is kept) and its proxy, without
     * waiting for its API: {@link #port} finds the API's port once the worker logged it.
     */
    FerryProcess launch(String id) throws IOException {
        FaultProxy proxy = proxies.get(id);
        if (proxy == null) {
            proxy = FaultProxy.to(target.port());
            proxies.put(id, proxy);
        }
        StringBuilder yaml = new StringBuilder("tasks:\n");
        for (int i = 0; i < sources.size(); i++) {
            yaml.append("  - name: ").append(task(i)).append('\n')
                    .append("    source: redis://127.0.0.1:").append(sources.get(i).port()).append('\n')
                    .append("    target: redis://127.0.0.1:").append(proxy.port()).append("\n")
                    // The tasks share the target, each with keys of its own: the others' keys are no reason to stop.
                    .append("    existing: overwrite\n");
        }
        Path config = Files.createTempFile("ferry-worker-" + id, ".yaml");
        Files.writeString(config, yaml);
        files.add(config);
        FerryProcess worker = FerryProcess.start("worker", "--config", config.toString(), "--port", "0", "--worker-id", id,
                "--lease-ttl", leaseTtl.toMillis() + "ms");
        FerryProcess earlier = workers.put(id, worker);
        if (earlier != null) {
            retired.add(Map.entry(id, earlier));
        }
        ports.remove(id);
        return worker;
    }

    /** The port of {@code id}'s API, or -1 while the worker has not logged it yet. */
    int port(String id) {
        Integer port = ports.get(id);
        if (port == null) {
            Matcher m = HTTP.matcher(workers.get(id).log());
            if (!m.find()) {
                return -1;
            }
            port = Integer.parseInt(m.group(1));
            ports.put(id, port);
        }
        return port;
    }

    /** The logs of every process that ran as worker {@code id}, the earliest first. */
    String allLogs(String id) {
        StringBuilder sb = new StringBuilder();
        retired.stream().filter(e -> e.getKey().equals(id)).forEach(e -> sb.append(e.getValue().log()));
        return sb.append(workers.get(id).log()).toString();
    }

    FerryProcess worker(String id) {
        return workers.get(id);
    }

    FaultProxy proxy(String id) {
        return proxies.get(id);
    }

    /** Every worker id started so far. */
    List<String> ids() {
        return List.copyOf(workers.keySet());
    }

    /** SIGKILL: no goodbye, no lease released. */
    void kill(String id) throws InterruptedException {
        workers.get(id).kill();
    }

    /** The group's tasks as {@code id}'s API lists them: name, state, worker, resyncs. */
    Map<String, JsonNode> tasks(String id) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(id)
                + "/api/v1/tasks")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET /api/v1/tasks of %s: %s", id, r.body()).isEqualTo(200);
        Map<String, JsonNode> tasks = new LinkedHashMap<>();
        for (JsonNode t : JSON.readTree(r.body()).get("tasks")) {
            tasks.put(t.get("name").asText(), t);
        }
        return tasks;
    }

    /** {@code id}'s /metrics, in the Prometheus text format. */
    String metrics(String id) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(id)
                + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** POSTs {@code action} (pause, resume, stop) for {@code task} to {@code id}'s API; returns the status code. */
    int post(String id, String task, String action) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(id)
                        + "/api/v1/tasks/" + task + "/" + action)).POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }

    /** Waits until {@code id}'s API shows the whole view satisfying {@code condition}; returns that view. */
    Map<String, JsonNode> await(String id, Duration timeout, Predicate<Map<String, JsonNode>> condition)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, JsonNode> view = Map.of();
        while (System.nanoTime() < deadline) {
            view = tasks(id);
            if (condition.test(view)) {
                return view;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("condition not met within " + timeout + ": " + view + logs());
    }

    /**
     * Waits until {@code id}'s API shows every task streaming and {@code placement} holds for the workers running
     * them; returns that view.
     */
    Map<String, JsonNode> awaitAllStreaming(String id, Duration timeout, Predicate<Map<String, JsonNode>> placement)
            throws IOException, InterruptedException {
        return await(id, timeout, view -> view.size() == sources.size()
                && view.values().stream().allMatch(t -> t.path("state").asText().equals("streaming"))
                && placement.test(view));
    }

    /** How many tasks each worker runs in {@code view}. */
    static Map<String, Integer> loads(Map<String, JsonNode> view) {
        Map<String, Integer> loads = new HashMap<>();
        view.values().forEach(t -> loads.merge(t.path("worker").asText(), 1, Integer::sum));
        return loads;
    }

    /** Stops the loads, then waits until each counter of the target equals its source's (nothing lost or doubled). */
    void stopLoadsAndAwaitExact(Duration timeout) throws InterruptedException {
        for (IncrLoad load : loads) {
            load.stop();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (RedisConnection tgt = target.connect()) {
            List<String> differences = differences(tgt);
            while (!differences.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
                differences = differences(tgt);
            }
            assertThat(differences).as("counters that differ" + logs()).isEmpty();
        }
    }

    private List<String> differences(RedisConnection tgt) {
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            long applied = tgt.callChecked("GET", "counter:" + i) instanceof dev.ferry.resp.RespValue.Bulk b
                    ? Long.parseLong(b.asText()) : 0;
            if (applied != loads.get(i).count()) {
                differences.add("counter:" + i + " " + applied + " on the target, " + loads.get(i).count() + " INCRs");
            }
        }
        return differences;
    }

    String fullLogs() {
        StringBuilder sb = new StringBuilder();
        retired.forEach(e -> sb.append("\n--- worker ").append(e.getKey()).append(" (earlier process) ---\n")
                .append(e.getValue().log()));
        workers.forEach((id, w) -> sb.append("\n--- worker ").append(id).append(" ---\n").append(w.log()));
        return sb.toString();
    }

    String logs() {
        StringBuilder sb = new StringBuilder();
        workers.forEach((id, w) -> sb.append("\n--- worker ").append(id).append(" ---\n").append(tail(w.log())));
        return sb.toString();
    }

    private static String tail(String log) {
        return log.length() > 6000 ? log.substring(log.length() - 6000) : log;
    }

    @Override
    public void close() throws Exception {
        for (IncrLoad load : loads) {
            load.stop();
        }
        workers.values().forEach(FerryProcess::close);
        retired.forEach(e -> e.getValue().close());
        proxies.values().forEach(FaultProxy::close);
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
    }
}
