package dev.ferry.resp;

import dev.ferry.FerryException;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How to speak TLS to a server named by {@code rediss://}: which certificate authorities to trust (PEM;
 * default: the JVM's), an optional client certificate and key (PEM, for servers with
 * {@code tls-auth-clients yes}), and whether to skip verifying the server (certificate and host name: both
 * checked by default). Builds its {@link SSLContext} once; immutable and thread-safe.
 *
 * @param caCert PEM file of the authorities to trust, or null for the JVM's default trust store
 * @param cert PEM file of the client certificate (chain), or null
 * @param key PEM file of the client's private key (PKCS#8 {@code BEGIN PRIVATE KEY}, or PKCS#1 RSA), or null
 * @param insecure trust any certificate and any host name
 */
public record Tls(Path caCert, Path cert, Path key, boolean insecure) {

    /** TLS with the JVM's trust store, no client certificate, full verification. */
    public static final Tls DEFAULT = new Tls(null, null, null, false);

    /** One context per configuration: building one reads files and key stores. */
    private static final ConcurrentHashMap<Tls, SSLContext> CONTEXTS = new ConcurrentHashMap<>();

    public Tls {
        if ((cert == null) != (key == null)) {
            throw new FerryException("a TLS client certificate needs its key and a key its certificate: give both"
                    + " --tls-cert and --tls-key");
        }
    }

    /** Opens TLS over the connected {@code plain} socket and completes the handshake. */
    SSLSocket wrap(Socket plain, RedisEndpoint endpoint) throws IOException {
        SSLSocket ssl = (SSLSocket) context().getSocketFactory().createSocket(plain, endpoint.host(), endpoint.port(), true);
        SSLParameters params = ssl.getSSLParameters();
        if (!insecure) {
            // The certificate must name the host Ferry was given (a DNS name, or an IP address in its SAN).
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        ssl.setSSLParameters(params);
        ssl.startHandshake();
        return ssl;
    }

    /** A message a user can act on for a failed handshake with {@code endpoint}. */
    String explain(RedisEndpoint endpoint, IOException e) {
        String m = String.valueOf(e.getMessage());
        String what = "TLS handshake with " + endpoint.address() + " failed: ";
        if (m.contains("No subject alternative") || m.contains("No name matching")) {
            return what + "its certificate does not name " + endpoint.host() + " (" + m + "); connect by a name the"
                    + " certificate holds, or pass --tls-insecure to skip the check (not for production)";
        }
        if (m.contains("PKIX") || m.contains("unable to find valid certification path")) {
            return what + "its certificate is not signed by a trusted authority; pass the CA that signed it with"
                    + " --tls-ca-cert FILE (PEM)" + (caCert == null ? "" : " (" + caCert + " did not)");
        }
        if (m.contains("certificate_required") || m.contains("bad_certificate") || m.contains("handshake_failure")) {
            return what + m + "; the server may require a client certificate: pass --tls-cert FILE and --tls-key FILE";
        }
        if (e instanceof javax.net.ssl.SSLException && m.contains("Unsupported or unrecognized SSL message")) {
            return what + "the server does not speak TLS on this port: use redis:// (or its TLS port)";
        }
        if (e instanceof java.net.SocketTimeoutException) {
            return what + "no TLS answer in time: is it a TLS port? (use redis:// for a plain one)";
        }
        if (m.contains("closed") || m.contains("Connection reset") || m.contains("Broken pipe")
                || m.contains("terminated the handshake")) {
            return what + "the server closed the connection (" + m + "); it may require a client certificate"
                    + (cert == null ? " (--tls-cert, --tls-key)" : " other than the one given");
        }
        return what + m;
    }

    private SSLContext context() {
        return CONTEXTS.computeIfAbsent(this, Tls::newContext);
    }

    private SSLContext newContext() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(cert == null ? null : keyManagers(), trustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new FerryException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private TrustManager[] trustManagers() throws GeneralSecurityException, IOException {
        if (insecure) {
            return new TrustManager[] {new TrustAll()};
        }
        if (caCert == null) {
            return null;
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (Certificate c : certificates(caCert, "--tls-ca-cert")) {
            store.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf.getTrustManagers();
    }

    private javax.net.ssl.KeyManager[] keyManagers() throws GeneralSecurityException, IOException {
        Collection<? extends Certificate> chain = certificates(cert, "--tls-cert");
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        char[] none = new char[0];
        store.setKeyEntry("client", privateKey(key), none, chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, none);
        return kmf.getKeyManagers();
    }

    private static Collection<? extends Certificate> certificates(Path file, String option) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new FerryException(option + ": " + file + " holds no PEM certificate");
            }
            return certs;
        } catch (GeneralSecurityException e) {
            throw new FerryException(option + ": " + file + " is not a PEM certificate file (" + e.getMessage() + ")", e);
        }
    }

    /** A PKCS#8 key ({@code BEGIN PRIVATE KEY}), or a PKCS#1 RSA key ({@code BEGIN RSA PRIVATE KEY}) wrapped into one. */
    static PrivateKey privateKey(Path file) throws IOException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        boolean pkcs1 = pem.contains("BEGIN RSA PRIVATE KEY");
        String body = pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new FerryException("--tls-key: " + file + " is not a PEM private key");
        }
        if (pkcs1) {
            der = pkcs8OfRsa(der);
        } else if (!pem.contains("BEGIN PRIVATE KEY")) {
            throw new FerryException("--tls-key: " + file + " is not an unencrypted PEM private key (expected BEGIN PRIVATE"
                    + " KEY or BEGIN RSA PRIVATE KEY; convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
        }
        List<String> tried = new ArrayList<>();
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                tried.add(algorithm);
            }
        }
        throw new FerryException("--tls-key: " + file + " holds a key of none of the kinds " + tried);
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, the key as an octet string). */
    private static byte[] pkcs8OfRsa(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
            0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = der(0x04, pkcs1);
        byte[] inner = new byte[version.length + algorithm.length + octets.length];
        System.arraycopy(version, 0, inner, 0, version.length);
        System.arraycopy(algorithm, 0, inner, version.length, algorithm.length);
        System.arraycopy(octets, 0, inner, version.length + algorithm.length, octets.length);
        return der(0x30, inner);
    }

    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] length = n < 0x80 ? new byte[] {(byte) n}
                : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
                : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
                : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        byte[] out = new byte[1 + length.length + n];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(content, 0, out, 1 + length.length, n);
        return out;
    }

    @Override
    public String toString() {
        return "TLS" + (insecure ? " (unverified)" : "") + (cert != null ? " with client certificate" : "");
    }

    /** {@code --tls-insecure}: every certificate is accepted. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
