package dev.ferry.sink;

import dev.ferry.FerryException;
import dev.ferry.MemoryBudget;
import dev.ferry.cluster.SlotHash;
import dev.ferry.cluster.Topology;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.testing.ClusterHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cluster writer against a real cluster of three masters: writes reach the master of their slot, an
 * offset counts once every master answered what came before it, a transaction runs whole on its slot's
 * master, and writes a node did not run because their slot moved or is migrating are sent again where
 * the cluster says, in order.
 */
class ClusterWriterIT {

    private static ClusterHarness cluster;
    private ClusterWriter writer;

    @BeforeAll
    static void startCluster() {
        cluster = ClusterHarness.start("7.0.15", 3);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @BeforeEach
    void open() {
        cluster.flushAll();
        writer = new ClusterWriter(Topology.discover(cluster.endpoint()), NodeWriter.Limits.defaults(), null,
                MemoryBudget.unlimited().open());
    }

    @AfterEach
    void close() {
        writer.close();
    }

    @Test
    void writesReachTheMastersOfTheirSlotsAndASplitMsetLandsWhole() throws Exception {
        for (int i = 0; i < 300; i++) {
            writer.write(argv("RPUSH", "l:" + i, "a", Integer.toString(i)), -1);
        }
        writer.write(argv("MSET", "a", "1", "b", "2", "c", "3", "d", "4"), -1);
        writer.write(argv("SELECT", "0"), 300);
        writer.drain();

        assertThat(writer.ackedOffset()).isEqualTo(300);
        assertThat(cluster.call("LINDEX", "l:299", "1").asText()).isEqualTo("299");
        for (String k : new String[] {"a", "b", "c", "d"}) {
            assertThat(cluster.call("GET", k).asText()).isNotNull();
        }
        int holding = 0;
        for (RedisServer node : cluster.nodes()) {
            try (RedisConnection c = node.connect()) {
                holding += c.callChecked("DBSIZE").asLong() > 0 ? 1 : 0;
            }
        }
        assertThat(holding).isEqualTo(3);
    }

    @Test
    void anOffsetCountsOnlyOnceEveryMasterAnsweredWhatCameBeforeIt() throws Exception {
        Topology topology = Topology.discover(cluster.endpoint());
        String fast = keyOn(topology, 0);
        String slow = keyOn(topology, 1);
        try (RedisConnection admin = RedisConnection.open(topology.masters().get(1))) {
            // The second master holds back its replies to writes until unpaused.
            admin.callChecked("CLIENT", "PAUSE", "20000", "WRITE");
            try {
                writer.write(argv("SET", fast, "1"), 5);
                writer.write(argv("SET", slow, "1"), 6);
                writer.write(argv("SET", fast, "2"), 7);
                writer.flush();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (writer.ackedOffset() < 5 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertThat(cluster.connectionFor(fast.getBytes(StandardCharsets.UTF_8)).callChecked("GET", fast).asText())
                        .as("the fast master applied both its writes").isEqualTo("2");
                assertThat(writer.ackedOffset()).as("offset 7 waits for the paused master's offset-6 write").isEqualTo(5);
            } finally {
                admin.callChecked("CLIENT", "UNPAUSE");
            }
        }
        writer.drain();
        assertThat(writer.ackedOffset()).isEqualTo(7);
    }

    @Test
    void aTransactionOfOneSlotRunsOnItsMasterAndOneAcrossSlotsIsRefused() throws Exception {
        writer.write(argv("MULTI"), -1);
        writer.write(argv("SELECT", "0"), -1);
        writer.write(argv("SET", "{t}a", "x"), -1);
        writer.write(argv("INCR", "{t}n"), -1);
        writer.write(argv("EXEC"), 42);
        writer.drain();
        assertThat(writer.ackedOffset()).isEqualTo(42);
        assertThat(cluster.call("GET", "{t}n").asText()).isEqualTo("1");

        writer.write(argv("MULTI"), -1);
        writer.write(argv("SET", "a", "x"), -1);
        writer.write(argv("SET", "b", "x"), -1);
        assertThatThrownBy(() -> writer.write(argv("EXEC"), 43)).isInstanceOf(FerryException.class)
                .hasMessageContaining("spans slots");
    }

    @Test
    void msetsOverManySlotsAreGatheredPerSlotAndEveryKeyLandsWithItsValue() throws Exception {
        long before = msetCalls();
        for (int batch = 0; batch < 20; batch++) {
            List<String> args = new ArrayList<>(List.of("MSET"));
            for (int i = 0; i < 100; i++) {
                args.add("{t" + i % 20 + "}k" + batch + ":" + i);
                args.add("v" + batch + ":" + i);
            }
            writer.write(argv(args.toArray(new String[0])), -1);
        }
        // A later write to one of those slots goes after its gathered MSET.
        writer.write(argv("APPEND", "{t3}k0:3", "+"), 5);
        writer.drain();

        assertThat(writer.ackedOffset()).isEqualTo(5);
        for (int batch = 0; batch < 20; batch++) {
            for (int i = 0; i < 100; i++) {
                String expected = "v" + batch + ":" + i + (batch == 0 && i == 3 ? "+" : "");
                assertThat(cluster.call("GET", "{t" + i % 20 + "}k" + batch + ":" + i).asText()).isEqualTo(expected);
            }
        }
        assertThat(msetCalls() - before).as("MSET commands for 2,000 keys in 20 slots").isLessThanOrEqualTo(60);
    }

    private static long msetCalls() {
        long calls = 0;
        for (RedisEndpoint master : Topology.discover(cluster.endpoint()).masters()) {
            try (RedisConnection c = RedisConnection.open(master)) {
                String stats = c.callChecked("INFO", "commandstats").asText();
                int at = stats.indexOf("cmdstat_mset:calls=");
                if (at >= 0) {
                    int from = at + "cmdstat_mset:calls=".length();
                    calls += Long.parseLong(stats.substring(from, stats.indexOf(',', from)));
                }
            }
        }
        return calls;
    }

    @Test
    void writesToASlotThatMovedAreSentAgainToItsNewMasterInOrderAndTheOffsetWaitsForThem() throws Exception {
        Topology topology = Topology.discover(cluster.endpoint());
        String key = keyOn(topology, 0);
        int slot = SlotHash.slot(key.getBytes(StandardCharsets.UTF_8));
        RedisEndpoint oldOwner = topology.masters().get(0);
        RedisEndpoint newOwner = topology.masters().get(2);
        setSlot(topology, slot, myId(newOwner));
        try {
            // Plain writes, then a transaction: all refused with MOVED by the old owner, all sent again in order.
            writer.write(argv("RPUSH", key, "1"), 1);
            writer.write(argv("RPUSH", key, "2"), 2);
            writer.write(argv("MULTI"), -1);
            writer.write(argv("RPUSH", key, "3"), -1);
            writer.write(argv("RPUSH", key, "4"), -1);
            writer.write(argv("EXEC"), 3);
            writer.write(argv("RPUSH", key, "5"), 4);
            writer.drain();

            assertThat(writer.failure()).isNull();
            assertThat(writer.ackedOffset()).isEqualTo(4);
            try (RedisConnection c = RedisConnection.open(newOwner)) {
                assertThat(c.callChecked("LRANGE", key, "0", "-1").asText()).isEqualTo("[Bulk[1], Bulk[2], Bulk[3], Bulk[4], Bulk[5]]");
            }
            try (RedisConnection c = RedisConnection.open(oldOwner)) {
                assertThat(c.callChecked("DBSIZE").asLong()).isZero();
            }
        } finally {
            cluster.flushAll();
            setSlot(topology, slot, myId(oldOwner));
        }
    }

    @Test
    void aWriteToAKeyMissingFromAMigratingSlotGoesToTheImportingMasterAfterAsking() throws Exception {
        Topology topology = Topology.discover(cluster.endpoint());
        String key = keyOn(topology, 1);
        String slot = Integer.toString(SlotHash.slot(key.getBytes(StandardCharsets.UTF_8)));
        RedisEndpoint owner = topology.masters().get(1);
        RedisEndpoint importer = topology.masters().get(0);
        call(importer, "CLUSTER", "SETSLOT", slot, "IMPORTING", myId(owner));
        call(owner, "CLUSTER", "SETSLOT", slot, "MIGRATING", myId(importer));
        try {
            writer.write(argv("SET", key, "new"), 7);
            writer.drain();

            assertThat(writer.ackedOffset()).isEqualTo(7);
            try (RedisConnection c = RedisConnection.open(importer)) {
                c.callChecked("ASKING");
                assertThat(c.callChecked("GET", key).asText()).isEqualTo("new");
            }
        } finally {
            cluster.flushAll();
            for (RedisEndpoint master : topology.masters()) {
                call(master, "CLUSTER", "SETSLOT", slot, "NODE", myId(owner));
            }
        }
    }

    private static void call(RedisEndpoint node, Object... command) {
        try (RedisConnection c = RedisConnection.open(node)) {
            c.callChecked(command);
        }
    }

    private static String myId(RedisEndpoint node) {
        try (RedisConnection c = RedisConnection.open(node)) {
            return c.callChecked("CLUSTER", "MYID").asText();
        }
    }

    private static void setSlot(Topology topology, int slot, String owner) {
        for (RedisEndpoint master : topology.masters()) {
            try (RedisConnection c = RedisConnection.open(master)) {
                c.callChecked("CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", owner);
            }
        }
    }

    /** A key whose slot the {@code index}-th master serves. */
    private static String keyOn(Topology topology, int index) {
        RedisEndpoint master = topology.masters().get(index);
        for (int i = 0; ; i++) {
            String key = "k" + i;
            if (master.equals(topology.nodeFor(key.getBytes(StandardCharsets.UTF_8)))) {
                return key;
            }
        }
    }

    static byte[][] argv(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return argv;
    }
}
