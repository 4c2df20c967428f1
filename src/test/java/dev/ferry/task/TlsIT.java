package dev.ferry.task;

import dev.ferry.cli.Main;
import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.BackgroundLoad;
import dev.ferry.testing.ClusterData;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.DataAssertions;
import dev.ferry.testing.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rediss://} against redis-server 7.0 listening on TLS with certificates the test makes: a sync both ways
 * over TLS (snapshot and stream), mutual TLS, an untrusted authority, a host name the certificate does not hold.
 */
class TlsIT {

    private static final String VERSION = "7.0.15";
    private static TestCertificates ca;
    private static Path[] server;
    private static Path[] client;

    @BeforeAll
    static void certificates() throws IOException {
        ca = TestCertificates.authority("ferry-test-ca");
        server = ca.issue("redis-server", "dns:localhost,ip:127.0.0.1");
        client = ca.issue("ferry-client", null);
    }

    @Test
    void aSyncOverTlsCopiesTheSnapshotAndTheStreamExactly() throws Exception {
        try (Tls source = Tls.start(server, false); Tls target = Tls.start(server, false);
             RedisConnection src = source.server.connect(); RedisConnection dst = target.server.connect()) {
            SampleData.load(src, VERSION, SampleData.Options.builder().dbs(0).build());
            String[] args = {"sync", "--quiet", "--tls-ca-cert", ca.caCert().toString(), "--source", source.uri(),
                    "--target", target.uri()};
            try (FerryProcess ferry = FerryProcess.start(args)) {
                ferry.awaitLog("snapshot read", Duration.ofSeconds(60));
                for (int i = 0; i < 500; i++) {
                    src.callChecked("INCR", "over-tls");
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!"500".equals(dst.callChecked("GET", "over-tls").asText())) {
                    assertThat(System.nanoTime()).as("the stream arrives; log:\n%s", ferry.log()).isLessThan(deadline);
                    Thread.sleep(20);
                }
                assertThat(ferry.terminate()).isZero();
            }
            DataAssertions.assertSameData(src, dst);
            Result verify = ferry("verify", "--tls-ca-cert", ca.caCert().toString(), "--source", source.uri(),
                    "--target", target.uri());
            assertThat(verify.code).as(verify.all()).isZero();
            assertThat(verify.out).contains("rediss://127.0.0.1:" + source.tlsPort).contains("result: consistent");
        }
    }

    @Test
    void mutualTlsNeedsTheClientCertificateAndSaysSo() throws Exception {
        try (Tls source = Tls.start(server, true); Tls target = Tls.start(server, false)) {
            Result without = ferry("verify", "--tls-ca-cert", ca.caCert().toString(), "--source", source.uri(),
                    "--target", target.uri());
            Result with = ferry("verify", "--tls-ca-cert", ca.caCert().toString(), "--source-tls-cert", client[0].toString(),
                    "--source-tls-key", client[1].toString(), "--source", source.uri(), "--target", target.uri());

            assertThat(without.code).as(without.all()).isNotZero();
            assertThat(without.err).contains("TLS").contains("client certificate").doesNotContain("\tat ");
            assertThat(with.code).as(with.all()).isZero();
            assertThat(with.out).contains("result: consistent");
        }
    }

    @Test
    void anUntrustedAuthorityAndAForeignHostNameAreRefusedAtOnceUnlessInsecure() throws Exception {
        TestCertificates other = TestCertificates.authority("some-other-ca");
        Path[] foreign = ca.issue("foreign", "dns:example.invalid");
        try (Tls trusted = Tls.start(server, false); Tls misnamed = Tls.start(foreign, false)) {
            Result wrongCa = ferry("precheck", "--tls-ca-cert", other.caCert().toString(), "--source", trusted.uri(),
                    "--target", trusted.uri());
            assertThat(wrongCa.code).as(wrongCa.all()).isNotZero();
            assertThat(wrongCa.all()).contains("not signed by a trusted authority").contains("--tls-ca-cert");

            try (FerryProcess sync = FerryProcess.start("sync", "--quiet", "--tls-ca-cert", ca.caCert().toString(),
                    "--source", misnamed.uri(), "--target", trusted.uri())) {
                assertThat(sync.awaitExit(Duration.ofSeconds(30))).as("no retrying a certificate; log:\n%s", sync.log()).isNotZero();
                assertThat(sync.log()).contains("does not name 127.0.0.1").contains("--tls-insecure").doesNotContain("retrying");
            }
            try (FerryProcess insecure = FerryProcess.start("verify", "--tls-insecure", "--source", misnamed.uri(),
                    "--target", trusted.uri())) {
                assertThat(insecure.awaitExit(Duration.ofSeconds(60))).as(insecure.log()).isZero();
                assertThat(insecure.log()).contains("NOT verified").contains("result: consistent");
            }
            Result plainTls = ferry("verify", "--tls-ca-cert", ca.caCert().toString(), "--source",
                    "redis://127.0.0.1:" + trusted.server.port(), "--target", "redis://127.0.0.1:" + trusted.server.port());
            assertThat(plainTls.code).isEqualTo(2);
            assertThat(plainTls.err).contains("neither --source nor --target is a rediss:// URI");
        }
    }

    /**
     * Two TLS-only-to-Ferry clusters (bus and replication over TLS too): every node Ferry learns from the cluster is
     * reached over TLS with the same settings, the replication link of each source master included.
     */
    @Test
    void aClusterIntoAClusterOverTlsReachesEveryNodeOverTls() throws Exception {
        try (ClusterHarness source = ClusterHarness.startTls(VERSION, 3, ca.caCert(), server);
             ClusterHarness target = ClusterHarness.startTls(VERSION, 3, ca.caCert(), server)) {
            try (BackgroundLoad load = BackgroundLoad.onCluster(source, 7)) {
                load.awaitMoreRounds(3, Duration.ofSeconds(60));
                String[] args = {"sync", "--tls-ca-cert", ca.caCert().toString(), "--source", source.tlsUri(),
                        "--target", target.tlsUri()};
                try (FerryProcess ferry = FerryProcess.start(args)) {
                    ferry.awaitLog("streaming", Duration.ofSeconds(60));
                    load.awaitMoreRounds(5, Duration.ofSeconds(60));
                    load.stop();
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    List<String> differences = ClusterData.differences(source, target, key -> true);
                    while (!differences.isEmpty()) {
                        assertThat(ferry.isAlive()).as("ferry running; log:\n%s", ferry.log()).isTrue();
                        assertThat(System.nanoTime()).as("equal data, e.g. %s; log:\n%s", differences.get(0), ferry.log())
                                .isLessThan(deadline);
                        Thread.sleep(100);
                        differences = ClusterData.differences(source, target, key -> true);
                    }
                    assertThat(ferry.log()).contains("rediss://");
                    assertThat(ferry.terminate()).isZero();
                }
            }
            Result verify = ferry("verify", "--tls-ca-cert", ca.caCert().toString(), "--source", source.tlsUri(),
                    "--target", target.tlsUri());
            assertThat(verify.code).as(verify.all()).isZero();
            assertThat(verify.out).contains("result: consistent");
        }
    }

    private record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private static Result ferry(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    /** A redis-server with a plain port (for the test's own checks) and a TLS port (for Ferry). */
    private record Tls(RedisServer server, int tlsPort) implements AutoCloseable {

        static Tls start(Path[] certificate, boolean clientCertificates) throws IOException {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            RedisServer server = RedisServer.builder().version(VERSION).arg("--tls-port", Integer.toString(port))
                    .arg("--tls-cert-file", certificate[0].toString()).arg("--tls-key-file", certificate[1].toString())
                    .arg("--tls-ca-cert-file", ca.caCert().toString())
                    .arg("--tls-auth-clients", clientCertificates ? "yes" : "no")
                    .arg("--repl-diskless-sync-delay", "0").start();
            return new Tls(server, port);
        }

        String uri() {
            return "rediss://127.0.0.1:" + tlsPort;
        }

        @Override
        public void close() {
            server.stop();
        }
    }
}
