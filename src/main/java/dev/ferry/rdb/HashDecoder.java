package dev.ferry.rdb;

import java.io.IOException;

/**
 * Hash values: RDB types 4 (pairs), 9 (zipmap), 13 (ziplist), 16 (listpack), and the field-expiry types
 * of Redis 7.4 (22 to 25) and Valkey 9 ({@link RdbType#VALKEY_HASH_2}).
 *
 * <p>Field expiry as stored (7.4's {@code rdbLoadObject}): type 24 starts with the smallest field expiry
 * (8 bytes LE ms) and stores each field's TTL as a length before the field: 0 = none, else
 * {@code expireAt - minExpire + 1}. Type 22 stores the absolute expiry there (0 = none). Type 25 starts
 * with the same 8-byte minimum (informational), then a listpack of field, value, absolute expiry (0 = none)
 * triplets; type 23 is that listpack without the minimum.
 */
final class HashDecoder {

    private static final long NONE = -1;

    private HashDecoder() {
    }

    static void decode(RdbReader r, RdbType type, ValueVisitor v) throws IOException {
        switch (type) {
            case HASH -> {
                long n = r.readLength();
                v.begin(type, n);
                for (long i = 0; i < n; i++) {
                    v.hashEntry(r.readString(), r.readString(), NONE);
                }
            }
            case HASH_ZIPMAP -> decodePairs(new Zipmap(r.readString(), r), type, v, true);
            case HASH_ZIPLIST -> decodePairs(new Ziplist(r.readString(), r), type, v, false);
            case HASH_LISTPACK -> decodePairs(new Listpack(r.readString(), r), type, v, false);
            case HASH_LISTPACK_EX -> {
                r.readMillis();
                decodeTriplets(new Listpack(r.readString(), r), type, v);
            }
            case HASH_LISTPACK_EX_PRE_GA -> decodeTriplets(new Listpack(r.readString(), r), type, v);
            case HASH_METADATA -> decodeWithTtls(r, type, v, r.readMillis());
            case HASH_METADATA_PRE_GA -> decodeWithTtls(r, type, v, 0);
            case VALKEY_HASH_2 -> {
                long n = r.readLength();
                v.begin(type, n);
                for (long i = 0; i < n; i++) {
                    byte[] field = r.readString();
                    byte[] value = r.readString();
                    long expireAt = r.readMillis();
                    v.hashEntry(field, value, expireAt < 0 ? NONE : expireAt);
                }
            }
            default -> throw new IllegalStateException("not a hash type: " + type);
        }
        v.end();
    }

    private static void decodePairs(PackedCursor c, RdbType type, ValueVisitor v, boolean countIsPairs)
            throws IOException {
        int declared = c.declaredCount();
        v.begin(type, declared < 0 ? -1 : countIsPairs ? declared : declared / 2);
        while (c.next()) {
            byte[] field = c.bytes();
            if (!c.next()) {
                throw c.failure("field without a value");
            }
            v.hashEntry(field, c.bytes(), NONE);
        }
    }

    private static void decodeTriplets(Listpack lp, RdbType type, ValueVisitor v) throws IOException {
        int declared = lp.declaredCount();
        v.begin(type, declared < 0 ? -1 : declared / 3);
        while (lp.next()) {
            byte[] field = lp.bytes();
            byte[] value = lp.nextBytes("field value");
            long expireAt = lp.nextInteger("field expiry");
            v.hashEntry(field, value, expireAt == 0 ? NONE : expireAt);
        }
    }

    /**
     * Types 24 and 22: a count, then per field a TTL length, the field and the value. With a
     * {@code minExpire} (type 24) the TTL is relative to it, plus one; without (type 22, 0) it is absolute.
     */
    private static void decodeWithTtls(RdbReader r, RdbType type, ValueVisitor v, long minExpire) throws IOException {
        long n = r.readLength();
        v.begin(type, n);
        boolean relative = type == RdbType.HASH_METADATA;
        for (long i = 0; i < n; i++) {
            long ttl = r.readLength();
            byte[] field = r.readString();
            byte[] value = r.readString();
            long expireAt = ttl == 0 ? NONE : relative ? ttl + minExpire - 1 : ttl;
            v.hashEntry(field, value, expireAt);
        }
    }
}
