package dev.ferry.metrics;

import dev.ferry.FerryVersion;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.task.SyncTask;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The metrics of one Ferry process: one registry holding the JVM's metrics, {@code ferry_build_info} and the
 * {@code ferry_*} metrics of every task {@link #add added} (labels {@code task} and {@code shard}), so that a process
 * running many tasks serves them all from one {@code /metrics}. Thread-safe; {@link #close()} stops the thread that
 * reads the sources' replication offsets.
 */
public final class FerryMetrics implements AutoCloseable {

    /** How often each source master's replication offset is read, for {@code ferry_offset_lag_bytes}. */
    static final Duration OFFSET_POLL = Duration.ofSeconds(5);

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Tasks tasks = new Tasks();
    private final Supplier<List<MeteredTask>> all;
    private final SourceOffsets offsets;

    public FerryMetrics() {
        this(OFFSET_POLL, null);
    }

    /**
     * Metrics of the tasks {@code tasks} lists at each scrape (a server, whose tasks come and go), rather than of
     * tasks {@link #add added}; the supplier is called from the scraping and offset-polling threads.
     */
    public FerryMetrics(Supplier<List<MeteredTask>> tasks) {
        this(OFFSET_POLL, tasks);
    }

    FerryMetrics(Duration offsetPoll) {
        this(offsetPoll, null);
    }

    private FerryMetrics(Duration offsetPoll, Supplier<List<MeteredTask>> tasks) {
        this.all = tasks != null ? tasks : this.tasks::all;
        this.offsets = new SourceOffsets(this::sources, offsetPoll);
        JvmMetrics.builder().register(registry);
        registry.register(() -> GaugeSnapshot.builder().name("ferry_build_info")
                .help("The Ferry version this process runs (label version); always 1.")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(Labels.of("version", FerryVersion.current())).value(1).build())
                .build());
        registry.register(new TaskCollector(all, offsets));
    }

    /**
     * Exposes the gauges {@code gauges} returns at each scrape, each labelled {@code label=value}: what a process
     * knows of itself beside its tasks (a worker: the members of its group, the tasks it runs, whether it is ready).
     */
    public void addGauges(String label, String value, Supplier<List<ProcessGauge>> gauges) {
        Labels labels = Labels.of(label, value);
        registry.register(() -> {
            List<io.prometheus.metrics.model.snapshots.MetricSnapshot> snapshots = new ArrayList<>();
            for (ProcessGauge g : gauges.get()) {
                snapshots.add(GaugeSnapshot.builder().name(g.name()).help(g.help())
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(g.value()).build())
                        .build());
            }
            return new io.prometheus.metrics.model.snapshots.MetricSnapshots(snapshots);
        });
    }

    /** Exposes {@code task}'s metrics from now on. */
    public void add(MeteredTask task) {
        tasks.add(task);
    }

    /** Stops exposing {@code task}'s metrics (a task deleted from a server). */
    public void remove(MeteredTask task) {
        tasks.remove(task);
    }

    /** The registry, for an exporter. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** One scrape in the Prometheus text format (version 0.0.4), as {@code /metrics} serves it. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private List<RedisEndpoint> sources() {
        List<RedisEndpoint> sources = new ArrayList<>();
        for (MeteredTask task : all.get()) {
            for (SyncTask shard : task.shards().get()) {
                sources.add(shard.source());
            }
        }
        return sources;
    }

    @Override
    public void close() {
        offsets.close();
    }
}
