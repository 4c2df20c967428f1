package dev.ferry.cli;

import dev.ferry.metrics.FerryMetrics;
import dev.ferry.metrics.MeteredTask;
import dev.ferry.metrics.MetricsServer;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --metrics-port} and {@code --metrics-host}: Prometheus metrics of the running task at
 * {@code http://HOST:PORT/metrics}. A picocli mixin; {@link #serve} starts the server on the calling thread.
 */
final class MetricsFlags {

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics (0: a free port, printed); off by default.")
    Integer port;

    @Option(names = "--metrics-host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address the metrics are served on (default 127.0.0.1, this machine only; 0.0.0.0: every interface).")
    String host;

    /** Refuses a port out of range before anything starts. */
    void check(CommandLine cli) {
        if (port != null && (port < 0 || port > 65535)) {
            throw new CommandLine.ParameterException(cli, "--metrics-port: " + port + " (expected: 0-65535)");
        }
    }

    /** Serves {@code task}'s metrics when {@code --metrics-port} was given (else does nothing) until closed. */
    Serving serve(CommandLine cli, MeteredTask task) {
        if (port == null) {
            return new Serving(null, null);
        }
        FerryMetrics metrics = new FerryMetrics();
        MetricsServer server;
        try {
            server = MetricsServer.start(host, port, metrics);
        } catch (RuntimeException e) {
            metrics.close();
            throw e;
        }
        metrics.add(task);
        String shown = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        cli.getErr().println("ferry: metrics at http://" + shown + ":" + server.port() + "/metrics");
        cli.getErr().flush();
        return new Serving(metrics, server);
    }

    /** The metrics being served, or nothing; {@link #close()} stops serving. */
    static final class Serving implements AutoCloseable {
        private final FerryMetrics metrics;
        private final MetricsServer server;

        private Serving(FerryMetrics metrics, MetricsServer server) {
            this.metrics = metrics;
            this.server = server;
        }

        @Override
        public void close() {
            if (server != null) {
                server.close();
                metrics.close();
            }
        }
    }
}
