package dev.ferry.checkpoint;

import dev.ferry.FerryException;
import dev.ferry.source.ReplicationOffset;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointTest {

    private static final ReplicationOffset AT = new ReplicationOffset("a".repeat(40), 1000);

    @Test
    void everyFormReadsBackAsWritten() {
        Checkpoint plain = Checkpoint.stream(AT, 3, true);
        Checkpoint applied = plain.withApplied(1200, true);
        Checkpoint refused = plain.withRefusedInSlot(42, 1100, 900);
        Checkpoint quiet = plain.withDataThrough(700);

        for (Checkpoint cp : new Checkpoint[] {plain, applied, refused, quiet, Checkpoint.snapshot(AT, false)}) {
            assertThat(Checkpoint.decode(cp.encode())).isEqualTo(cp);
        }
        assertThat(new String(quiet.encode(), StandardCharsets.US_ASCII)).isEqualTo("v1 stream " + "a".repeat(40) + " 1000 3 1 @700");
        assertThat(Checkpoint.decode(quiet.encode()).dataThrough()).isEqualTo(700);
    }

    @Test
    void dataThroughIsKeptOnlyWhenItSaysSomething() {
        // At or past the position it says nothing; with writes applied beyond the position it would be wrong.
        assertThat(Checkpoint.stream(AT, 0, true).withDataThrough(1000).dataThrough()).isEqualTo(-1);
        assertThat(Checkpoint.stream(AT, 0, true).withApplied(1200, false).withDataThrough(700).dataThrough()).isEqualTo(-1);
        assertThat(Checkpoint.snapshot(AT, true).withDataThrough(700).dataThrough()).isEqualTo(-1);
        assertThat(Checkpoint.stream(AT, 0, true).withDataThrough(700).withApplied(900, false).dataThrough()).isEqualTo(700);
    }

    @Test
    void aMalformedDataMarkIsRefusedSayingWhatToDo() {
        byte[] bad = ("v1 stream " + "a".repeat(40) + " 1000 3 1 @x").getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> Checkpoint.decode(bad)).isInstanceOf(FerryException.class)
                .hasMessageContaining("delete the key to start over");
    }
}
