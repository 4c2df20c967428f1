package dev.ferry.rdb;

import java.io.IOException;

/**
 * Walks over one value without decoding it: just enough structure to find its end. Encoded values
 * (ziplist, listpack, intset, zipmap) are single strings and are skipped unparsed. This is how
 * {@link RdbEntry#rawValue(int)} captures a value, and how an unconsumed value is passed over.
 */
final class ValueSkipper {

    private ValueSkipper() {
    }

    static void skip(RdbReader r, RdbType type) throws IOException {
        switch (type) {
            case STRING, HASH_ZIPMAP, LIST_ZIPLIST, SET_INTSET, ZSET_ZIPLIST, HASH_ZIPLIST, HASH_LISTPACK,
                    ZSET_LISTPACK, SET_LISTPACK, HASH_LISTPACK_EX_PRE_GA -> r.skipString();
            case HASH_LISTPACK_EX -> {
                r.skip(8);
                r.skipString();
            }
            case LIST, SET, LIST_QUICKLIST -> skipStrings(r, r.readLength(), 1);
            case HASH -> skipStrings(r, r.readLength(), 2);
            case ZSET, ZSET_2 -> {
                long n = r.readLength();
                for (long i = 0; i < n; i++) {
                    r.skipString();
                    if (type == RdbType.ZSET) {
                        r.skipStringDouble();
                    } else {
                        r.skip(8);
                    }
                }
            }
            case LIST_QUICKLIST_2 -> {
                long n = r.readLength();
                for (long i = 0; i < n; i++) {
                    r.readLength();
                    r.skipString();
                }
            }
            case HASH_METADATA, HASH_METADATA_PRE_GA -> {
                if (type == RdbType.HASH_METADATA) {
                    r.skip(8);
                }
                long n = r.readLength();
                for (long i = 0; i < n; i++) {
                    r.readLength();
                    r.skipString();
                    r.skipString();
                }
            }
            case VALKEY_HASH_2 -> {
                long n = r.readLength();
                for (long i = 0; i < n; i++) {
                    r.skipString();
                    r.skipString();
                    r.skip(8);
                }
            }
            case STREAM_LISTPACKS, STREAM_LISTPACKS_2, STREAM_LISTPACKS_3, STREAM_LISTPACKS_4, STREAM_LISTPACKS_5 ->
                    StreamDecoder.skip(r, type);
            case MODULE_2 -> ModuleValues.skipValue(r);
            case MODULE_PRE_GA -> throw r.fail("module values of the pre-release format (type 6) cannot be read");
            default -> throw new IllegalStateException("unhandled type " + type);
        }
    }

    private static void skipStrings(RdbReader r, long count, int perElement) throws IOException {
        for (long i = 0; i < count; i++) {
            for (int k = 0; k < perElement; k++) {
                r.skipString();
            }
        }
    }
}
