package dev.ferry.rdb;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis 8.6+'s {@code RDB_OPCODE_KEY_META} (243, RDB 13+): metadata that modules attach to the next key
 * ({@code rdbLoadKeyMetadata} in Redis's {@code keymeta.c}). After the opcode: the number of classes, then per
 * class a 32-bit class spec (4 bytes, the server's byte order: little-endian on every platform Redis ships for)
 * and the module's value in typed module opcodes up to their EOF.
 *
 * <p>A class spec packs a 4-character name (6 bits a character), a 5-bit version and 3 flags; flag 0
 * ({@code KEY_META_FLAG_ALLOW_IGNORE}) lets a server without the module load the key without it. Ferry is such a
 * server: it passes over ignorable metadata, as Redis would, and names the others. Stateless.
 */
final class KeyMetadata {

    /** {@code keyMetaCharSet} in {@code keymeta.c} (not quite the module type names' order). */
    private static final char[] CHARSET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".toCharArray();
    private static final int FLAG_ALLOW_IGNORE = 1;
    /** {@code KEY_META_MAX_NUM_MODULES}: classes 1 to 7. */
    private static final int MAX_CLASSES = 7;

    private KeyMetadata() {
    }

    /** Reads the metadata after its opcode; returns the names of the classes a server must not ignore. */
    static List<String> read(RdbReader r) throws IOException {
        long count = r.readLength();
        if (count < 0 || count > MAX_CLASSES) {
            throw r.fail("key metadata of " + Long.toUnsignedString(count) + " classes (at most " + MAX_CLASSES + ")");
        }
        List<String> required = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            int spec = (int) r.readIntLE(4);
            String name = className(spec);
            ModuleValues.skipOpcodes(r, "META-" + name);
            if ((spec & FLAG_ALLOW_IGNORE) == 0) {
                required.add(name);
            }
        }
        return required;
    }

    /** The 4-character name in bits 8 to 31 of a class spec. */
    static String className(int spec) {
        char[] name = new char[4];
        int bits = spec >>> 8;
        for (int i = 3; i >= 0; i--) {
            name[i] = CHARSET[bits & 63];
            bits >>>= 6;
        }
        return new String(name);
    }
}
