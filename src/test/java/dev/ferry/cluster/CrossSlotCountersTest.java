package dev.ferry.cluster;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CrossSlotCountersTest {

    @Test
    void aSnapshotCountsPerCommandAndDoesNotMoveAfterwards() {
        CrossSlotCounters counters = new CrossSlotCounters();
        counters.countSplit("MSET");
        counters.countSplit("MSET");
        counters.countSplit("DEL");
        counters.countEmulated("RENAME");

        CrossSlotCounters.Snapshot snapshot = counters.snapshot();
        counters.countEmulated("RENAME");

        assertThat(snapshot.split()).containsExactly(java.util.Map.entry("DEL", 1L), java.util.Map.entry("MSET", 2L));
        assertThat(snapshot.emulated()).containsExactly(java.util.Map.entry("RENAME", 1L));
        assertThat(snapshot.total()).isEqualTo(4);
        assertThat(snapshot.describe()).isEqualTo("split DEL 1, MSET 2; emulated RENAME 1");
        assertThat(counters.snapshot().emulated()).containsEntry("RENAME", 2L);
    }

    @Test
    void sourceTransactionsAppliedPerSlotAreCountedWithTheCommands() {
        CrossSlotCounters counters = new CrossSlotCounters();
        counters.countTransaction();
        assertThat(counters.snapshot().describe()).isEqualTo("1 transaction applied per slot");

        counters.countTransaction();
        counters.countEmulated("LMOVE");

        assertThat(counters.snapshot().transactions()).isEqualTo(2);
        assertThat(counters.snapshot().total()).isEqualTo(3);
        assertThat(counters.snapshot().describe()).isEqualTo("emulated LMOVE 1; 2 transactions applied per slot");
    }

    @Test
    void nothingCountedDescribesItselfAsNone() {
        assertThat(new CrossSlotCounters().snapshot().describe()).isEqualTo("none");
    }
}
