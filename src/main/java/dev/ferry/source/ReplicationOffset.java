package dev.ferry.source;

/**
 * A position in a source's replication history: the replication ID and the number of stream bytes
 * (a replica of that history with this offset has applied exactly those bytes).
 */
public record ReplicationOffset(String replId, long offset) {

    public ReplicationOffset {
        if (replId == null || replId.isEmpty()) {
            throw new IllegalArgumentException("replId: empty (expected: the 40-character replication ID)");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset: " + offset + " (expected: >= 0)");
        }
    }

    /** The offset {@code PSYNC} asks for to continue after this position. */
    public long next() {
        return offset + 1;
    }

    @Override
    public String toString() {
        return replId + ":" + offset;
    }
}
