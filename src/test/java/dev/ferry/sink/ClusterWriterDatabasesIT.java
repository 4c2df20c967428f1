package dev.ferry.sink;

import dev.ferry.MemoryBudget;
import dev.ferry.cluster.SlotHash;
import dev.ferry.cluster.Topology;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.testing.ClusterHarness;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.ferry.sink.ClusterWriterIT.argv;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster writer into a Valkey 9.1.2 cluster with {@code cluster-databases 4}: writes and a slot transaction
 * spanning databases 2, 3 and 0, all refused with {@code MOVED} by a master that gave their slot away, run again
 * on the new master each in its database; the old master's connection is where the writer thinks afterwards.
 */
class ClusterWriterDatabasesIT {

    @Test
    void writesRefusedByAMasterRunAgainElsewhereInTheirDatabasesAndTheConnectionStaysWhereTheWriterThinks()
            throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start("valkey-9.1.2", 3, "--cluster-databases", "4")) {
            Topology topology = Topology.discover(cluster.endpoint());
            RedisEndpoint oldOwner = topology.masters().get(0);
            RedisEndpoint newOwner = topology.masters().get(2);
            String key = keyOn(topology, oldOwner, "k");
            String stays = keyOn(topology, oldOwner, "other");
            int slot = SlotHash.slot(bytes(key));
            ClusterWriter writer = new ClusterWriter(topology, NodeWriter.Limits.defaults(), null,
                    MemoryBudget.unlimited().open());
            try {
                // The writer's slot map still says the old owner.
                for (RedisEndpoint master : topology.masters()) {
                    call(master, "CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", call(newOwner, "CLUSTER", "MYID"));
                }
                writer.select(2, -1);
                writer.write(argv("RPUSH", key, "1"), 1);
                writer.select(3, -1);
                writer.write(argv("RPUSH", key, "2"), 2);
                writer.slotTransaction(slot, List.of(new DbCommand(2, argv("RPUSH", key, "3")),
                        new DbCommand(3, argv("RPUSH", key, "4"))), new DbCommand(0, argv("SET", "{" + key + "}cp", "3")), 0);
                // Discarded on the old owner: its connection must be in the database the transaction began in.
                writer.select(0, -1);
                writer.write(argv("SET", stays, "x"), 4);
                writer.drain();

                assertThat(writer.failure()).isNull();
                assertThat(writer.ackedOffset()).isEqualTo(4);
                assertThat(callIn(newOwner, 2, "LRANGE", key, "0", "-1")).isEqualTo("[Bulk[1], Bulk[3]]");
                assertThat(callIn(newOwner, 3, "LRANGE", key, "0", "-1")).isEqualTo("[Bulk[2], Bulk[4]]");
                assertThat(callIn(newOwner, 0, "GET", "{" + key + "}cp")).isEqualTo("3");
                assertThat(callIn(oldOwner, 0, "GET", stays)).isEqualTo("x");
                for (int db = 1; db < 4; db++) {
                    assertThat(callIn(oldOwner, db, "DBSIZE")).as("keys in db " + db + " of the old owner").isEqualTo("0");
                }
            } finally {
                writer.close();
            }
        }
    }

    private static String call(RedisEndpoint node, Object... command) {
        return callIn(node, 0, command);
    }

    private static String callIn(RedisEndpoint node, int db, Object... command) {
        try (RedisConnection c = RedisConnection.open(node)) {
            c.callChecked("SELECT", db);
            return c.callChecked(command).asText();
        }
    }

    /** A key named {@code prefix<n>} whose slot {@code master} serves. */
    private static String keyOn(Topology topology, RedisEndpoint master, String prefix) {
        for (int i = 0; ; i++) {
            String key = prefix + i;
            if (master.equals(topology.nodeFor(bytes(key)))) {
                return key;
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
