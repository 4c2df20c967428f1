package dev.ferry.cluster;

import dev.ferry.FerryException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The parts of cross-slot commands and their order: what a part needs read comes before the part that changes
 * it, so that a task resumed after the first parts builds the rest without reading anything.
 */
class CrossSlotPlanTest {

    /** The target's values as plain maps: what each read answers, and which keys were read. */
    private static final class Values implements CrossSlotPlan.Reads {
        final Map<String, String> strings = new HashMap<>();
        final Map<String, List<String>> lists = new HashMap<>();
        final Map<String, Set<String>> sets = new HashMap<>();
        final List<String> read = new ArrayList<>();

        @Override
        public byte[][] copyOf(byte[] from, byte[] to, boolean replace, boolean keepExpiry) {
            read.add(text(from));
            String value = strings.get(text(from));
            if (value == null) {
                return null;
            }
            List<String> restore = new ArrayList<>(List.of("RESTORE", text(to), keepExpiry ? "ttl-of-" + text(from) : "0",
                    "payload:" + value));
            if (replace) {
                restore.add("REPLACE");
            }
            return argv(restore.toArray(new String[0]));
        }

        @Override
        public byte[] end(byte[] key, boolean left) {
            read.add(text(key));
            List<String> list = lists.getOrDefault(text(key), List.of());
            return list.isEmpty() ? null : bytes(list.get(left ? 0 : list.size() - 1));
        }

        @Override
        public boolean has(byte[] key, byte[] member) {
            read.add(text(key));
            return sets.getOrDefault(text(key), Set.of()).contains(text(member));
        }

        @Override
        public boolean exists(byte[] key) {
            read.add(text(key));
            return strings.containsKey(text(key)) || lists.containsKey(text(key)) || sets.containsKey(text(key));
        }
    }

    /** Reads that must not happen: a resumed plan builds its remaining parts from nothing read. */
    private static final CrossSlotPlan.Reads NO_READS = new CrossSlotPlan.Reads() {
        @Override
        public byte[][] copyOf(byte[] from, byte[] to, boolean replace, boolean keepExpiry) {
            throw new AssertionError("read " + text(from));
        }

        @Override
        public byte[] end(byte[] key, boolean left) {
            throw new AssertionError("read " + text(key));
        }

        @Override
        public boolean has(byte[] key, byte[] member) {
            throw new AssertionError("read " + text(key));
        }

        @Override
        public boolean exists(byte[] key) {
            throw new AssertionError("read " + text(key));
        }
    };

    @Test
    void aRenameRestoresTheDestinationFirstAndDeletesTheSourceLast() {
        Values target = new Values();
        target.strings.put("{a}k", "v");

        List<CrossSlotPlan.Part> parts = CrossSlotPlan.of(argv("RENAME", "{a}k", "{b}k")).parts(0, target);

        assertThat(parts).extracting(CrossSlotPlan.Part::slot).containsExactly(slot("{b}"), slot("{a}"));
        assertThat(texts(parts.get(0))).containsExactly(List.of("RESTORE", "{b}k", "ttl-of-{a}k", "payload:v", "REPLACE"));
        assertThat(texts(parts.get(1))).containsExactly(List.of("DEL", "{a}k"));
        assertThat(target.read).containsExactly("{a}k");
    }

    @Test
    void aResumeAfterTheFirstPartAppliesTheRestWithoutReadingWhatThatPartChangedOrConsumed() {
        for (String[] command : List.of(cmd("RENAME", "{a}k", "{b}k"), cmd("RENAMENX", "{a}k", "{b}new"),
                cmd("LMOVE", "{a}l", "{b}l", "RIGHT", "LEFT"), cmd("BLMOVE", "{a}l", "{b}l", "LEFT", "LEFT", "0"),
                cmd("RPOPLPUSH", "{a}l", "{b}l"), cmd("SMOVE", "{a}s", "{b}s", "m"))) {
            CrossSlotPlan plan = CrossSlotPlan.of(argv(command));
            List<CrossSlotPlan.Part> whole = plan.parts(0, populated());

            assertThat(whole).as(String.join(" ", command)).hasSize(2);
            List<CrossSlotPlan.Part> rest = plan.parts(1, NO_READS);
            assertThat(rest).as(String.join(" ", command)).hasSize(1);
            assertThat(rest.get(0).slot()).isEqualTo(slot("{a}"));
            assertThat(texts(rest.get(0))).isEqualTo(texts(whole.get(1)));
            assertThat(plan.parts(2, NO_READS)).isEmpty();
        }
    }

    @Test
    void aCommandOfOnePartHasNothingLeftOnceItIsApplied() {
        for (String[] command : List.of(cmd("COPY", "{a}k", "{b}copy"), cmd("SUNIONSTORE", "{d}u", "{a}s", "{b}s"),
                cmd("BITOP", "OR", "{d}o", "{a}k", "{d}k"))) {
            CrossSlotPlan plan = CrossSlotPlan.of(argv(command));

            assertThat(plan.slots()).as(String.join(" ", command)).hasSize(1);
            assertThat(plan.parts(0, populated())).as(String.join(" ", command)).hasSize(1);
            assertThat(plan.parts(1, NO_READS)).isEmpty();
        }
    }

    @Test
    void anLmoveReadsTheSourceEndItPopsAndPushesItOnTheDestinationSide() {
        Values target = new Values();
        target.lists.put("{a}l", List.of("first", "middle", "last"));

        List<CrossSlotPlan.Part> right = CrossSlotPlan.of(argv("LMOVE", "{a}l", "{b}l", "RIGHT", "LEFT")).parts(0, target);
        List<CrossSlotPlan.Part> rpoplpush = CrossSlotPlan.of(argv("RPOPLPUSH", "{a}l", "{b}l")).parts(0, target);
        List<CrossSlotPlan.Part> left = CrossSlotPlan.of(argv("BLMOVE", "{a}l", "{b}l", "LEFT", "RIGHT", "5")).parts(0, target);

        assertThat(texts(right.get(0))).containsExactly(List.of("LPUSH", "{b}l", "last"));
        assertThat(texts(right.get(1))).containsExactly(List.of("RPOP", "{a}l"));
        assertThat(texts(rpoplpush.get(0))).isEqualTo(texts(right.get(0)));
        assertThat(texts(rpoplpush.get(1))).isEqualTo(texts(right.get(1)));
        assertThat(texts(left.get(0))).containsExactly(List.of("RPUSH", "{b}l", "first"));
        assertThat(texts(left.get(1))).containsExactly(List.of("LPOP", "{a}l"));
        assertThat(left.get(1).result()).as("the pop answers for the command").isZero();
    }

    @Test
    void whatChangesNothingOnTheTargetHasNoParts() {
        Values target = new Values();
        target.strings.put("{a}k", "v");
        target.strings.put("{b}taken", "w");
        target.sets.put("{a}s", Set.of("other"));

        assertThat(CrossSlotPlan.of(argv("RENAMENX", "{a}k", "{b}taken")).parts(0, target)).isEmpty();
        assertThat(CrossSlotPlan.of(argv("COPY", "{a}k", "{b}taken")).parts(0, target)).isEmpty();
        assertThat(CrossSlotPlan.of(argv("COPY", "{a}missing", "{b}new")).parts(0, target)).isEmpty();
        assertThat(CrossSlotPlan.of(argv("SMOVE", "{a}s", "{b}s", "m")).parts(0, target)).isEmpty();
        assertThat(CrossSlotPlan.of(argv("LMOVE", "{a}empty", "{b}l", "LEFT", "LEFT")).parts(0, target)).isEmpty();
        assertThat(texts(CrossSlotPlan.of(argv("COPY", "{a}k", "{b}taken", "REPLACE")).parts(0, target).get(0)))
                .containsExactly(List.of("RESTORE", "{b}taken", "ttl-of-{a}k", "payload:v", "REPLACE"));
    }

    @Test
    void aRenameOfAKeyTheTargetLacksStopsAsASingleServerWouldRefuseIt() {
        assertThatThrownBy(() -> CrossSlotPlan.of(argv("RENAME", "{a}missing", "{b}k")).parts(0, new Values()))
                .isInstanceOf(FerryException.class).hasMessageContaining("holds no key").hasMessageContaining("verify");
    }

    @Test
    void aStoreCommandIsOnePartInTheDestinationSlotWithItsForeignSourcesCopiedThereAndDeleted() {
        Values target = new Values();
        target.strings.put("{a}s", "set a");
        target.strings.put("{d}near", "set near");

        CrossSlotPlan plan = CrossSlotPlan.of(argv("SUNIONSTORE", "{d}u", "{a}s", "{d}near", "{c}missing", "{a}s"));
        List<CrossSlotPlan.Part> parts = plan.parts(0, target);

        assertThat(plan.slots()).containsExactly(slot("{d}"));
        assertThat(parts).hasSize(1);
        List<List<String>> writes = texts(parts.get(0));
        String copyOfA = writes.get(0).get(1);
        String copyOfMissing = writes.get(1).get(4);
        assertThat(writes.get(0)).containsExactly("RESTORE", copyOfA, "0", "payload:set a", "REPLACE");
        assertThat(writes.get(1)).containsExactly("SUNIONSTORE", "{d}u", copyOfA, "{d}near", copyOfMissing, copyOfA);
        assertThat(writes.get(2)).containsExactly("DEL", copyOfA, copyOfMissing);
        assertThat(parts.get(0).result()).isEqualTo(1);
        assertThat(List.of(copyOfA, copyOfMissing)).allSatisfy(t -> {
            assertThat(t).startsWith(CrossSlotPlan.TEMPORARY_PREFIX);
            assertThat(slot(t)).isEqualTo(slot("{d}"));
        });
        assertThat(target.read).as("each source of another slot read once").containsExactly("{a}s", "{c}missing");
    }

    @Test
    void keysInOneSlotAreNotAcrossSlotsAndFormsAClusterCannotTakeAreRefused() {
        assertThat(CrossSlotPlan.of(argv("BITOP", "AND", "{u}d", "{u}a", "{u}b")).acrossSlots()).isFalse();
        assertThat(CrossSlotPlan.of(argv("BITOP", "AND", "{u}d", "{v}a")).acrossSlots()).isTrue();
        assertThatThrownBy(() -> CrossSlotPlan.of(argv("COPY", "{a}k", "{b}k", "DB", "3")))
                .isInstanceOf(FerryException.class).hasMessageContaining("COPY … DB");
        assertThatThrownBy(() -> CrossSlotPlan.of(argv("SORT", "{a}l", "BY", "w_*", "STORE", "{b}d")))
                .isInstanceOf(FerryException.class).hasMessageContaining("SORT … BY <pattern>");
    }

    private static Values populated() {
        Values target = new Values();
        target.strings.put("{a}k", "v");
        target.lists.put("{a}l", List.of("x", "y"));
        target.sets.put("{a}s", Set.of("m"));
        target.sets.put("{b}s", Set.of("n"));
        target.strings.put("{a}s", "set");
        target.strings.put("{b}s", "set");
        return target;
    }

    private static String[] cmd(String... args) {
        return args;
    }

    private static int slot(String key) {
        return SlotHash.slot(bytes(key));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[][] argv(String... args) {
        return Arrays.stream(args).map(CrossSlotPlanTest::bytes).toArray(byte[][]::new);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static List<String> texts(byte[][] argv) {
        return Arrays.stream(argv).map(CrossSlotPlanTest::text).toList();
    }

    private static List<List<String>> texts(CrossSlotPlan.Part part) {
        return part.writes().stream().map(CrossSlotPlanTest::texts).toList();
    }
}
