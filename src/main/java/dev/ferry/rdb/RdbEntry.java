package dev.ferry.rdb;

import java.io.IOException;

/**
 * One key as {@link RdbParser} reads it: its header is known, its value is still in the stream.
 *
 * <p>Valid only inside {@link RdbHandler#entry}. The value can be taken raw with {@link #rawValue(int)}
 * (the bytes a DUMP payload carries, for {@code RESTORE}), decoded into elements with
 * {@link #decode(ValueVisitor)}, or both: after a successful {@code rawValue} call, {@code decode} decodes
 * the bytes in memory; after a {@code rawValue} call that returned null (value over the limit), {@code decode}
 * still sees the whole value. Memory stays bounded by the limit given to {@code rawValue} plus one element.
 */
public interface RdbEntry {

    /** The database the key belongs to (last SELECTDB; 0 if none). */
    int db();

    /** The raw key bytes. */
    byte[] key();

    /** The value's type as stored. */
    RdbType type();

    /** Absolute expiry in Unix milliseconds, or -1 when the key has none. */
    long expireAtMs();

    /** The IDLE opcode value (seconds) preceding this key, or -1. */
    long idleSeconds();

    /** The FREQ opcode value (LFU counter) preceding this key, or -1. */
    int lfuFreq();

    /** The RDB version of the file the entry comes from; a DUMP payload of the raw value carries it. */
    int rdbVersion();

    /** For module values: the 9-character module type name (from the module id); null otherwise. */
    String moduleName();

    /**
     * The serialized value exactly as stored in the RDB, without the type byte, if it is at most
     * {@code limit} bytes long; null otherwise. Call at most once, before {@link #decode}.
     *
     * <p>Capturing walks the value's structure without decoding it and stops reading as soon as the value
     * proves longer than {@code limit}; the bytes read so far are kept, so a later {@link #decode} (or the
     * parser's skip) still sees the whole value and the stream is read once. The parser keeps a reference to
     * the returned array for a later {@link #decode}: do not modify it before that call.
     */
    byte[] rawValue(int limit) throws IOException;

    /**
     * Decodes the value into {@code visitor}, element by element. Call at most once.
     *
     * @throws RdbFormatException for module values (naming the module), which only the module can decode
     */
    void decode(ValueVisitor visitor) throws IOException;
}
