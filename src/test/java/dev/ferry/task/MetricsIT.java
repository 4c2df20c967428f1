package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.Exposition;
import dev.ferry.testing.IncrLoad;
import dev.ferry.testing.MonitoringFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ferry sync --metrics-port} in a process of its own, scraped over HTTP while it streams under a write load, each
 * scrape parsed by the exposition format's rules: the numbers move as the sync does, and every metric the shipped
 * dashboard and alert rules use is there.
 */
class MetricsIT {

    private static final Pattern SERVED = Pattern.compile("ferry: metrics at (http://127\\.0\\.0\\.1:\\d+/metrics)");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aStandaloneSyncUnderLoadExposesMovingMetricsAndEverythingTheDashboardAndAlertsUse() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect()) {
            for (int i = 0; i < 500; i++) {
                src.callChecked("SET", "k:" + i, "v" + i);
            }
            try (FerryProcess ferry = FerryProcess.start("sync", "--quiet", "--metrics-port", "0",
                    "--source", "redis://127.0.0.1:" + source.port(), "--target", "redis://127.0.0.1:" + target.port())) {
                URI metrics = metricsUri(ferry);
                awaitScrape(metrics, ferry, s -> streaming(s, 1));
                try (IncrLoad load = new IncrLoad(source, 2); RedisConnection dst = target.connect()) {
                    Map<String, Exposition.Family> first = awaitScrape(metrics, ferry, s ->
                            value(s, "ferry_writes_forwarded_total") > 0 && s.containsKey("ferry_offset_lag_bytes"));
                    double writes = value(first, "ferry_writes_forwarded_total");
                    Map<String, Exposition.Family> later = awaitScrape(metrics, ferry,
                            s -> value(s, "ferry_writes_forwarded_total") > writes);

                    assertThat(value(later, "ferry_full_resyncs_total")).isEqualTo(1);
                    assertThat(value(later, "ferry_partial_resyncs_total")).isZero();
                    assertThat(value(later, "ferry_retries_total")).isZero();
                    assertThat(value(later, "ferry_snapshot_keys_copied")).isEqualTo(500);
                    assertThat(value(later, "ferry_snapshot_keys_expected")).isEqualTo(500);
                    assertThat(value(later, "ferry_source_read_bytes_total")).isGreaterThan(value(later, "ferry_snapshot_bytes_copied"));
                    assertThat(later.get("ferry_lag_milliseconds").samples()).singleElement()
                            .satisfies(s -> assertThat(s.value()).isFinite().isBetween(0.0, 60_000.0));
                    assertThat(later.get("ferry_offset_lag_bytes").samples()).singleElement()
                            .satisfies(s -> assertThat(s.value()).isFinite().isGreaterThanOrEqualTo(0));
                    assertThat(later.get("ferry_shard_info").samples()).singleElement()
                            .satisfies(s -> assertThat(s.labels()).containsEntry("source", "127.0.0.1:" + source.port()));
                    assertThat(later.get("ferry_build_info").samples().get(0).labels().get("version")).isNotBlank()
                            .isNotEqualTo("unknown");
                    assertThat(MonitoringFiles.missingIn(later)).as("metrics the dashboard and alerts use").isEmpty();

                    String task = labelValues(later, "ferry_shard_info", "task").iterator().next();
                    assertThat(clientNames(source)).contains("ferry:" + task + ":link", "ferry:" + task + ":heartbeat",
                            "ferry:metrics");
                    assertThat(clientNames(target)).contains("ferry:" + task + ":writer");
                    load.stop();
                    long deadline = System.nanoTime() + WAIT.toNanos();
                    while (dst.callChecked("GET", "counter").asLong() != load.count()) {
                        assertThat(System.nanoTime()).as("the target gets every INCR; log:\n%s", ferry.log()).isLessThan(deadline);
                        Thread.sleep(20);
                    }
                    assertThat(ferry.terminate()).isZero();
                }
            }
        }
    }

    @Test
    void aClusterSourceHasOneShardPerMasterUnderOneTask() throws Exception {
        try (ClusterHarness source = ClusterHarness.start("7.0.15", 3);
             RedisServer target = RedisServer.builder().version("7.0.15").start()) {
            for (int i = 0; i < 300; i++) {
                source.call("SET", "k:" + i, "v" + i);
            }
            try (FerryProcess ferry = FerryProcess.start("sync", "--quiet", "--metrics-port", "0",
                    "--source", source.uri(), "--target", "redis://127.0.0.1:" + target.port())) {
                URI metrics = metricsUri(ferry);
                Map<String, Exposition.Family> first = awaitScrape(metrics, ferry, s -> streaming(s, 3));
                double writes = value(first, "ferry_writes_forwarded_total");
                for (int i = 0; i < 300; i++) {
                    source.call("INCR", "n:" + i);
                }
                Map<String, Exposition.Family> later = awaitScrape(metrics, ferry,
                        s -> value(s, "ferry_writes_forwarded_total") >= writes + 300);

                Set<String> tasks = labelValues(later, "ferry_shard_info", "task");
                assertThat(tasks).hasSize(1);
                assertThat(labelValues(later, "ferry_shard_info", "shard")).hasSize(3).doesNotContainAnyElementsOf(tasks);
                assertThat(labelValues(later, "ferry_shard_info", "source")).isEqualTo(source.masters().stream()
                        .map(m -> "127.0.0.1:" + m.port()).collect(Collectors.toSet()));
                assertThat(later.get("ferry_full_resyncs_total").samples()).hasSize(3).allSatisfy(s -> assertThat(s.value()).isEqualTo(1));
                assertThat(value(later, "ferry_snapshot_keys_copied")).isEqualTo(300);
                assertThat(later.get("ferry_lag_milliseconds").samples()).hasSize(3);
                assertThat(ferry.terminate()).isZero();
            }
        }
    }

    /** The names in {@code CLIENT LIST} of {@code server}, the asking connection's own left out. */
    private static List<String> clientNames(RedisServer server) {
        try (RedisConnection c = server.connect()) {
            c.callChecked("CLIENT", "SETNAME", "test");
            return c.callChecked("CLIENT", "LIST").asText().lines()
                    .map(line -> line.replaceAll("^.* name=(\\S*) .*$", "$1"))
                    .filter(name -> !name.equals("test")).toList();
        }
    }

    private static URI metricsUri(FerryProcess ferry) throws InterruptedException {
        ferry.awaitLog("ferry: metrics at http://", WAIT);
        Matcher m = SERVED.matcher(ferry.log());
        assertThat(m.find()).as(ferry.log()).isTrue();
        return URI.create(m.group(1));
    }

    /** Scrapes (each scrape parsed strictly) until {@code done} holds; fails with the last scrape after a minute. */
    private Map<String, Exposition.Family> awaitScrape(URI uri, FerryProcess ferry,
                                                      Predicate<Map<String, Exposition.Family>> done)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
            Map<String, Exposition.Family> scrape = Exposition.parse(r.body());
            if (done.test(scrape)) {
                return scrape;
            }
            if (System.nanoTime() > deadline || !ferry.isAlive()) {
                throw new AssertionError("the metrics never got there; last scrape:\n" + r.body() + "\nlog:\n" + ferry.log());
            }
            Thread.sleep(100);
        }
    }

    /** Whether {@code shards} shards are streaming. */
    private static boolean streaming(Map<String, Exposition.Family> scrape, int shards) {
        Exposition.Family state = scrape.get("ferry_task_state");
        return state != null && state.samples().stream()
                .filter(s -> s.value() == 1 && s.labels().get("state").equals("streaming")).count() == shards;
    }

    /** The sum of a family's samples, 0 when it has none. */
    private static double value(Map<String, Exposition.Family> scrape, String family) {
        Exposition.Family f = scrape.get(family);
        return f == null ? 0 : f.samples().stream().mapToDouble(Exposition.Sample::value).sum();
    }

    private static Set<String> labelValues(Map<String, Exposition.Family> scrape, String family, String label) {
        return scrape.get(family).samples().stream().map(s -> s.labels().get(label)).collect(Collectors.toSet());
    }

}
