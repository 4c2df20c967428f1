package dev.ferry.checkpoint;

import dev.ferry.FerryException;
import dev.ferry.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SlotWritesTest {

    /** Where the keys are, as a source's COMMAND table says for the commands used here. */
    private final SlotWrites writes = new SlotWrites(argv -> switch (new String(argv[0], StandardCharsets.US_ASCII)) {
        case "MSET", "MSETNX" -> IntStream.iterate(1, i -> i < argv.length, i -> i + 2).toArray();
        case "DEL", "UNLINK", "TOUCH" -> IntStream.range(1, argv.length).toArray();
        case "RENAME", "GEORADIUS" -> new int[] {1, 2};
        case "EVAL" -> new int[] {3, 4};
        case "BITOP" -> IntStream.range(2, argv.length).toArray();
        case "PING" -> new int[0];
        default -> new int[] {1};
    });

    @Test
    void aCommandWhoseKeysShareASlotGoesWholeToThatSlot() {
        byte[][] argv = argv("BITOP", "AND", "{u}dest", "{u}a", "{u}b");

        List<SlotWrites.Part> parts = writes.route(argv).parts();

        assertThat(parts).hasSize(1);
        assertThat(parts.get(0).slot()).as("the slot of the keys, not of the operation's name").isEqualTo(slot("{u}"));
        assertThat(parts.get(0).argv()).isSameAs(argv);
    }

    @Test
    void anMsetOverSlotsIsSplitWithEachKeyKeepingItsValue() {
        SlotWrites.Route route = writes.route(argv("MSET", "{a}1", "x", "{b}1", "y", "{a}2", "z"));
        List<SlotWrites.Part> parts = route.parts();

        assertThat(route.split()).isTrue();
        assertThat(route.plan()).isNull();

        assertThat(parts).extracting(SlotWrites.Part::slot).containsExactly(slot("{a}"), slot("{b}"));
        assertThat(texts(parts.get(0).argv())).containsExactly("MSET", "{a}1", "x", "{a}2", "z");
        assertThat(texts(parts.get(1).argv())).containsExactly("MSET", "{b}1", "y");
    }

    @Test
    void aDelOverSlotsIsSplitPerSlot() {
        List<SlotWrites.Part> parts = writes.route(argv("DEL", "{a}1", "{b}1", "{a}2")).parts();

        assertThat(parts).extracting(p -> texts(p.argv()))
                .containsExactly(List.of("DEL", "{a}1", "{a}2"), List.of("DEL", "{b}1"));
    }

    @Test
    void aRenameOverSlotsIsEmulatedDestinationSlotFirst() {
        SlotWrites.Route route = writes.route(argv("RENAME", "{a}1", "{b}1"));

        assertThat(route.parts()).isEmpty();
        assertThat(route.plan().command()).isEqualTo("RENAME");
        assertThat(route.plan().slots()).containsExactly(slot("{b}"), slot("{a}"));
    }

    @Test
    void aRenameInOneSlotGoesWholeAndIsNotEmulated() {
        SlotWrites.Route route = writes.route(argv("RENAME", "{a}1", "{a}2"));

        assertThat(route.plan()).isNull();
        assertThat(route.split()).isFalse();
        assertThat(route.parts()).extracting(SlotWrites.Part::slot).containsExactly(slot("{a}"));
    }

    @Test
    void aScriptReplicatedWholeOverSlotsStopsTheSyncNamingIt() {
        assertThatThrownBy(() -> writes.route(argv("EVAL", "return 1", "2", "{a}1", "{b}1")))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("EVAL")
                .hasMessageContaining("several slots")
                .hasMessageContaining("script replicated whole");
    }

    @Test
    void aCommandNeitherSplitNorEmulatedOverSlotsStopsTheSyncNamingIt() {
        assertThatThrownBy(() -> writes.route(argv("GEORADIUS", "{a}g", "{b}stored")))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("GEORADIUS")
                .hasMessageContaining("neither split per slot nor emulate");
    }

    @Test
    void aCommandWithoutKeysStopsTheSync() {
        assertThatThrownBy(() -> writes.route(argv("PING"))).isInstanceOf(FerryException.class)
                .hasMessageContaining("names no key");
    }

    private static int slot(String tag) {
        return SlotHash.slot(tag.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[][] argv(String... args) {
        return Arrays.stream(args).map(a -> a.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
    }

    private static List<String> texts(byte[][] argv) {
        return Arrays.stream(argv).map(a -> new String(a, StandardCharsets.US_ASCII)).toList();
    }
}
