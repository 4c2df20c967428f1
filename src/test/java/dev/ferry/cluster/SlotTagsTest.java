package dev.ferry.cluster;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SlotTagsTest {

    @Test
    void everySlotHasATagThatHashesToItInsideAnyKey() {
        for (int slot = 0; slot < SlotHash.SLOTS; slot++) {
            String tag = new String(SlotTags.tagOf(slot), StandardCharsets.US_ASCII);
            byte[] key = ("__ferry:tmp:{" + tag + "}:run:1").getBytes(StandardCharsets.US_ASCII);
            assertThat(SlotHash.slot(key)).as("slot of tag %s", tag).isEqualTo(slot);
        }
    }

    @Test
    void tagsAreShort() {
        for (int slot = 0; slot < SlotHash.SLOTS; slot++) {
            assertThat(SlotTags.tagOf(slot).length).isLessThanOrEqualTo(6);
        }
    }
}
