package dev.ferry.cluster;

import java.nio.charset.StandardCharsets;

/**
 * A short hash tag for every slot: a key containing {@code {<tag>}} hashes to that slot whatever else it holds.
 * The tags are the smallest decimal numbers that land in each slot, found once (about 150,000 CRC16s, a few
 * milliseconds) and then shared; immutable and thread-safe. A tag made from the destination key itself would
 * not do for every key: a key with its own braces, or binary bytes, hashes differently once wrapped again.
 */
public final class SlotTags {

    private static final byte[][] TAGS = build();

    private SlotTags() {
    }

    /** The tag of {@code slot}, without its braces. */
    public static byte[] tagOf(int slot) {
        if (slot < 0 || slot >= SlotHash.SLOTS) {
            throw new IllegalArgumentException("slot: " + slot + " (expected: 0.." + (SlotHash.SLOTS - 1) + ")");
        }
        return TAGS[slot].clone();
    }

    private static byte[][] build() {
        byte[][] tags = new byte[SlotHash.SLOTS][];
        int missing = SlotHash.SLOTS;
        for (int n = 0; missing > 0; n++) {
            byte[] candidate = Integer.toString(n).getBytes(StandardCharsets.US_ASCII);
            int slot = SlotHash.crc16(candidate, 0, candidate.length) & (SlotHash.SLOTS - 1);
            if (tags[slot] == null) {
                tags[slot] = candidate;
                missing--;
            }
        }
        return tags;
    }
}
