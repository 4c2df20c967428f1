package dev.ferry.testing;

import dev.ferry.FerryException;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.ServerInfo;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts redis-server processes for tests and stops them afterwards. Use it as a JUnit 5 extension,
 * {@code @RegisterExtension static final Servers servers = new Servers();}: servers started inside a test
 * (or a {@code @BeforeEach}) stop after that test, servers started in {@code @BeforeAll} after the class.
 * Or use it alone, in try-with-resources. Thread-safe.
 */
public final class Servers implements BeforeEachCallback, AfterEachCallback, AfterAllCallback, AutoCloseable {

    /** System property listing the versions integration tests run against. */
    public static final String VERSIONS_PROPERTY = "ferry.it.versions";
    public static final String DEFAULT_VERSIONS = "2.8.19,6.0.5,6.2.7,7.0.15";

    private final List<RedisServer> classServers = new ArrayList<>();
    private final List<RedisServer> testServers = new ArrayList<>();
    private boolean inTest;

    /** The versions from {@value #VERSIONS_PROPERTY} ("2.8.19,7.0.15"), or {@value #DEFAULT_VERSIONS}. */
    public static List<String> versionsUnderTest() {
        String value = System.getProperty(VERSIONS_PROPERTY, DEFAULT_VERSIONS);
        List<String> versions = Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
        return versions.isEmpty() ? Arrays.asList(DEFAULT_VERSIONS.split(",")) : versions;
    }

    /** The versions under test that are {@code major.minor} or later, or 7.0.15 when none is. */
    public static List<String> versionsUnderTestFrom(int major, int minor) {
        List<String> versions = versionsUnderTest().stream()
                .filter(v -> dev.ferry.embedded.VersionName.parse(v).version().atLeast(major, minor)).toList();
        return versions.isEmpty() ? List.of("7.0.15") : versions;
    }

    /** Starts redis-server {@code version} on a free port; {@code args} are directives and values ("--maxmemory", "10mb"). */
    public RedisServer start(String version, String... args) {
        return start(builder(version, args));
    }

    /** Starts a server from a prepared builder. */
    public RedisServer start(RedisServer.Builder builder) {
        RedisServer server = builder.start();
        synchronized (this) {
            (inTest ? testServers : classServers).add(server);
        }
        return server;
    }

    /**
     * Starts a server of the master's version replicating from it (SLAVEOF, understood by every version)
     * and waits until it is in sync.
     */
    public RedisServer startReplicaOf(RedisServer master, String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        if (master.endpoint().password() != null) {
            all.add("--masterauth");
            all.add(master.endpoint().password());
        }
        RedisServer replica = start(master.version(), all.toArray(String[]::new));
        try (RedisConnection conn = replica.connect()) {
            conn.callChecked("SLAVEOF", master.endpoint().host(), master.port());
        }
        awaitInSync(master, replica, Duration.ofSeconds(20));
        return replica;
    }

    /**
     * Waits until {@code replica}'s link to its master is up and it has processed everything the master sent.
     *
     * @throws FerryException not in sync within {@code timeout}
     */
    public static void awaitInSync(RedisServer master, RedisServer replica, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (RedisConnection m = master.connect(); RedisConnection r = replica.connect()) {
            String last = "";
            while (System.nanoTime() < deadline) {
                Map<String, String> replicaInfo = replication(r);
                Map<String, String> masterInfo = replication(m);
                String masterOffset = masterInfo.get("master_repl_offset");
                String replicaOffset = replicaInfo.get("slave_repl_offset");
                String link = replicaInfo.get("master_link_status");
                last = "master_link_status:" + link + ", master offset " + masterOffset + ", replica offset " + replicaOffset;
                if ("up".equals(link) && masterOffset != null && masterOffset.equals(replicaOffset)) {
                    return;
                }
                sleep(20);
            }
            throw new FerryException(replica + " not in sync with " + master + " after " + timeout.toMillis() + " ms: "
                    + last + "; replica log:\n  " + String.join("\n  ", replica.logTail(15)));
        }
    }

    /** The fields of {@code INFO replication} (which, unlike {@code INFO}, has no redis_version for ServerInfo). */
    private static Map<String, String> replication(RedisConnection conn) {
        Map<String, String> fields = new HashMap<>();
        for (String line : conn.callChecked("INFO", "replication").asText().split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        synchronized (this) {
            inTest = true;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<RedisServer> toStop;
        synchronized (this) {
            inTest = false;
            toStop = new ArrayList<>(testServers);
            testServers.clear();
        }
        stopAll(toStop);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Stops every server this instance started. */
    @Override
    public void close() {
        List<RedisServer> toStop;
        synchronized (this) {
            toStop = new ArrayList<>(testServers);
            toStop.addAll(classServers);
            testServers.clear();
            classServers.clear();
        }
        stopAll(toStop);
    }

    private static RedisServer.Builder builder(String version, String... args) {
        RedisServer.Builder builder = RedisServer.builder().version(version);
        int i = 0;
        while (i < args.length) {
            String name = args[i++];
            List<String> values = new ArrayList<>();
            while (i < args.length && !args[i].startsWith("--")) {
                values.add(args[i++]);
            }
            builder.arg(name, values.toArray(String[]::new));
        }
        return builder;
    }

    private static void stopAll(List<RedisServer> servers) {
        // Stop replicas (started later) before their masters, so they do not log reconnect attempts.
        for (int i = servers.size() - 1; i >= 0; i--) {
            servers.get(i).stop();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while waiting for replication", e);
        }
    }
}
