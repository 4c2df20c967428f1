package dev.ferry.cluster;

import dev.ferry.FerryException;
import org.junit.jupiter.api.Test;

import static dev.ferry.cluster.SlotSplitTest.argv;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreArgsTest {

    @Test
    void zunionstoreSourcesAreTheNumkeysKeysAndNotTheWeights() {
        StoreArgs args = StoreArgs.of("zunionstore", argv("ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2", "AGGREGATE", "MAX"));

        assertThat(args.destination()).isEqualTo(1);
        assertThat(args.sources()).containsExactly(3, 4);
    }

    @Test
    void bitopReadsEverythingAfterItsDestination() {
        StoreArgs args = StoreArgs.of("bitop", argv("BITOP", "OR", "d", "a", "b", "c"));

        assertThat(args.destination()).isEqualTo(2);
        assertThat(args.sources()).containsExactly(3, 4, 5);
    }

    @Test
    void pfmergeReadsItsDestinationToo() {
        StoreArgs args = StoreArgs.of("pfmerge", argv("PFMERGE", "d", "a", "b"));

        assertThat(args.sources()).containsExactly(1, 2, 3);
    }

    @Test
    void searchAndRangeStoresHaveOneSourceWhateverTheirOptions() {
        assertThat(StoreArgs.of("geosearchstore", argv("GEOSEARCHSTORE", "d", "s", "FROMMEMBER", "m", "BYRADIUS", "5", "km")).sources())
                .containsExactly(2);
        assertThat(StoreArgs.of("zrangestore", argv("ZRANGESTORE", "d", "s", "0", "-1")).sources()).containsExactly(2);
    }

    @Test
    void sortStoreFindsItsDestinationAfterLimitAndNosortPatterns() {
        StoreArgs args = StoreArgs.of("sort", argv("SORT", "s", "BY", "nosort", "LIMIT", "0", "10", "GET", "#", "ALPHA", "STORE", "d"));

        assertThat(args.destination()).isEqualTo(11);
        assertThat(args.sources()).containsExactly(1);
    }

    @Test
    void sortByOrGetPatternsThatNameOtherKeysAreRefusedWithTheOption() {
        assertThatThrownBy(() -> StoreArgs.of("sort", argv("SORT", "s", "BY", "w_*", "STORE", "d")))
                .isInstanceOf(FerryException.class).hasMessageContaining("SORT … BY <pattern>");
        assertThatThrownBy(() -> StoreArgs.of("sort", argv("SORT", "s", "GET", "obj_*", "STORE", "d")))
                .isInstanceOf(FerryException.class).hasMessageContaining("GET <pattern>");
    }

    @Test
    void aNumkeysBeyondTheArgumentsIsMalformed() {
        assertThatThrownBy(() -> StoreArgs.of("zinterstore", argv("ZINTERSTORE", "d", "5", "a", "b")))
                .isInstanceOf(FerryException.class).hasMessageContaining("malformed ZINTERSTORE");
    }

    @Test
    void aLoneSortGetHashIsLeftOutBecauseAClusterRefusesGet() {
        byte[][] argv = StoreArgs.forCluster("sort", argv("SORT", "s", "LIMIT", "0", "5", "GET", "#", "STORE", "d"));

        assertThat(java.util.Arrays.stream(argv).map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8)))
                .containsExactly("SORT", "s", "LIMIT", "0", "5", "STORE", "d");
    }

    @Test
    void severalSortGetsAreRefused() {
        assertThatThrownBy(() -> StoreArgs.forCluster("sort", argv("SORT", "s", "GET", "#", "GET", "#", "STORE", "d")))
                .isInstanceOf(FerryException.class).hasMessageContaining("GET … GET");
    }
}
