package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.resp.RedisConnectionException;
import dev.ferry.source.SnapshotTransferException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotRetriesTest {

    private static SnapshotTransferException closed(long bytes) {
        return new SnapshotTransferException("snapshot broken after " + bytes + " bytes: the source closed the link",
                "the source closed the link", true, null);
    }

    @Test
    void theThirdIdenticalSnapshotFailureInARowStopsTheTaskWithTheSourcesReason() {
        SnapshotRetries retries = new SnapshotRetries();
        assertThat(retries.record(closed(10))).isNull();
        assertThat(retries.record(closed(900))).isNull();
        FerryException stop = retries.record(closed(20));
        assertThat(stop).isNotNull();
        assertThat(stop.isRetriable()).isFalse();
        assertThat(stop.getMessage()).contains("failed 3 times in a row").contains("the source closed the link")
                .contains("after 20 bytes");
    }

    @Test
    void anotherFailureATimeoutOrACompletedSnapshotStartsTheCountAgain() {
        SnapshotRetries retries = new SnapshotRetries();
        SnapshotTransferException timeout = new SnapshotTransferException("silent", "silent", false, null);
        SnapshotTransferException refused = new SnapshotTransferException("refused", "it answered: ERR", true, null);
        retries.record(closed(1));
        retries.record(closed(1));
        assertThat(retries.record(refused)).isNull();
        assertThat(retries.record(closed(1))).isNull();
        assertThat(retries.record(timeout)).isNull();
        assertThat(retries.record(closed(1))).isNull();
        assertThat(retries.record(new RedisConnectionException("connection refused", null))).isNull();
        assertThat(retries.record(closed(1))).isNull();
        retries.reset();
        assertThat(retries.record(closed(1))).isNull();
        assertThat(retries.record(closed(1))).isNull();
        assertThat(retries.record(closed(1))).isNotNull();
    }
}
