package dev.ferry.checkpoint;

import dev.ferry.FerryException;
import dev.ferry.source.ReplicationOffset;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where a task stands, as recorded in the target: the phase, the source position the target has
 * applied, the source database that position is in, and whether the task owns the target's databases
 * (it found them empty when it first started, so it may empty them again for a new full resync).
 *
 * <p>A checkpoint may also say that writes after its position are applied already, up to
 * {@code appliedThrough}: a transaction in which the target refused one write still applied the others
 * (Redis has no rollback). The position is then just before the refused write; a resumed task reads the
 * stream from there, applies the refused write again ({@code retryFirst}) and passes over every other
 * write up to {@code appliedThrough}, so nothing is applied twice and the refused write is never skipped
 * silently.
 *
 * <p>On a cluster target the base checkpoint may instead name the slot whose transaction applied every write
 * but one, and where that write starts in the source: a resumed task passes over what each slot applied
 * ({@link SlotCheckpoints}) except that write, which it applies again.
 *
 * <p>Stored as one line of text, {@code v1 <phase> <replid> <offset> <db> <owns>}, with the applied
 * range {@code v2 <phase> <replid> <offset> <db> <owns> <appliedThrough> <retryFirst>}, or with a write refused
 * in a slot {@code v3 <phase> <replid> <offset> <db> <owns> <refusedSlot> <refusedStart> <slotCheckpointedAt>}; any of
 * them may end with {@code @<dataThrough>}.
 *
 * <p>{@code dataThrough} says that the stream between it and the position held no write applied to the target
 * (only pings, heartbeats, filtered or dropped commands): a source that took over the history before the position
 * but after {@code dataThrough} (a promoted replica, in a failover where the old master went on a little) can
 * continue from there, since the target holds nothing of what the failover lost.
 *
 * @param db the source database selected at {@code position} (stream phase), or -1
 * @param appliedThrough the source offset up to which writes after {@code position} are already applied, or -1
 * @param retryFirst whether the first write after {@code position} was refused and must be applied again
 * @param refusedSlot on a cluster target, the slot whose transaction had a write refused, or -1
 * @param refusedStart the source offset where that refused write starts, or -1
 * @param refusedSlotAt the offset that slot's transaction checkpointed the slot at, or -1
 * @param dataThrough the offset after the last write applied to the target, when before the position; else -1
 */
public record Checkpoint(Phase phase, ReplicationOffset position, int db, boolean ownsTarget, long appliedThrough,
                         boolean retryFirst, int refusedSlot, long refusedStart, long refusedSlotAt, long dataThrough) {

    /** How far the task got. */
    public enum Phase {
        /** A snapshot was being applied: the target holds part of it, which a restart must redo. */
        SNAPSHOT,
        /** The snapshot is complete and the stream applied up to {@code position}. */
        STREAM
    }

    private static final String V1 = "v1";
    private static final String V2 = "v2";
    private static final String V3 = "v3";

    public Checkpoint {
        if (appliedThrough >= 0 && appliedThrough <= position.offset()) {
            appliedThrough = -1;
        }
        if (appliedThrough < 0) {
            retryFirst = false;
        }
        if (refusedSlot < 0 || refusedStart < position.offset()) {
            refusedSlot = -1;
            refusedStart = -1;
            refusedSlotAt = -1;
        }
        if (dataThrough >= position.offset() || phase != Phase.STREAM || appliedThrough >= 0 || refusedSlot >= 0) {
            dataThrough = -1;
        }
    }

    public Checkpoint(Phase phase, ReplicationOffset position, int db, boolean ownsTarget) {
        this(phase, position, db, ownsTarget, -1, false, -1, -1, -1, -1);
    }

    public static Checkpoint snapshot(ReplicationOffset start, boolean ownsTarget) {
        return new Checkpoint(Phase.SNAPSHOT, start, -1, ownsTarget);
    }

    public static Checkpoint stream(ReplicationOffset position, int db, boolean ownsTarget) {
        return new Checkpoint(Phase.STREAM, position, db, ownsTarget);
    }

    /**
     * This checkpoint with the writes after its position already applied up to {@code through} (ignored
     * when not beyond the position); {@code retryFirst} says the first of them was refused.
     */
    public Checkpoint withApplied(long through, boolean retryFirst) {
        return new Checkpoint(phase, position, db, ownsTarget, through, retryFirst, -1, -1, -1, dataThrough);
    }

    /** This checkpoint, saying the stream after {@code through} held no write applied to the target. */
    public Checkpoint withDataThrough(long through) {
        return new Checkpoint(phase, position, db, ownsTarget, appliedThrough, retryFirst, refusedSlot, refusedStart,
                refusedSlotAt, through);
    }

    /**
     * This (base) checkpoint, saying that slot {@code slot}'s transaction, which checkpointed it at {@code slotAt},
     * applied every write but the one from {@code start}.
     */
    public Checkpoint withRefusedInSlot(int slot, long start, long slotAt) {
        return new Checkpoint(phase, position, db, ownsTarget, -1, false, slot, start, slotAt, dataThrough);
    }

    /** The position to ask {@code PSYNC} for, or null when only a full resync will do. */
    public ReplicationOffset resumeFrom() {
        return phase == Phase.STREAM ? position : null;
    }

    /** Whether the target refused the first write after the position, which a restart applies again. */
    public boolean hasRefusedWrite() {
        return retryFirst || refusedSlot >= 0;
    }

    public byte[] encode() {
        String base = phase.name().toLowerCase(Locale.ROOT) + " " + position.replId() + " " + position.offset() + " "
                + db + " " + (ownsTarget ? 1 : 0);
        String text = refusedSlot >= 0 ? V3 + " " + base + " " + refusedSlot + " " + refusedStart + " " + refusedSlotAt
                : appliedThrough < 0 ? V1 + " " + base
                : V2 + " " + base + " " + appliedThrough + " " + (retryFirst ? 1 : 0);
        if (dataThrough >= 0) {
            text += " @" + dataThrough;
        }
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    public static Checkpoint decode(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.US_ASCII);
        String[] f = text.split(" ");
        try {
            long data = -1;
            if (f.length > 1 && f[f.length - 1].startsWith("@")) {
                data = Long.parseLong(f[f.length - 1].substring(1));
                f = java.util.Arrays.copyOf(f, f.length - 1);
            }
            boolean v2 = f.length == 8 && f[0].equals(V2);
            boolean v3 = f.length == 9 && f[0].equals(V3);
            if (!(f.length == 6 && f[0].equals(V1)) && !v2 && !v3) {
                throw new IllegalArgumentException("unknown format");
            }
            Phase phase = Phase.valueOf(f[1].toUpperCase(Locale.ROOT));
            Checkpoint cp = new Checkpoint(phase, new ReplicationOffset(f[2], Long.parseLong(f[3])),
                    Integer.parseInt(f[4]), f[5].equals("1"));
            cp = v2 ? cp.withApplied(Long.parseLong(f[6]), f[7].equals("1"))
                    : v3 ? cp.withRefusedInSlot(Integer.parseInt(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8])) : cp;
            return cp.withDataThrough(data);
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
