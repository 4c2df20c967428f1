package dev.ferry.rdb;

import java.io.IOException;

/** Sorted-set values: RDB types 3 (text scores), 5 (binary scores), 12 (ziplist) and 17 (listpack). */
final class ZsetDecoder {

    private ZsetDecoder() {
    }

    static void decode(RdbReader r, RdbType type, ValueVisitor v) throws IOException {
        switch (type) {
            case ZSET, ZSET_2 -> {
                long n = r.readLength();
                v.begin(type, n);
                for (long i = 0; i < n; i++) {
                    byte[] member = r.readString();
                    double score = type == RdbType.ZSET ? r.readStringDouble() : r.readBinaryDouble();
                    v.zsetEntry(member, score);
                }
            }
            case ZSET_ZIPLIST -> decodePacked(new Ziplist(r.readString(), r), r, type, v);
            case ZSET_LISTPACK -> decodePacked(new Listpack(r.readString(), r), r, type, v);
            default -> throw new IllegalStateException("not a zset type: " + type);
        }
        v.end();
    }

    /** Member, score, member, score... in rank order; a score is an integer or text. */
    private static void decodePacked(PackedCursor c, RdbReader r, RdbType type, ValueVisitor v) throws IOException {
        int declared = c.declaredCount();
        v.begin(type, declared < 0 ? -1 : declared / 2);
        while (c.next()) {
            byte[] member = c.bytes();
            if (!c.next()) {
                throw c.failure("member without a score");
            }
            double score = c.isInteger() ? (double) c.integer() : Scores.parse(c.bytes(), r);
            v.zsetEntry(member, score);
        }
    }
}
