/** Prometheus metrics of the tasks of this process: one registry, read at scrape time, served over HTTP. */
package dev.ferry.metrics;
