package dev.ferry.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metric families of one scrape, filled point by point: every family declared is exposed, with its help text,
 * even before it has a point. Used by one thread, then dropped.
 */
final class Families {

    private final Map<String, String> help = new LinkedHashMap<>();
    private final Map<String, List<GaugeSnapshot.GaugeDataPointSnapshot>> gauges = new LinkedHashMap<>();
    private final Map<String, List<CounterSnapshot.CounterDataPointSnapshot>> counters = new LinkedHashMap<>();

    /** Declares a gauge (its name as exposed). */
    Families gauge(String name, String text) {
        help.put(name, text);
        gauges.put(name, new ArrayList<>());
        return this;
    }

    /** Declares a counter; {@code name} is exposed with {@code _total} appended. */
    Families counter(String name, String text) {
        help.put(name, text);
        counters.put(name, new ArrayList<>());
        return this;
    }

    /** A point of a declared gauge. */
    void set(String name, Labels labels, double value) {
        List<GaugeSnapshot.GaugeDataPointSnapshot> points = gauges.get(name);
        if (points == null) {
            throw new IllegalArgumentException("gauge " + name + ": not declared");
        }
        points.add(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
    }

    /** A point of a declared counter. */
    void count(String name, Labels labels, double value) {
        List<CounterSnapshot.CounterDataPointSnapshot> points = counters.get(name);
        if (points == null) {
            throw new IllegalArgumentException("counter " + name + ": not declared");
        }
        points.add(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build());
    }

    MetricSnapshots build() {
        List<MetricSnapshot> all = new ArrayList<>();
        gauges.forEach((name, points) -> {
            GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help.get(name));
            points.forEach(b::dataPoint);
            all.add(b.build());
        });
        counters.forEach((name, points) -> {
            CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help.get(name));
            points.forEach(b::dataPoint);
            all.add(b.build());
        });
        return new MetricSnapshots(all);
    }
}
