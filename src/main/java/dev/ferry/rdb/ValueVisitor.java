package dev.ferry.rdb;

import java.io.IOException;

/**
 * Receives the decoded elements of one value, whatever its encoding, in the order the data type
 * defines (list order; a zset's ziplist/listpack order; any order for sets and hashes).
 *
 * <p>Calls come on the parser's thread, inside {@link RdbHandler#entry}. Arrays passed in are
 * owned by the visitor: the parser does not reuse them.
 */
public interface ValueVisitor {

    /**
     * Called first, once per value.
     *
     * @param size the number of elements when the encoding states it up front (list items, set members, zset
     *             members, hash fields), the byte length for strings, or -1 when unknown (quicklists, streams,
     *             ziplists and listpacks whose header count saturated)
     */
    default void begin(RdbType type, long size) throws IOException {
    }

    /**
     * A string value, or one part of it: strings larger than the parser's chunk size arrive in several
     * calls with increasing {@code offset}; {@code offset + chunk.length == totalLength} on the last one.
     * LZF-compressed strings (and integer-encoded ones) arrive whole in one call: LZF cannot be decoded from
     * the middle, and Redis compresses only what it held as one allocation.
     */
    default void string(byte[] chunk, long offset, long totalLength) throws IOException {
    }

    default void listItem(byte[] item) throws IOException {
    }

    default void setMember(byte[] member) throws IOException {
    }

    default void zsetEntry(byte[] member, double score) throws IOException {
    }

    /** A hash field; {@code expireAtMs} is the field's absolute expiry (7.4+), or -1 when it has none. */
    default void hashEntry(byte[] field, byte[] value, long expireAtMs) throws IOException {
    }

    /** A live (not deleted) stream entry: {@code fieldsAndValues} alternates field and value. */
    default void streamEntry(StreamId id, byte[][] fieldsAndValues) throws IOException {
    }

    /** After the last stream entry: the stream's metadata and its consumer groups. */
    default void streamEnd(StreamInfo info) throws IOException {
    }

    /** Called last, once per value. */
    default void end() throws IOException {
    }
}
