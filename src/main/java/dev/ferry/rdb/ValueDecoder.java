package dev.ferry.rdb;

import java.io.IOException;

/**
 * Decodes one value, whatever its RDB type, into a {@link ValueVisitor} ({@code rdbLoadObject}). Strings
 * and lists and sets are here; sorted sets, hashes and streams have their own classes.
 */
final class ValueDecoder {

    private static final int CONTAINER_PLAIN = 1;
    private static final int CONTAINER_PACKED = 2;

    private final RdbReader r;
    private final int chunkSize;

    ValueDecoder(RdbReader r, int chunkSize) {
        this.r = r;
        this.chunkSize = chunkSize;
    }

    void decode(RdbType type, ValueVisitor v) throws IOException {
        switch (type.kind()) {
            case STRING -> decodeString(v);
            case LIST -> decodeList(type, v);
            case SET -> decodeSet(type, v);
            case ZSET -> ZsetDecoder.decode(r, type, v);
            case HASH -> HashDecoder.decode(r, type, v);
            case STREAM -> StreamDecoder.decode(r, type, v);
            case MODULE -> throw new IllegalStateException("module values are not decoded");
            default -> throw new IllegalStateException("unhandled kind " + type.kind());
        }
    }

    /**
     * Plain strings longer than the chunk size arrive in chunks, never whole; integer-encoded and LZF
     * strings arrive in one call (LZF cannot be decoded from the middle).
     */
    private void decodeString(ValueVisitor v) throws IOException {
        byte[][] encoded = new byte[1][];
        long length = r.readStringHeader(encoded);
        if (length < 0) {
            v.begin(RdbType.STRING, encoded[0].length);
            v.string(encoded[0], 0, encoded[0].length);
            v.end();
            return;
        }
        v.begin(RdbType.STRING, length);
        if (length <= chunkSize) {
            byte[] all = r.readBytes(length, "string length");
            v.string(all, 0, length);
        } else {
            for (long offset = 0; offset < length; ) {
                int n = (int) Math.min(chunkSize, length - offset);
                byte[] chunk = new byte[n];
                r.in.readFully(chunk, 0, n);
                v.string(chunk, offset, length);
                offset += n;
            }
        }
        v.end();
    }

    private void decodeList(RdbType type, ValueVisitor v) throws IOException {
        switch (type) {
            case LIST -> {
                long n = r.readLength();
                v.begin(type, n);
                for (long i = 0; i < n; i++) {
                    v.listItem(r.readString());
                }
            }
            case LIST_ZIPLIST -> {
                Ziplist zl = new Ziplist(r.readString(), r);
                v.begin(type, zl.declaredCount());
                while (zl.next()) {
                    v.listItem(zl.bytes());
                }
            }
            case LIST_QUICKLIST -> {
                long nodes = r.readLength();
                v.begin(type, -1);
                for (long i = 0; i < nodes; i++) {
                    Ziplist zl = new Ziplist(r.readString(), r);
                    while (zl.next()) {
                        v.listItem(zl.bytes());
                    }
                }
            }
            case LIST_QUICKLIST_2 -> {
                long nodes = r.readLength();
                v.begin(type, -1);
                for (long i = 0; i < nodes; i++) {
                    decodeQuicklistNode(v);
                }
            }
            default -> throw new IllegalStateException("not a list type: " + type);
        }
        v.end();
    }

    /** A quicklist 2 node: a container kind, then one element (PLAIN) or a listpack of them (PACKED). */
    private void decodeQuicklistNode(ValueVisitor v) throws IOException {
        long container = r.readLength();
        if (container == CONTAINER_PLAIN) {
            v.listItem(r.readString());
        } else if (container == CONTAINER_PACKED) {
            Listpack lp = new Listpack(r.readString(), r);
            while (lp.next()) {
                v.listItem(lp.bytes());
            }
        } else {
            throw r.fail("invalid quicklist node container " + Long.toUnsignedString(container)
                    + " (expected 1 PLAIN or 2 PACKED)");
        }
    }

    private void decodeSet(RdbType type, ValueVisitor v) throws IOException {
        switch (type) {
            case SET -> {
                long n = r.readLength();
                v.begin(type, n);
                for (long i = 0; i < n; i++) {
                    v.setMember(r.readString());
                }
            }
            case SET_INTSET -> {
                Intset set = new Intset(r.readString(), r);
                v.begin(type, set.count());
                for (int i = 0; i < set.count(); i++) {
                    v.setMember(RdbReader.decimal(set.get(i)));
                }
            }
            case SET_LISTPACK -> {
                Listpack lp = new Listpack(r.readString(), r);
                v.begin(type, lp.declaredCount());
                while (lp.next()) {
                    v.setMember(lp.bytes());
                }
            }
            default -> throw new IllegalStateException("not a set type: " + type);
        }
        v.end();
    }
}
