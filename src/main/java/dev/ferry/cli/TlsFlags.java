package dev.ferry.cli;

import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.Tls;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS settings for the sides named {@code rediss://}: {@code --tls-ca-cert}, {@code --tls-cert}, {@code --tls-key}
 * for both, {@code --source-tls-…} / {@code --target-tls-…} where a side differs, and {@code --tls-insecure}.
 * A TLS option for a side named {@code redis://} is refused rather than ignored (the user meant TLS). A picocli
 * mixin; stateless once parsed.
 */
final class TlsFlags {

    private static final Logger log = LoggerFactory.getLogger(TlsFlags.class);

    @Option(names = "--tls-ca-cert", paramLabel = "FILE",
            description = "PEM file of the certificate authorities to trust for rediss:// (default: the JVM's).")
    Path caCert;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM client certificate, for servers that require one.")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of --tls-cert (PKCS#8, or PKCS#1 RSA).")
    Path key;

    @Option(names = "--source-tls-ca-cert", paramLabel = "FILE", description = "As --tls-ca-cert, for the source only.")
    Path sourceCaCert;

    @Option(names = "--source-tls-cert", paramLabel = "FILE", description = "As --tls-cert, for the source only.")
    Path sourceCert;

    @Option(names = "--source-tls-key", paramLabel = "FILE", description = "As --tls-key, for the source only.")
    Path sourceKey;

    @Option(names = "--target-tls-ca-cert", paramLabel = "FILE", description = "As --tls-ca-cert, for the target only.")
    Path targetCaCert;

    @Option(names = "--target-tls-cert", paramLabel = "FILE", description = "As --tls-cert, for the target only.")
    Path targetCert;

    @Option(names = "--target-tls-key", paramLabel = "FILE", description = "As --tls-key, for the target only.")
    Path targetKey;

    @Option(names = "--tls-insecure", description = "Do not verify TLS servers' certificates and host names (not for production).")
    boolean insecure;

    RedisEndpoint source(CommandLine cli, RedisEndpoint endpoint) {
        return apply(cli, endpoint, "source", first(sourceCaCert, caCert), first(sourceCert, cert), first(sourceKey, key),
                sourceCaCert != null || sourceCert != null || sourceKey != null);
    }

    RedisEndpoint target(CommandLine cli, RedisEndpoint endpoint) {
        return apply(cli, endpoint, "target", first(targetCaCert, caCert), first(targetCert, cert), first(targetKey, key),
                targetCaCert != null || targetCert != null || targetKey != null);
    }

    /** Refuses TLS options when neither side is {@code rediss://}, and says loudly when nothing is verified. */
    void check(CommandLine cli, RedisEndpoint source, RedisEndpoint target) {
        boolean any = caCert != null || cert != null || key != null || insecure;
        if (any && source.tls() == null && target.tls() == null) {
            throw new ParameterException(cli, "TLS options were given, but neither --source nor --target is a rediss:// URI");
        }
        if (insecure) {
            log.warn("--tls-insecure: TLS servers' certificates and host names are NOT verified; anyone on the network"
                    + " path can read and change the data");
        }
    }

    private RedisEndpoint apply(CommandLine cli, RedisEndpoint endpoint, String side, Path ca, Path clientCert,
                                Path clientKey, boolean sideOptions) {
        if (endpoint.tls() == null) {
            if (sideOptions) {
                throw new ParameterException(cli, "--" + side + "-tls-… options were given, but --" + side
                        + " is not a rediss:// URI");
            }
            return endpoint;
        }
        for (Path p : new Path[] {ca, clientCert, clientKey}) {
            if (p != null && !Files.isReadable(p)) {
                throw new ParameterException(cli, "TLS file " + p + " (for the " + side + ") cannot be read");
            }
        }
        if ((clientCert == null) != (clientKey == null)) {
            throw new ParameterException(cli, "the " + side + "'s TLS client certificate needs its key and the key its"
                    + " certificate: give both --tls-cert and --tls-key (or the --" + side + "-tls-… forms)");
        }
        return endpoint.withTls(new Tls(ca, clientCert, clientKey, insecure));
    }

    private static Path first(Path a, Path b) {
        return a != null ? a : b;
    }
}
