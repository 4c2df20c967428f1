package dev.ferry.metrics;

/**
 * One gauge of the process itself rather than of a task (a worker's view of its group), as {@link
 * FerryMetrics#addGauges} reads it at each scrape. Immutable.
 */
public record ProcessGauge(String name, String help, double value) {
}
