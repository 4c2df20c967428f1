package dev.ferry.rdb;

import java.io.IOException;

/**
 * The {@link RdbEntry} the parser hands to {@link RdbHandler#entry}: the key's header, and the value still
 * in the stream, consumed at most once raw and once decoded.
 *
 * <p>A raw capture that overflows its limit keeps the bytes it read; a later {@link #decode} or the final
 * skip pushes them back in front of the stream, so every stream byte is read (and checksummed) once.
 */
final class ParsedEntry implements RdbEntry {

    private enum State {
        /** Nothing of the value read yet. */
        FRESH,
        /** The whole value was captured by rawValue. */
        RAW_COMPLETE,
        /** rawValue stopped at its limit: a prefix is captured, the rest is in the stream. */
        RAW_PARTIAL,
        /** decode ran to the end. */
        DECODED,
        /** A read failed midway: the stream position is unknown. */
        BROKEN,
        /** The handler returned: the entry is no longer usable. */
        CLOSED
    }

    private final RdbReader reader;
    private final int chunkSize;
    private final int db;
    private final byte[] key;
    private final RdbType type;
    private final long expireAtMs;
    private final long idleSeconds;
    private final int lfuFreq;
    private final int rdbVersion;
    private final String moduleName;

    private State state = State.FRESH;
    private boolean decodeCalled;
    private byte[] captured;

    ParsedEntry(RdbReader reader, int chunkSize, int db, byte[] key, RdbType type, long expireAtMs, long idleSeconds,
                int lfuFreq, int rdbVersion, String moduleName) {
        this.reader = reader;
        this.chunkSize = chunkSize;
        this.db = db;
        this.key = key;
        this.type = type;
        this.expireAtMs = expireAtMs;
        this.idleSeconds = idleSeconds;
        this.lfuFreq = lfuFreq;
        this.rdbVersion = rdbVersion;
        this.moduleName = moduleName;
    }

    @Override
    public int db() {
        return db;
    }

    @Override
    public byte[] key() {
        return key;
    }

    @Override
    public RdbType type() {
        return type;
    }

    @Override
    public long expireAtMs() {
        return expireAtMs;
    }

    @Override
    public long idleSeconds() {
        return idleSeconds;
    }

    @Override
    public int lfuFreq() {
        return lfuFreq;
    }

    @Override
    public int rdbVersion() {
        return rdbVersion;
    }

    @Override
    public String moduleName() {
        return moduleName;
    }

    @Override
    public byte[] rawValue(int limit) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: >= 0)");
        }
        if (state != State.FRESH || decodeCalled) {
            throw new IllegalStateException("rawValue: the value was already consumed (" + state + ")");
        }
        RdbInput in = reader.in;
        in.startCapture(limit);
        try {
            ValueSkipper.skip(reader, type);
            captured = in.stopCapture();
            state = State.RAW_COMPLETE;
            return captured;
        } catch (RdbInput.CaptureOverflow overflow) {
            captured = in.stopCapture();
            state = State.RAW_PARTIAL;
            return null;
        } catch (IOException | RuntimeException e) {
            in.stopCapture();
            state = State.BROKEN;
            throw e;
        }
    }

    @Override
    public void decode(ValueVisitor visitor) throws IOException {
        if (type.kind() == RdbType.Kind.MODULE) {
            throw reader.fail("the value of key '" + RdbParser.printable(key) + "' belongs to module '"
                    + moduleName + "', which only that module can decode");
        }
        if (decodeCalled || state == State.CLOSED || state == State.BROKEN) {
            throw new IllegalStateException("decode: called twice or outside RdbHandler.entry (" + state + ")");
        }
        decodeCalled = true;
        boolean fromCapture = state == State.RAW_COMPLETE;
        rewindCapture();
        State before = state;
        state = State.BROKEN;
        new ValueDecoder(reader, chunkSize).decode(type, visitor);
        if (fromCapture && !reader.in.pushbackEmpty()) {
            throw reader.fail("decoding the captured value left bytes unread");
        }
        state = before == State.RAW_COMPLETE ? State.RAW_COMPLETE : State.DECODED;
    }

    /** Called by the parser when the handler returns: passes over whatever of the value is still unread. */
    void finish() throws IOException {
        State was = state;
        state = State.CLOSED;
        switch (was) {
            case FRESH -> ValueSkipper.skip(reader, type);
            case RAW_PARTIAL -> {
                rewindCapture();
                ValueSkipper.skip(reader, type);
            }
            case RAW_COMPLETE, DECODED -> {
                // Fully consumed.
            }
            case BROKEN -> throw new IllegalStateException("the handler went on after reading the value of key '"
                    + RdbParser.printable(key) + "' failed; the parse cannot continue");
            default -> throw new IllegalStateException("entry finished twice");
        }
    }

    /** Puts captured bytes back in front of the stream, once. */
    private void rewindCapture() {
        if (captured != null) {
            reader.in.pushBack(captured);
            captured = null;
        }
    }
}
