package dev.ferry.rdb;

import java.io.IOException;

/**
 * Module data that Ferry cannot interpret but can walk: a {@code MODULE_2} value or a {@code MODULE_AUX}
 * payload is a module id followed by typed opcodes up to {@code RDB_MODULE_OPCODE_EOF}
 * ({@code rdbLoadCheckModuleValue} in {@code rdb.c}).
 */
final class ModuleValues {

    /** {@code ModuleTypeNameCharSet} in {@code module.c}. */
    private static final char[] NAME_CHARSET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    private static final int OPCODE_EOF = 0;
    private static final int OPCODE_SINT = 1;
    private static final int OPCODE_UINT = 2;
    private static final int OPCODE_FLOAT = 3;
    private static final int OPCODE_DOUBLE = 4;
    private static final int OPCODE_STRING = 5;

    private ModuleValues() {
    }

    /**
     * The 9-character type name packed in a module id: 6 bits per character from the top, above a 10-bit
     * encoding version ({@code moduleTypeNameByID}).
     */
    static String nameOf(long moduleId) {
        char[] name = new char[9];
        long id = moduleId >>> 10;
        for (int i = 8; i >= 0; i--) {
            name[i] = NAME_CHARSET[(int) (id & 63)];
            id >>>= 6;
        }
        return new String(name);
    }

    /** Skips a whole {@code MODULE_2} value: its module id, then its opcodes. */
    static void skipValue(RdbReader r) throws IOException {
        long id = r.readLength();
        skipOpcodes(r, nameOf(id));
    }

    /** Skips typed opcodes up to and including the EOF opcode. */
    static void skipOpcodes(RdbReader r, String moduleName) throws IOException {
        while (true) {
            long opcode = r.readLength();
            if (opcode == OPCODE_EOF) {
                return;
            } else if (opcode == OPCODE_SINT || opcode == OPCODE_UINT) {
                r.readLength();
            } else if (opcode == OPCODE_FLOAT) {
                r.skip(4);
            } else if (opcode == OPCODE_DOUBLE) {
                r.skip(8);
            } else if (opcode == OPCODE_STRING) {
                r.skipString();
            } else {
                throw r.fail("unknown module opcode " + Long.toUnsignedString(opcode) + " in data of module '"
                        + moduleName + "'");
            }
        }
    }

    /** Reads a {@code MODULE_AUX} payload after its opcode and returns the module's name. */
    static String skipAux(RdbReader r) throws IOException {
        long id = r.readLength();
        String name = nameOf(id);
        long whenOpcode = r.readLength();
        if (whenOpcode != OPCODE_UINT) {
            throw r.fail("module '" + name + "' aux data: bad 'when' opcode " + Long.toUnsignedString(whenOpcode)
                    + " (expected 2)");
        }
        r.readLength();
        skipOpcodes(r, name);
        return name;
    }
}
