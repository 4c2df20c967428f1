package dev.ferry.metrics;

import dev.ferry.resp.RedisEndpoint;
import dev.ferry.task.SyncOptions;
import dev.ferry.task.SyncTask;
import dev.ferry.testing.Exposition;
import dev.ferry.testing.MonitoringFiles;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The metrics' names and labels, read from a task that has not run (no server needed), and the shipped rule files. */
class FerryMetricsTest {

    private static SyncTask task() {
        // Nothing listens on port 1: the offset poller finds nothing, and the task is never run.
        return new SyncTask(SyncOptions.builder(RedisEndpoint.of("127.0.0.1", 1), RedisEndpoint.of("127.0.0.1", 2)).build(),
                null);
    }

    @Test
    void everyFerryMetricIsPrefixedHasHelpAndCarriesTaskAndShardAndCountersEndInTotal() {
        SyncTask task = task();
        try (FerryMetrics metrics = new FerryMetrics()) {
            metrics.add(MeteredTask.of(task));
            Map<String, Exposition.Family> scrape = Exposition.parse(metrics.scrape());
            List<Exposition.Family> ferry = scrape.values().stream().filter(f -> f.name().startsWith("ferry_")).toList();
            assertThat(ferry).extracting(Exposition.Family::name).contains("ferry_writes_forwarded_total",
                    "ferry_full_resyncs_total", "ferry_task_state", "ferry_spool_bytes", "ferry_build_info");
            for (Exposition.Family f : ferry) {
                assertThat(f.help()).as(f.name()).isNotBlank();
                assertThat(f.type()).as(f.name()).isIn("counter", "gauge");
                assertThat(f.name().endsWith("_total")).as(f.name()).isEqualTo(f.type().equals("counter"));
                if (!f.name().equals("ferry_build_info")) {
                    assertThat(f.samples()).as(f.name()).allSatisfy(s -> assertThat(s.labels())
                            .containsEntry("task", task.id()).containsEntry("shard", task.id()));
                }
            }
            assertThat(scrape.get("ferry_task_state").samples()).filteredOn(s -> s.value() == 1)
                    .singleElement().satisfies(s -> assertThat(s.labels()).containsEntry("state", "created"));
            assertThat(scrape.get("ferry_task_state").samples()).extracting(s -> s.labels().get("state"))
                    .contains("streaming", "failed", "retrying", "precheck-failed");
            assertThat(scrape.keySet()).as("JVM metrics").contains("jvm_memory_used_bytes", "jvm_threads_current");
        }
    }

    @Test
    void aRemovedTaskLeavesTheScrape() {
        SyncTask task = task();
        try (FerryMetrics metrics = new FerryMetrics()) {
            MeteredTask metered = MeteredTask.of(task);
            metrics.add(metered);
            assertThat(Exposition.parse(metrics.scrape()).get("ferry_task_state").samples()).isNotEmpty();
            metrics.remove(metered);
            assertThat(Exposition.parse(metrics.scrape()).values()).flatExtracting(Exposition.Family::samples)
                    .noneMatch(s -> task.id().equals(s.labels().get("task")));
        }
    }

    @Test
    void theShippedDashboardAndAlertRulesParseAndTheAlertsSayWhatTheyWatch() throws Exception {
        assertThat(MonitoringFiles.dashboard()).containsKeys("title", "panels", "templating");
        List<Map<String, Object>> rules = MonitoringFiles.alertRules();
        assertThat(rules).extracting(r -> r.get("alert")).contains("FerryTaskFailed", "FerryLagHigh", "FerryFullResync",
                "FerrySpoolNearlyFull");
        for (Map<String, Object> rule : rules) {
            assertThat(rule).as(String.valueOf(rule.get("alert"))).containsKeys("expr", "labels", "annotations");
        }
        assertThat(rules).filteredOn(r -> "FerryLagHigh".equals(r.get("alert"))).singleElement()
                .satisfies(r -> assertThat(r.get("for")).isEqualTo("5m"));
        for (String expr : MonitoringFiles.expressions()) {
            assertThat(MonitoringFiles.selectors(expr)).as(expr).isNotEmpty();
        }
    }
}
