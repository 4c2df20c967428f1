package dev.ferry.server;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class AssignmentTest {

    private static List<String> names(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }

    private static Map<String, Long> loads(Map<String, String> owners) {
        return owners.values().stream().collect(Collectors.groupingBy(w -> w, Collectors.counting()));
    }

    @Test
    void twelveTasksOnThreeWorkersAreFourEachAndEveryWorkerFindsTheSameAnswerWhateverTheOrder() {
        List<String> tasks = names("task-", 12);
        List<String> workers = List.of("ferry-worker-0", "ferry-worker-1", "ferry-worker-2");
        Map<String, String> owners = Assignment.of(tasks, workers);
        assertThat(owners).hasSize(12);
        assertThat(loads(owners)).containsOnlyKeys(workers).allSatisfy((w, n) -> assertThat(n).isEqualTo(4));
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            List<String> t = new ArrayList<>(tasks);
            List<String> w = new ArrayList<>(workers);
            Collections.shuffle(t, random);
            Collections.shuffle(w, random);
            assertThat(Assignment.of(t, w)).isEqualTo(owners);
        }
    }

    @Test
    void loadsNeverDifferByMoreThanOne() {
        for (int tasks = 1; tasks <= 40; tasks += 3) {
            for (int workers = 1; workers <= 7; workers++) {
                Map<String, Long> loads = loads(Assignment.of(names("t", tasks), names("w", workers)));
                long max = loads.values().stream().mapToLong(Long::longValue).max().orElseThrow();
                assertThat(max).as("%d tasks on %d workers", tasks, workers).isEqualTo((tasks + workers - 1) / workers);
            }
        }
    }

    @Test
    void aWorkerThatLeavesMovesItsOwnTasksAndFewOthers() {
        List<String> tasks = names("task-", 12);
        Map<String, String> before = Assignment.of(tasks, List.of("a", "b", "c"));
        Map<String, String> after = Assignment.of(tasks, List.of("a", "b"));
        long movedOfOthers = tasks.stream().filter(t -> !before.get(t).equals("c") && !before.get(t).equals(after.get(t))).count();
        assertThat(after.values()).doesNotContain("c");
        // Rendezvous hashing keeps every other task where it was, unless the bound on loads moves it.
        assertThat(movedOfOthers).isLessThanOrEqualTo(2);
    }

    @Test
    void aWorkerThatJoinsTakesItsShareMostlyFromTheOthersSurplus() {
        List<String> tasks = names("task-", 12);
        Map<String, String> before = Assignment.of(tasks, List.of("a", "b", "c"));
        Map<String, String> after = Assignment.of(tasks, List.of("a", "b", "c", "d"));
        assertThat(loads(after)).containsEntry("d", 3L);
        long moved = tasks.stream().filter(t -> !before.get(t).equals(after.get(t))).count();
        // Three tasks must move to d; a modulo over 4 would move about 9.
        assertThat(moved).isBetween(3L, 5L);
    }

    @Test
    void noWorkerNoOwner() {
        assertThat(Assignment.of(List.of("t"), List.of())).isEmpty();
    }
}
