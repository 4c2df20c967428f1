package dev.ferry.pipeline;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DbMapTest {

    private static final DbMap MERGE = DbMap.of(List.of(new DbMap.Pair(0, 0), new DbMap.Pair(1, 0), new DbMap.Pair(2, 0)));

    @Test
    void pairsParseAsTwoDatabaseNumbersAroundAColon() {
        assertThat(DbMap.Pair.parse("3:0")).isEqualTo(new DbMap.Pair(3, 0));
        assertThat(DbMap.Pair.parse(" 3 : 15 ")).isEqualTo(new DbMap.Pair(3, 15));
        for (String bad : List.of("1", "a:b", "1:-1", "-1:0", "1:2:3", ":1", "1:", "")) {
            assertThatThrownBy(() -> DbMap.Pair.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected: SRC:DST");
        }
    }

    @Test
    void unmappedDatabasesKeepTheirNumberAndIdentityEntriesAreNoMap() {
        assertThat(MERGE.target(1)).isZero();
        assertThat(MERGE.target(7)).isEqualTo(7);
        assertThat(MERGE).isEqualTo(DbMap.of(Map.of(1, 0, 2, 0)));
        assertThat(MERGE.toString()).isEqualTo("1:0,2:0");
        assertThat(DbMap.of(Map.of(4, 4)).isIdentity()).isTrue();
    }

    @Test
    void aSourceDatabaseWithTwoDestinationsIsRefused() {
        assertThatThrownBy(() -> DbMap.of(List.of(new DbMap.Pair(1, 0), new DbMap.Pair(1, 2))))
                .hasMessageContaining("source database 1 is mapped twice, to 0 and to 2");
        assertThat(DbMap.of(List.of(new DbMap.Pair(1, 0), new DbMap.Pair(1, 0))).target(1)).isZero();
    }

    @Test
    void mergesAreFoundAmongTheCopiedDatabasesOrAllOfThem() {
        assertThat(MERGE.merges(Set.of(0, 1, 2))).isTrue();
        assertThat(MERGE.mergedWith(1, Set.of(0, 1, 2))).containsExactly(0, 2);
        assertThat(MERGE.merges(Set.of(1))).isFalse();
        DbMap move = DbMap.of(Map.of(3, 5));
        assertThat(move.merges(Set.of(3))).isFalse();
        // With every database copied, source database 5 lands in 5 too.
        assertThat(move.merges(null)).isTrue();
        assertThat(move.mergedWith(3, null)).containsExactly(5);
        assertThat(DbMap.of(Map.of(0, 1, 1, 0)).merges(null)).isFalse();
    }

    @Test
    void destinationsAndSourcesOfATargetDatabase() {
        assertThat(MERGE.destinations(Set.of(0, 1, 2, 4))).containsExactly(0, 4);
        assertThat(MERGE.sources(0, Set.of(1, 2))).containsExactly(1, 2);
        assertThat(MERGE.sources(0, null)).containsExactly(0, 1, 2);
        assertThat(MERGE.sources(1, null)).isEmpty();
        assertThat(MERGE.isDestination(1, null)).isFalse();
        assertThat(MERGE.isDestination(3, null)).isTrue();
        assertThat(MERGE.isDestination(3, Set.of(0, 1))).isFalse();
    }

    @Test
    void theReverseDirectionMapsBackUnlessDatabasesWereMerged() {
        assertThat(DbMap.of(Map.of(3, 5)).inverse(Set.of(3))).isEqualTo(DbMap.of(Map.of(5, 3)));
        assertThatThrownBy(() -> MERGE.inverse(null)).hasMessageContaining("merges databases");
    }
}
