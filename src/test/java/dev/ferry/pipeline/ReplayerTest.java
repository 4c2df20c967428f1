package dev.ferry.pipeline;

import dev.ferry.FerryException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplayerTest {

    private static final byte[] HEARTBEAT = "__ferry:hb:abc".getBytes(StandardCharsets.US_ASCII);

    private static final Replayer.Lifecycle NO_LIFECYCLE = new Replayer.Lifecycle() {
        @Override
        public void fullResync(dev.ferry.source.ReplicationOffset start) {
        }

        @Override
        public void snapshotRead(dev.ferry.source.ReplicationOffset start) {
        }

        @Override
        public void partialResync(dev.ferry.source.ReplicationOffset position) {
        }
    };

    private final RecordingSink sink = new RecordingSink();
    private final SyncCounters counters = new SyncCounters();

    private Replayer replayer(Filters filters) {
        return new Replayer(Replayer.discardSnapshot(), sink, filters, counters, HEARTBEAT, NO_LIFECYCLE, null);
    }

    @Test
    void writesAreForwardedVerbatimWithTheirDatabase() {
        Replayer r = replayer(Filters.all());
        r.command(argv("SELECT", "3"), 10);
        r.command(argv("LPUSH", "l", "a", "b"), 20);
        assertThat(sink.writes).containsExactly("SELECT 3", "LPUSH l a b");
        assertThat(sink.advanced).isEqualTo(20);
        assertThat(counters.commandsForwarded.sum()).isEqualTo(1);
    }

    @Test
    void pingReplconfAndFerryKeysNeverReachTheTargetButAdvanceTheOffset() {
        Replayer r = replayer(Filters.all());
        r.command(argv("PING"), 5);
        r.command(argv("REPLCONF", "GETACK", "*"), 9);
        r.command(argv("SET", "__ferry:hb:abc", "1700000000000", "PXAT", "1700000010000"), 30);
        r.command(argv("DEL", "__ferry:hb:other"), 40);
        assertThat(sink.writes).isEmpty();
        assertThat(sink.advanced).isEqualTo(40);
    }

    @Test
    void heartbeatMeasuresLagOnceTheTargetAcknowledgesIt() {
        Replayer r = replayer(Filters.all());
        long sentAt = System.currentTimeMillis() - 50;
        r.command(argv("SET", "__ferry:hb:abc", Long.toString(sentAt), "PX", "10000"), 100);
        r.onAck(99);
        assertThat(counters.lag.millis(System.currentTimeMillis())).isEqualTo(-1);
        r.onAck(100);
        assertThat(counters.lag.millis(System.currentTimeMillis())).isBetween(50L, 10_000L);
    }

    @Test
    void databaseFilterDropsWritesToOtherDatabasesAfterSelect() {
        Replayer r = replayer(new Filters(Set.of(1), false));
        r.command(argv("SET", "a", "1"), 10);
        r.command(argv("SELECT", "1"), 20);
        r.command(argv("SET", "b", "2"), 30);
        r.command(argv("SELECT", "2"), 40);
        r.command(argv("SET", "c", "3"), 50);
        assertThat(sink.writes).containsExactly("SELECT 1", "SET b 2");
        assertThat(sink.advanced).isEqualTo(50);
        assertThat(counters.commandsFiltered.sum()).isEqualTo(2);
    }

    @Test
    void flushAllWithADatabaseFilterEmptiesOnlyTheFilteredDatabases() {
        Replayer r = replayer(new Filters(Set.of(2), false));
        r.command(argv("SELECT", "0"), 10);
        r.command(argv("FLUSHALL"), 20);
        assertThat(sink.writes).containsExactly("SELECT 2", "FLUSHDB");
        assertThat(sink.advanced).isEqualTo(20);
    }

    @Test
    void publishIsForwardedOnlyWhenAskedFor() {
        replayer(Filters.all()).command(argv("PUBLISH", "ch", "m"), 10);
        assertThat(sink.writes).isEmpty();
        replayer(new Filters(null, true)).command(argv("PUBLISH", "ch", "m"), 20);
        assertThat(sink.writes).containsExactly("PUBLISH ch m");
    }

    @Test
    void aPartialResyncContinuesInTheCheckpointedDatabase() {
        Replayer r = replayer(Filters.all());
        r.resumeDb(3);
        r.partialResync(new dev.ferry.source.ReplicationOffset("a".repeat(40), 100));
        r.command(argv("INCR", "n"), 120);
        assertThat(sink.writes).containsExactly("SELECT 3", "INCR n");
        assertThat(r.currentDb()).isEqualTo(3);
    }

    @Test
    void transactionsAreForwardedWhole() {
        Replayer r = replayer(Filters.all());
        r.command(argv("MULTI"), 1);
        r.command(argv("INCR", "x"), 2);
        r.command(argv("EXEC"), 3);
        assertThat(sink.writes).containsExactly("MULTI", "INCR x", "EXEC");
    }

    @Test
    void aResumeRetriesTheRefusedWriteAndPassesOverTheOthersAlreadyApplied() {
        Replayer r = replayer(Filters.all());
        r.resumeDb(2);
        r.resumeApplied(50, true);
        r.partialResync(new dev.ferry.source.ReplicationOffset("a".repeat(40), 10));
        r.command(argv("LPUSH", "l", "refused"), 20);
        r.command(argv("INCR", "applied"), 30);
        r.command(argv("SELECT", "4"), 35);
        r.command(argv("INCR", "applied-too"), 50);
        r.command(argv("INCR", "new"), 60);
        assertThat(sink.writes).containsExactly("SELECT 2", "LPUSH l refused", "SELECT 4", "INCR new");
        assertThat(sink.advanced).isEqualTo(60);
    }

    @Test
    void aSkippedRefusedWriteIsNotAppliedEither() {
        Replayer r = replayer(Filters.all());
        r.resumeDb(0);
        r.resumeApplied(30, false);
        r.partialResync(new dev.ferry.source.ReplicationOffset("a".repeat(40), 10));
        r.command(argv("LPUSH", "l", "refused"), 20);
        r.command(argv("INCR", "applied"), 30);
        r.command(argv("INCR", "new"), 40);
        assertThat(sink.writes).containsExactly("SELECT 0", "INCR new");
    }

    @Test
    void aTransactionTheReverseTaskAppliedIsNotCountedAsForwarded() {
        Replayer r = replayer(Filters.all());
        r.twoWay(new PeerMarks("peer"), value -> false, () -> { });
        r.command(argv("SELECT", "0"), 5);
        r.command(argv("MULTI"), 10);
        r.command(argv("INCR", "looped"), 20);
        r.command(argv("SET", "__ferry:cp:peer", "v1 stream x 1 0 1"), 30);
        r.command(argv("EXEC"), 40);
        r.command(argv("MULTI"), 50);
        r.command(argv("INCR", "a"), 60);
        r.command(argv("INCR", "b"), 70);
        r.command(argv("EXEC"), 80);
        assertThat(counters.commandsForwarded.sum()).isEqualTo(2);
        assertThat(counters.transactionsLooped.sum()).isEqualTo(1);
    }

    @Test
    void whileAnyMasterTaskOfTheReverseClusterTaskCopiesASnapshotNoWriteIsCarriedBack() {
        Replayer r = replayer(Filters.all());
        r.twoWay(new PeerMarks("peer"), value -> new String(value, StandardCharsets.US_ASCII).startsWith("v1 snapshot"),
                () -> { });
        r.command(argv("SELECT", "0"), 5);
        r.command(argv("SET", "__ferry:cp:{12}:peer.0000000a", "v1 snapshot r 1 -1 1"), 10);
        r.command(argv("SET", "restored-by-a", "x"), 20);
        // Another master's task of the reverse streams: the first one still copies, so writes are still dropped.
        r.command(argv("SET", "__ferry:cp:{7}:peer.0000000b", "r 100 0"), 30);
        r.command(argv("SET", "restored-by-a-too", "x"), 40);
        r.command(argv("SET", "__ferry:cp:{12}:peer.0000000a", "r 200 0"), 50);
        r.command(argv("SET", "client-write", "x"), 60);
        assertThat(sink.writes).containsExactly("SELECT 0", "SET client-write x");
    }

    @Test
    void scriptsOverFerrysOwnKeysOnlyNeverReachTheTarget() {
        Replayer r = replayer(Filters.all());
        r.command(argv("SELECT", "0"), 5);
        r.command(argv("EVAL", "return 1", "2", "__ferry:lease:t", "__ferry:fence:t", "x"), 10);
        r.command(argv("EVAL", "return 1", "2", "__ferry:lease:t", "user", "x"), 20);
        assertThat(sink.writes).containsExactly("SELECT 0", "EVAL return 1 2 __ferry:lease:t user x");
    }

    @Test
    void aMappedDatabaseIsSelectedWhereItLandsWhileTheSourceDatabaseIsTracked() {
        Replayer r = replayer(mapped(null, Map.of(1, 0, 2, 0)));
        r.command(argv("SELECT", "1"), 10);
        r.command(argv("SET", "d1:a", "1"), 20);
        r.command(argv("SELECT", "2"), 30);
        r.command(argv("SET", "d2:a", "2"), 40);
        r.command(argv("SELECT", "5"), 50);
        r.command(argv("SET", "d5:a", "5"), 60);
        assertThat(sink.writes).containsExactly("SELECT 0", "SET d1:a 1", "SET d2:a 2", "SELECT 5", "SET d5:a 5");
        assertThat(r.currentDb()).isEqualTo(5);
        assertThat(sink.advanced).isEqualTo(60);
    }

    @Test
    void aPartialResyncContinuesWhereTheCheckpointedSourceDatabaseLands() {
        Replayer r = replayer(mapped(Set.of(3), Map.of(3, 5)));
        r.resumeDb(3);
        r.partialResync(new dev.ferry.source.ReplicationOffset("a".repeat(40), 100));
        r.command(argv("INCR", "n"), 120);
        assertThat(sink.writes).containsExactly("SELECT 5", "INCR n");
        assertThat(r.currentDb()).isEqualTo(3);
    }

    @Test
    void aFlushdbOfADatabaseMergedWithOthersStopsBeforeAnythingOfItIsApplied() {
        Replayer r = replayer(mapped(Set.of(0, 1, 2), Map.of(1, 0, 2, 0)));
        r.command(argv("SELECT", "1"), 10);
        assertThatThrownBy(() -> r.command(argv("FLUSHDB"), 20)).isInstanceOf(FerryException.class)
                .hasMessageContaining("FLUSHDB in database 1").hasMessageContaining("--db-map 1:0,2:0")
                .hasMessageContaining("with 0,2 into target database 0");
        assertThat(sink.writes).containsExactly("SELECT 0");
        assertThat(sink.advanced).isEqualTo(10);
    }

    @Test
    void flushesOfDatabasesLandingAloneGoWhereTheyLand() {
        Replayer r = replayer(mapped(Set.of(3, 4), Map.of(3, 5)));
        r.command(argv("SELECT", "3"), 10);
        r.command(argv("FLUSHDB"), 20);
        r.command(argv("FLUSHALL"), 30);
        assertThat(sink.writes).containsExactly("SELECT 5", "FLUSHDB", "SELECT 4", "FLUSHDB", "SELECT 5", "FLUSHDB");
    }

    @Test
    void moveCopyAndSwapdbNameTheDatabasesWhereTheCopiedOnesLand() {
        Replayer r = replayer(mapped(Set.of(0, 1, 2, 3), Map.of(1, 0, 2, 5)));
        r.command(argv("SELECT", "0"), 10);
        r.command(argv("MOVE", "k", "1"), 20);
        r.command(argv("MOVE", "k", "2"), 30);
        r.command(argv("MOVE", "k", "9"), 40);
        r.command(argv("COPY", "k", "k", "DB", "1"), 50);
        r.command(argv("COPY", "k", "j", "db", "1", "REPLACE"), 60);
        r.command(argv("COPY", "k", "k", "DB", "2"), 70);
        r.command(argv("COPY", "k", "k", "DB", "9"), 80);
        r.command(argv("SWAPDB", "2", "3"), 90);
        r.command(argv("SWAPDB", "0", "1"), 100);
        r.command(argv("SWAPDB", "7", "8"), 110);
        assertThat(sink.writes).containsExactly("SELECT 0", "MOVE k 5", "DEL k", "COPY k j db 0 REPLACE",
                "COPY k k DB 5", "SWAPDB 5 3");
        assertThatThrownBy(() -> r.command(argv("SWAPDB", "0", "3"), 120)).isInstanceOf(FerryException.class)
                .hasMessageContaining("SWAPDB 0 3").hasMessageContaining("--db-map");
        assertThatThrownBy(() -> r.command(argv("SWAPDB", "3", "9"), 130)).isInstanceOf(FerryException.class)
                .hasMessageContaining("not copied");
        assertThat(sink.advanced).isEqualTo(110);
    }

    @Test
    void withoutFilterOrMapDatabaseCommandsGoAsTheyAre() {
        Replayer r = replayer(Filters.all());
        r.command(argv("SELECT", "0"), 10);
        r.command(argv("MOVE", "k", "1"), 20);
        r.command(argv("SWAPDB", "0", "1"), 30);
        r.command(argv("FLUSHDB"), 40);
        assertThat(sink.writes).containsExactly("SELECT 0", "MOVE k 1", "SWAPDB 0 1", "FLUSHDB");
    }

    private static Filters mapped(Set<Integer> dbs, Map<Integer, Integer> map) {
        return new Filters(dbs, false, KeyFilter.all(), DbMap.of(map));
    }

    static byte[][] argv(String... parts) {
        byte[][] a = new byte[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            a[i] = parts[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return a;
    }
}
