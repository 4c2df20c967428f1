package dev.ferry.rdb;

/**
 * A stream entry ID {@code ms-seq}; both parts are unsigned 64-bit numbers held in longs.
 */
public record StreamId(long ms, long seq) implements Comparable<StreamId> {

    public static final StreamId ZERO = new StreamId(0, 0);

    /** Parses {@code ms-seq} (or {@code ms}, sequence 0). */
    public static StreamId parse(String text) {
        int dash = text.indexOf('-');
        if (dash < 0) {
            return new StreamId(Long.parseUnsignedLong(text), 0);
        }
        return new StreamId(Long.parseUnsignedLong(text.substring(0, dash)), Long.parseUnsignedLong(text.substring(dash + 1)));
    }

    @Override
    public int compareTo(StreamId o) {
        int c = Long.compareUnsigned(ms, o.ms);
        return c != 0 ? c : Long.compareUnsigned(seq, o.seq);
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    }
}
