package dev.ferry.checkpoint;

import dev.ferry.cluster.SlotHash;
import dev.ferry.source.ReplicationOffset;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SlotCheckpointsTest {

    private static final String REPL = "8f1e2d3c4b5a69788796a5b4c3d2e1f001122334";
    private static final ReplicationOffset BASE = new ReplicationOffset(REPL, 1000);

    @Test
    void aSlotAheadOfTheBasePassesOverItsOwnWritesUpToItsOffsetAndNoOtherSlotsWrites() {
        SlotCheckpoints slots = new SlotCheckpoints("task");
        int slot = 42;

        assertThat(slots.load(slots.key(slot), SlotCheckpoints.value(new ReplicationOffset(REPL, 1500), 0), BASE)).isTrue();

        assertThat(slots.covers(slot, 1001)).isTrue();
        assertThat(slots.covers(slot, 1500)).isTrue();
        assertThat(slots.covers(slot, 1501)).as("the first write the slot did not apply").isFalse();
        assertThat(slots.covers(43, 1001)).as("another slot applied nothing beyond the base").isFalse();
        assertThat(slots.slotsAhead()).isEqualTo(1);
    }

    @Test
    void slotCheckpointsAtOrBelowTheBaseOrOfAnotherHistoryAreIgnored() {
        SlotCheckpoints slots = new SlotCheckpoints("task");

        assertThat(slots.load(slots.key(1), SlotCheckpoints.value(new ReplicationOffset(REPL, 1000), 0), BASE)).isFalse();
        assertThat(slots.load(slots.key(2), SlotCheckpoints.value(new ReplicationOffset(REPL, 900), 0), BASE)).isFalse();
        assertThat(slots.load(slots.key(3), SlotCheckpoints.value(new ReplicationOffset("0".repeat(40), 5000), 0), BASE))
                .isFalse();
        assertThat(slots.load(slots.key(4), "garbage".getBytes(StandardCharsets.US_ASCII), BASE)).isFalse();

        assertThat(slots.covers(2, 950)).isFalse();
        assertThat(slots.covers(3, 1001)).isFalse();
        assertThat(slots.slotsAhead()).isZero();
    }

    @Test
    void theRefusedWriteIsAppliedAgainOnceAndOnlyWhileItsSlotHasNotMovedOn() {
        SlotCheckpoints slots = new SlotCheckpoints("task");
        slots.load(slots.key(9), SlotCheckpoints.value(new ReplicationOffset(REPL, 1500), 0), BASE);

        assertThat(slots.retry(9, 1200, 1500)).isTrue();

        assertThat(slots.applied(9, 1100, 1200)).as("an earlier write of that transaction").isTrue();
        assertThat(slots.applied(9, 1200, 1300)).as("the refused write").isFalse();
        assertThat(slots.applied(9, 1200, 1300)).as("only once").isTrue();
        assertThat(slots.applied(10, 1200, 1300)).as("another slot's part of it").isFalse();

        SlotCheckpoints later = new SlotCheckpoints("task");
        later.load(later.key(9), SlotCheckpoints.value(new ReplicationOffset(REPL, 1700), 0), BASE);
        assertThat(later.retry(9, 1200, 1500)).as("a later run applied it with the slot's next transaction").isFalse();
        assertThat(later.applied(9, 1200, 1300)).isTrue();
    }

    @Test
    void aBaseCheckpointRecordsTheRefusedSlotWriteAndReadsItBack() {
        Checkpoint base = Checkpoint.stream(new ReplicationOffset(REPL, 1000), 0, true).withRefusedInSlot(9, 1200, 1500);

        Checkpoint read = Checkpoint.decode(base.encode());

        assertThat(read).isEqualTo(base);
        assertThat(read.hasRefusedWrite()).isTrue();
        assertThat(read.refusedSlot()).isEqualTo(9);
        assertThat(read.refusedStart()).isEqualTo(1200);
        assertThat(read.refusedSlotAt()).isEqualTo(1500);
        assertThat(new String(read.encode(), StandardCharsets.US_ASCII)).startsWith("v3 stream ");
        assertThat(Checkpoint.decode(Checkpoint.stream(new ReplicationOffset(REPL, 1000), 0, true).encode()).hasRefusedWrite())
                .isFalse();
    }

    @Test
    void clearingForANewSnapshotForgetsEverySlot() {
        SlotCheckpoints slots = new SlotCheckpoints("task");
        slots.load(slots.key(7), SlotCheckpoints.value(new ReplicationOffset(REPL, 2000), 0), BASE);

        slots.clear();

        assertThat(slots.covers(7, 1001)).isFalse();
    }

    @Test
    void everySlotsKeyLivesInThatSlotAndNamesTheTask() {
        SlotCheckpoints slots = new SlotCheckpoints("t1");
        for (int slot = 0; slot < SlotHash.SLOTS; slot += 97) {
            byte[] key = slots.key(slot);
            assertThat(SlotHash.slot(key)).isEqualTo(slot);
            assertThat(new String(key, StandardCharsets.US_ASCII)).startsWith("__ferry:cp:{").endsWith("}:t1");
        }
    }

    @Test
    void theScanPatternEscapesGlobCharactersOfTheTaskId() {
        assertThat(new SlotCheckpoints("a*b?[c]\\d").pattern()).isEqualTo("__ferry:cp:{*}:a\\*b\\?\\[c\\]\\\\d");
    }
}
