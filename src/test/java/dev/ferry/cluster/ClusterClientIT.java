package dev.ferry.cluster;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;
import dev.ferry.testing.ClusterHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster client against a real 3-master cluster whose slots move under it: a slot moved for good
 * ({@code MOVED}), a slot being migrated ({@code ASK}), and a multi-key write during a migration
 * ({@code TRYAGAIN}), retried for a bounded time.
 */
class ClusterClientIT {

    private static final byte[] KEY = "{t}a".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER = "{t}b".getBytes(StandardCharsets.UTF_8);
    private static final int SLOT = SlotHash.slot(KEY);

    private ClusterHarness cluster;
    private RedisServer owner;
    private RedisServer importer;

    @BeforeEach
    void startCluster() {
        cluster = ClusterHarness.start(3);
        RedisEndpoint ownerEndpoint = Topology.discover(cluster.endpoint()).nodeFor(KEY);
        owner = cluster.nodes().stream().filter(n -> n.endpoint().equals(ownerEndpoint)).findFirst().orElseThrow();
        importer = cluster.nodes().stream().filter(n -> n != owner).findFirst().orElseThrow();
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    @Test
    void aMovedSlotRefreshesTheSlotMapAndTheWriteLandsOnTheNewOwner() {
        try (ClusterClient client = new ClusterClient(Topology.discover(cluster.endpoint()))) {
            assertThat(client.call(KEY, "SET", KEY, "before").asText()).isEqualTo("OK");
            call(owner, "DEL", KEY);
            startMigration();
            finishMigration();

            assertThat(client.call(KEY, "SET", KEY, "after").asText()).isEqualTo("OK");

            assertThat(client.redirects()).isEqualTo(1);
            assertThat(client.topology().nodeFor(KEY)).isEqualTo(importer.endpoint());
            assertThat(call(importer, "GET", KEY).asText()).isEqualTo("after");
        }
    }

    @Test
    void anAskDuringAMigrationSendsThatOneWriteToTheImportingNodeAndKeepsTheSlotMap() {
        try (ClusterClient client = new ClusterClient(Topology.discover(cluster.endpoint()))) {
            startMigration();

            assertThat(client.call(KEY, "SET", KEY, "asked").asText()).isEqualTo("OK");

            assertThat(client.redirects()).isEqualTo(1);
            assertThat(client.topology().nodeFor(KEY)).isEqualTo(owner.endpoint());
            assertThat(call(importer, "CLUSTER", "COUNTKEYSINSLOT", SLOT).asLong()).isEqualTo(1);
            assertThat(call(owner, "CLUSTER", "COUNTKEYSINSLOT", SLOT).asLong()).isZero();
        }
    }

    @Test
    void tryAgainIsRetriedForItsBoundedTimeThenReturned() {
        call(owner, "SET", KEY, "1");
        startMigration();
        try (ClusterClient client = new ClusterClient(Topology.discover(cluster.endpoint()), Duration.ofMillis(300))) {
            long start = System.nanoTime();

            RespValue reply = client.call(KEY, "MSET", KEY, "2", OTHER, "2");

            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(reply.asText()).startsWith("TRYAGAIN");
            assertThat(client.retries()).isPositive();
            assertThat(elapsedMs).isBetween(300L, 5_000L);
        }
    }

    @Test
    void aWriteRetriedOnTryAgainFollowsTheSlotOnceItsMigrationEnds() throws Exception {
        call(owner, "SET", KEY, "1");
        startMigration();
        CompletableFuture<Void> migration = CompletableFuture.runAsync(() -> {
            awaitTryAgainErrors(owner);
            call(owner, "MIGRATE", importer.endpoint().host(), importer.port(), KEY, 0, 5000);
            finishMigration();
        });
        try (ClusterClient client = new ClusterClient(Topology.discover(cluster.endpoint()), Duration.ofSeconds(20))) {

            RespValue reply = client.call(KEY, "MSET", KEY, "2", OTHER, "3");

            migration.get(20, TimeUnit.SECONDS);
            assertThat(reply.asText()).isEqualTo("OK");
            assertThat(client.retries()).isPositive();
            assertThat(call(importer, "MGET", KEY, OTHER).asText()).isEqualTo("[Bulk[2], Bulk[3]]");
        }
    }

    /** Puts {@link #SLOT} in migration from its owner to the importer. */
    private void startMigration() {
        call(importer, "CLUSTER", "SETSLOT", SLOT, "IMPORTING", id(owner));
        call(owner, "CLUSTER", "SETSLOT", SLOT, "MIGRATING", id(importer));
    }

    /** Gives {@link #SLOT} to the importer on every node, as redis-cli --cluster reshard ends a move. */
    private void finishMigration() {
        String importerId = id(importer);
        call(importer, "CLUSTER", "SETSLOT", SLOT, "NODE", importerId);
        for (RedisServer node : cluster.nodes()) {
            if (node != importer) {
                call(node, "CLUSTER", "SETSLOT", SLOT, "NODE", importerId);
            }
        }
    }

    private static void awaitTryAgainErrors(RedisServer node) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (call(node, "INFO", "errorstats").asText().contains("errorstat_TRYAGAIN:count=")) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        throw new AssertionError("no TRYAGAIN reply from " + node + " within 10 s");
    }

    private static String id(RedisServer node) {
        return call(node, "CLUSTER", "MYID").asText();
    }

    private static RespValue call(RedisServer node, Object... command) {
        try (RedisConnection conn = node.connect()) {
            return conn.callChecked(command);
        }
    }
}
