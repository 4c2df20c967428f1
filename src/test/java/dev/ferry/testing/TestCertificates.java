package dev.ferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Certificates for TLS tests, made by the JDK's own {@code keytool} (no openssl needed): a certificate authority,
 * and server or client certificates it signs, each written as PEM files that redis-server and Ferry read.
 * Everything lives in one temporary directory.
 */
public final class TestCertificates {

    private static final String PASS = "changeit";

    private final Path dir;
    private final String caName;

    private TestCertificates(Path dir, String caName) {
        this.dir = dir;
        this.caName = caName;
    }

    /** A new certificate authority named {@code name}, in a new temporary directory. */
    public static TestCertificates authority(String name) throws IOException {
        TestCertificates ca = new TestCertificates(Files.createTempDirectory("ferry-tls-"), name);
        ca.keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + name,
                "-ext", "bc:c", "-validity", "3", "-keystore", ca.store(name).toString(), "-storetype", "PKCS12",
                "-storepass", PASS);
        ca.keytool("-exportcert", "-rfc", "-alias", name, "-keystore", ca.store(name).toString(), "-storepass", PASS,
                "-file", ca.caCert().toString());
        return ca;
    }

    /** The authority's certificate (PEM). */
    public Path caCert() {
        return dir.resolve(caName + ".pem");
    }

    /**
     * A certificate for {@code name} signed by this authority, valid for the subject alternative names {@code san}
     * (keytool syntax: "dns:localhost,ip:127.0.0.1"); returns {certificate PEM, PKCS#8 key PEM}.
     */
    public Path[] issue(String name, String san) throws IOException {
        Path store = store(name);
        keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + name,
                "-validity", "3", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASS);
        Path csr = dir.resolve(name + ".csr");
        keytool("-certreq", "-alias", name, "-keystore", store.toString(), "-storepass", PASS, "-file", csr.toString());
        Path cert = dir.resolve(name + ".crt");
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", caName, "-keystore",
                store(caName).toString(), "-storepass", PASS, "-infile", csr.toString(), "-outfile", cert.toString(),
                "-validity", "3"));
        if (san != null) {
            gencert.add("-ext");
            gencert.add("SAN=" + san);
        }
        keytool(gencert.toArray(new String[0]));
        Path key = dir.resolve(name + ".key");
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASS.toCharArray());
            Key k = ks.getKey(name, PASS.toCharArray());
            String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(k.getEncoded());
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n");
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the key of " + name + ": " + e.getMessage(), e);
        }
        return new Path[] {cert, key};
    }

    private Path store(String name) {
        return dir.resolve(name + ".p12");
    }

    private void keytool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) {
                throw new IOException("keytool " + args[0] + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
