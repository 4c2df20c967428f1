package dev.ferry.pipeline;

import dev.ferry.FerryException;
import dev.ferry.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.ferry.pipeline.ReplayerTest.argv;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The replication streams of an atomic slot migration, as Valkey 9.1.2 wrote them when slot 12182 ({@code {foo}})
 * moved under an INCR/LPUSH load in databases 0 and 3 (recorded from a replica of each master; see
 * docs/DECISIONS.md): what the importing master's stream carries about the imported slots is dropped, its own
 * writes and everything after the migration pass.
 */
class SlotMigrationStreamTest {

    private final RecordingSink sink = new RecordingSink();
    private final SyncCounters counters = new SyncCounters();
    private final Replayer replayer = new Replayer(Replayer.discardSnapshot(), sink, Filters.all(), counters,
            "__ferry:hb:x".getBytes(StandardCharsets.US_ASCII), null, null);

    @Test
    void theKeysOfTheRecordingHashToTheMigratedSlotOrElsewhere() {
        assertThat(SlotHash.slot(bytes("{foo}n"))).isEqualTo(12182);
        assertThat(SlotHash.slot(bytes("bar"))).isNotEqualTo(12182);
    }

    @Test
    void theImportingMastersCopyOfTheSlotsIsDroppedAndItsOwnWritesPass() {
        replayer.command(argv("SELECT", "0"), 1);
        replayer.command(argv("CLUSTER", "SYNCSLOTS", "ESTABLISH", "SOURCE", "06f15ba4f1c29b1e2ded92ce8b51ac8cf674bdf1",
                "NAME", "a20fb68e70750f1155b4738e8eef2f45efbf7dfc", "SLOTSRANGE", "12182", "12182"), 2);
        replayer.command(argv("CLUSTER", "SYNCSLOTS", "ACK"), 3);
        replayer.command(argv("SET", "{foo}n", "462"), 4);
        replayer.command(argv("SELECT", "3"), 5);
        replayer.command(argv("RPUSH", "{foo}l", "1", "2"), 6);
        replayer.command(argv("XGROUP", "CREATE", "{foo}s", "g", "0"), 7);
        replayer.command(argv("SET", "bar", "own"), 8);
        replayer.command(argv("SELECT", "0"), 9);
        replayer.command(argv("incr", "{foo}n"), 10);
        replayer.command(argv("CLUSTER", "SYNCSLOTS", "SNAPSHOT-EOF"), 11);
        replayer.command(argv("CLUSTER", "SYNCSLOTS", "PAUSED"), 12);
        replayer.command(argv("CLUSTER", "SYNCSLOTS", "FAILOVER-GRANTED"), 13);
        replayer.command(argv("CLUSTER", "SYNCSLOTS", "FINISH", "STATE", "SUCCESS", "NAME",
                "a20fb68e70750f1155b4738e8eef2f45efbf7dfc", "MESSAGE", ""), 14);
        replayer.command(argv("incr", "{foo}n"), 15);

        assertThat(sink.writes).containsExactly("SELECT 0", "SELECT 3", "SET bar own", "SELECT 0", "incr {foo}n");
        assertThat(sink.advanced).isEqualTo(15);
        assertThat(counters.commandsForwarded.sum()).isEqualTo(2);
    }

    @Test
    void twoImportsOverlapAndEachEndsOnItsOwnFinish() {
        replayer.command(argv("SELECT", "0"), 1);
        replayer.command(argv("CLUSTER", "SYNCSLOTS", "ESTABLISH", "SOURCE", "a", "NAME", "job1", "SLOTSRANGE", "12182", "12182"), 2);
        replayer.command(argv("CLUSTER", "SYNCSLOTS", "ESTABLISH", "SOURCE", "b", "NAME", "job2", "SLOTSRANGE", "0", "100",
                "5061", "5061"), 3);
        replayer.command(argv("SET", "bar", "copy"), 4);
        replayer.command(argv("CLUSTER", "SYNCSLOTS", "FINISH", "STATE", "SUCCESS", "NAME", "job2", "MESSAGE", ""), 5);
        replayer.command(argv("SET", "bar", "after"), 6);
        replayer.command(argv("SET", "{foo}x", "copy"), 7);
        replayer.command(argv("CLUSTER", "SYNCSLOTS", "FINISH", "STATE", "FAILED", "NAME", "job1", "MESSAGE", "x"), 8);
        replayer.command(argv("SET", "{foo}x", "after"), 9);

        assertThat(sink.writes).containsExactly("SELECT 0", "SET bar after", "SET {foo}x after");
    }

    @Test
    void redisTrimslotsNeverReachesTheTarget() {
        replayer.command(argv("SELECT", "0"), 1);
        replayer.command(argv("TRIMSLOTS", "RANGES", "1", "0", "5460"), 2);
        replayer.command(argv("trimslots", "RANGES", "2", "1", "2", "7", "9"), 3);

        assertThat(sink.writes).containsExactly("SELECT 0");
        assertThat(sink.advanced).isEqualTo(3);
    }

    @Test
    void otherClusterCommandsAreNotTakenForAMigration() {
        replayer.command(argv("SELECT", "0"), 1);
        replayer.command(argv("CLUSTER", "SETSLOT", "1", "STABLE"), 2);
        assertThat(sink.writes).containsExactly("SELECT 0", "CLUSTER SETSLOT 1 STABLE");
    }

    @Test
    void aSlotRangeOutsideTheClusterStopsTheSync() {
        replayer.command(argv("SELECT", "0"), 1);
        assertThatThrownBy(() -> replayer.command(argv("CLUSTER", "SYNCSLOTS", "ESTABLISH", "NAME", "j", "SLOTSRANGE",
                "10", "16384"), 2))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("slot range 10-16384");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
