package dev.ferry.rdb;

import java.io.IOException;

/**
 * Receives what {@link RdbParser} reads, in file order, on the parser's thread.
 *
 * <p>Each callback may block (that is how a slow consumer applies back-pressure); the parser
 * reads nothing while a callback runs. An exception thrown by a callback stops the parse and
 * propagates unchanged.
 */
public interface RdbHandler {

    /** The file's magic and version: "REDIS" and 1..12, or "VALKEY" and 80..81 (Valkey 9+). */
    default void header(String magic, int version) throws IOException {
    }

    /** An AUX field ({@code redis-ver}, {@code repl-id}, {@code lua}, ...). */
    default void aux(byte[] key, byte[] value) throws IOException {
    }

    /** SELECTDB: the entries that follow belong to {@code db}. */
    default void selectDb(int db) throws IOException {
    }

    /** RESIZEDB: how many keys, and keys with an expiry, the current database holds. */
    default void resizeDb(long size, long expiresSize) throws IOException {
    }

    /** SLOT_INFO (7.4+ cluster nodes): the entries that follow belong to {@code slot}. */
    default void slotInfo(int slot, long size, long expiresSize) throws IOException {
    }

    /** A function library (FUNCTION2): the code that {@code FUNCTION LOAD} takes. */
    default void function(byte[] code) throws IOException {
    }

    /**
     * A module's auxiliary data (MODULE_AUX), already skipped (only the module can interpret it);
     * {@code moduleName} is the 9-character module type name.
     */
    default void moduleAux(String moduleName) throws IOException {
    }

    /**
     * One key. The value must be consumed inside this call, with {@link RdbEntry#rawValue(int)} and/or
     * {@link RdbEntry#decode(ValueVisitor)}; whatever is left unread is skipped when the call returns.
     */
    void entry(RdbEntry entry) throws IOException;

    /**
     * The EOF opcode was read, and the checksum (RDB 5+; 0 when the writer disabled it) verified.
     */
    default void end(long checksum) throws IOException {
    }
}
