package dev.ferry.cluster;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SlotSplitTest {

    private static final byte[] MSET = bytes("MSET");
    private static final byte[] DEL = bytes("DEL");

    @Test
    void msetPairsAreGroupedPerSlotWithEachKeyKeepingItsValue() {
        byte[][] argv = argv("MSET", "{a}1", "x1", "{b}1", "y1", "{a}2", "x2", "{c}1", "z1", "{b}2", "y2");

        List<byte[][]> parts = SlotSplit.bySlot(argv, MSET, 1, 2);

        assertThat(parts).extracting(SlotSplitTest::texts).containsExactly(
                List.of("MSET", "{a}1", "x1", "{a}2", "x2"),
                List.of("MSET", "{b}1", "y1", "{b}2", "y2"),
                List.of("MSET", "{c}1", "z1"));
    }

    @Test
    void aKeyGivenTwiceStaysInOrderSoTheLaterValueWins() {
        byte[][] argv = argv("MSET", "{a}k", "first", "{b}k", "other", "{a}k", "second");

        List<byte[][]> parts = SlotSplit.bySlot(argv, MSET, 1, 2);

        assertThat(texts(parts.get(0))).containsExactly("MSET", "{a}k", "first", "{a}k", "second");
    }

    @Test
    void everyKeyOfADelLandsInExactlyOneCommandOfItsOwnSlot() {
        List<String> args = new ArrayList<>(List.of("DEL"));
        for (int i = 0; i < 500; i++) {
            args.add("key:" + i);
        }
        byte[][] argv = argv(args.toArray(String[]::new));

        List<byte[][]> parts = SlotSplit.bySlot(argv, DEL, 1, 1);

        List<String> seen = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        for (byte[][] part : parts) {
            int slot = SlotHash.slot(part[1]);
            assertThat(slots).doesNotContain(slot);
            slots.add(slot);
            for (int i = 1; i < part.length; i++) {
                assertThat(SlotHash.slot(part[i])).isEqualTo(slot);
                seen.add(new String(part[i], StandardCharsets.UTF_8));
            }
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(args.subList(1, args.size()));
    }

    @Test
    void keysSharingASlotGiveTheCommandBackWhole() {
        byte[][] argv = argv("DEL", "{user:1}a", "{user:1}b", "{user:1}c");

        List<byte[][]> parts = SlotSplit.bySlot(argv, DEL, 1, 1);

        assertThat(parts).hasSize(1);
        assertThat(texts(parts.get(0))).isEqualTo(texts(argv));
    }

    @Test
    void anOddNumberOfMsetArgumentsIsRefused() {
        assertThatThrownBy(() -> SlotSplit.bySlot(argv("MSET", "a", "1", "b"), MSET, 1, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static byte[][] argv(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = bytes(args[i]);
        }
        return argv;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> texts(byte[][] argv) {
        List<String> texts = new ArrayList<>();
        for (byte[] a : argv) {
            texts.add(new String(a, StandardCharsets.UTF_8));
        }
        return texts;
    }
}
