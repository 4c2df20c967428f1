package dev.ferry.metrics;

import dev.ferry.FerryException;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;

import java.io.IOException;

/**
 * Serves {@link FerryMetrics} at {@code http://host:port/metrics} (the Prometheus text format) on the JDK's HTTP
 * server, from threads of its own, until {@link #close()}d.
 */
public final class MetricsServer implements AutoCloseable {

    private final HTTPServer server;

    private MetricsServer(HTTPServer server) {
        this.server = server;
    }

    /**
     * Starts serving; {@code port} 0 takes a free port ({@link #port()} tells which).
     *
     * @throws FerryException the address cannot be listened on (in use, not an address of this machine)
     */
    public static MetricsServer start(String host, int port, FerryMetrics metrics) {
        try {
            return new MetricsServer(HTTPServer.builder().hostname(host).port(port).registry(metrics.registry())
                    .buildAndStart());
        } catch (IOException | RuntimeException e) {
            throw new FerryException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage()
                    + " (give another --metrics-port, or --metrics-host)", e);
        }
    }

    /** The port listened on. */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
