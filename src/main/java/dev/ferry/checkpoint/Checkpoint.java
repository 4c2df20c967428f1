package dev.ferry.checkpoint;

import dev.ferry.FerryException;
import dev.ferry.source.ReplicationOffset;

import java.nio.charset.StandardCharsets;

/**
 * Where a task stands, as recorded in the target: the phase, the source position the target has
 * applied, the source database that position is in, and whether the task owns the target's databases
 * (it found them empty when it first started, so it may empty them again for a new full resync).
 *
 * <p>Stored as one line of text, {@code v1 <phase> <replid> <offset> <db> <owns>}.
 *
 * @param db the source database selected at {@code position} (stream phase), or -1
 */
public record Checkpoint(Phase phase, ReplicationOffset position, int db, boolean ownsTarget) {

    /** How far the task got. */
    public enum Phase {
        /** A snapshot was being applied: the target holds part of it, which a restart must redo. */
        SNAPSHOT,
        /** The snapshot is complete and the stream applied up to {@code position}. */
        STREAM
    }

    private static final String VERSION = "v1";

    public static Checkpoint snapshot(ReplicationOffset start, boolean ownsTarget) {
        return new Checkpoint(Phase.SNAPSHOT, start, -1, ownsTarget);
    }

    public static Checkpoint stream(ReplicationOffset position, int db, boolean ownsTarget) {
        return new Checkpoint(Phase.STREAM, position, db, ownsTarget);
    }

    /** The position to ask {@code PSYNC} for, or null when only a full resync will do. */
    public ReplicationOffset resumeFrom() {
        return phase == Phase.STREAM ? position : null;
    }

    public byte[] encode() {
        return (VERSION + " " + phase.name().toLowerCase(java.util.Locale.ROOT) + " " + position.replId() + " "
                + position.offset() + " " + db + " " + (ownsTarget ? 1 : 0)).getBytes(StandardCharsets.US_ASCII);
    }

    public static Checkpoint decode(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.US_ASCII);
        String[] f = text.split(" ");
        try {
            if (f.length != 6 || !f[0].equals(VERSION)) {
                throw new IllegalArgumentException("unknown format");
            }
            Phase phase = Phase.valueOf(f[1].toUpperCase(java.util.Locale.ROOT));
            return new Checkpoint(phase, new ReplicationOffset(f[2], Long.parseLong(f[3])), Integer.parseInt(f[4]),
                    f[5].equals("1"));
        } catch (RuntimeException e) {
            throw new FerryException("unreadable checkpoint '" + text + "' (" + e.getMessage()
                    + "): delete the key to start over with a full sync");
        }
    }

    @Override
    public String toString() {
        return new String(encode(), StandardCharsets.US_ASCII);
    }
}
