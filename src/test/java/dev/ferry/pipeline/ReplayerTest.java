package dev.ferry.pipeline;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

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
        byte[] peerMark = "__ferry:cp:peer".getBytes(StandardCharsets.US_ASCII);
        r.twoWay(peerMark, value -> false, () -> { });
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
    void scriptsOverFerrysOwnKeysOnlyNeverReachTheTarget() {
        Replayer r = replayer(Filters.all());
        r.command(argv("SELECT", "0"), 5);
        r.command(argv("EVAL", "return 1", "2", "__ferry:lease:t", "__ferry:fence:t", "x"), 10);
        r.command(argv("EVAL", "return 1", "2", "__ferry:lease:t", "user", "x"), 20);
        assertThat(sink.writes).containsExactly("SELECT 0", "EVAL return 1 2 __ferry:lease:t user x");
    }

    static byte[][] argv(String... parts) {
        byte[][] a = new byte[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            a[i] = parts[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return a;
    }
}
