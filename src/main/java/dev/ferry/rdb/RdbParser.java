package dev.ferry.rdb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads one RDB from a stream and pushes what it finds to an {@link RdbHandler}, key by key, in bounded
 * memory whatever the size of a key ({@code rdbLoadRioWithLoadingCtx} in Redis's {@code rdb.c}).
 *
 * <p>Reads RDB versions 1 to 15 (magic {@code REDIS}, Redis up to 8.10, Valkey up to 8.x) and Valkey 9's
 * format (magic {@code VALKEY}, versions 80 and 81). It reads exactly the RDB's bytes: the header through
 * the EOF opcode and, from version 5, the 8-byte CRC-64 trailer, which it verifies (0 means the writer
 * disabled checksums). It never reads past the trailer and buffers nothing of its own, so the stream can
 * go on carrying the replication protocol after a diskless transfer; give it a buffered stream.
 *
 * <p>One parser reads one RDB, on the calling thread; not thread-safe. Errors in the data raise
 * {@link RdbFormatException} with the byte offset; a stream that ends early raises
 * {@link java.io.EOFException}.
 */
public final class RdbParser {

    /**
     * The newest RDB version with magic {@code REDIS} this parser reads: 15 (Redis 8.10). Versions 13 to 15 bring
     * key metadata ({@link KeyMetadata}), read, and value types Ferry cannot read, which stop the parse naming
     * the key ({@link UnreadableTypes}).
     */
    public static final int MAX_REDIS_VERSION = 15;
    /** The first RDB version with {@code RDB_OPCODE_KEY_META} (Redis 8.6). */
    private static final int KEY_META_VERSION = 13;
    /** From this RDB version on, a type byte is a type only in files of its version or newer. */
    private static final int FIRST_STRICT_VERSION = 13;

    private static final int VALKEY_MIN_VERSION = 80;
    private static final int VALKEY_MAX_VERSION = 81;

    private final RdbInput input;
    private final RdbReader reader;
    private final RdbParserOptions options;
    private boolean started;

    public RdbParser(InputStream in) {
        this(in, RdbParserOptions.defaults());
    }

    public RdbParser(InputStream in, RdbParserOptions options) {
        this.input = new RdbInput(in);
        this.reader = new RdbReader(input);
        this.options = options;
    }

    /** Bytes taken from the stream so far; after {@link #parse}, the RDB's exact size. */
    public long bytesRead() {
        return input.streamBytes();
    }

    /**
     * Reads the whole RDB, calling {@code handler} for each part, and returns after the checksum trailer.
     * Call once.
     *
     * @throws RdbFormatException   the data is not a valid RDB, or its checksum does not match
     * @throws java.io.EOFException the stream ended before the RDB did
     * @throws IOException          reading the stream failed, or the handler threw it
     */
    public void parse(RdbHandler handler) throws IOException {
        if (started) {
            throw new IllegalStateException("parse: already called (a parser reads one RDB)");
        }
        started = true;
        Header header = Header.read(reader);
        handler.header(header.magic(), header.version());
        new Body(header, handler).run();
    }

    /** The state carried between opcodes: the database, and the attributes of the next key. */
    private final class Body {
        private final Header header;
        private final RdbHandler handler;
        private int db;
        private long expireAtMs = -1;
        private long idleSeconds = -1;
        private int lfuFreq = -1;
        /** Module metadata classes of the next key that a server without the module must not drop. */
        private List<String> requiredMetadata = List.of();

        Body(Header header, RdbHandler handler) {
            this.header = header;
            this.handler = handler;
        }

        void run() throws IOException {
            while (true) {
                long offset = input.position();
                int code = input.readByte();
                RdbOpcode op = RdbOpcode.of(code);
                if (op == null) {
                    readEntry(code, offset);
                    continue;
                }
                switch (op) {
                    case EOF -> {
                        readTrailer();
                        return;
                    }
                    case SELECTDB -> {
                        db = reader.checkedInt(reader.readLength(), "database number");
                        handler.selectDb(db);
                    }
                    case RESIZEDB -> handler.resizeDb(reader.readLength(), reader.readLength());
                    case EXPIRETIME_MS -> expireAtMs = reader.readMillis();
                    case EXPIRETIME -> expireAtMs = (int) reader.readIntLE(4) * 1000L;
                    case IDLE -> idleSeconds = reader.readLength();
                    case FREQ -> lfuFreq = reader.readByte();
                    case AUX -> handler.aux(reader.readString(), reader.readString());
                    case SLOT_INFO -> handler.slotInfo(reader.checkedInt(reader.readLength(), "slot"),
                            reader.readLength(), reader.readLength());
                    case FUNCTION2 -> handler.function(reader.readString());
                    case FUNCTION_PRE_GA -> throw reader.failAt("functions of the Redis 7.0 release candidates "
                            + "(opcode 246) are not supported", offset);
                    case MODULE_AUX -> handler.moduleAux(ModuleValues.skipAux(reader));
                    case SLOT_IMPORT -> {
                        // 243 is Valkey's SLOT_IMPORT, and Redis 8.6's KEY_META.
                        if (header.valkey()) {
                            skipSlotImport();
                        } else if (header.version() >= KEY_META_VERSION) {
                            requiredMetadata = KeyMetadata.read(reader);
                        } else {
                            throw unknown(code, offset);
                        }
                    }
                    case UPDATE -> {
                        if (!header.valkey()) {
                            throw unknown(code, offset);
                        }
                        throw reader.failAt("the snapshot carries replication commands among its keys (opcode 242, an"
                                + " unreleased Valkey forkless save), which Ferry cannot apply", offset);
                    }
                    default -> throw new IllegalStateException("unhandled opcode " + op);
                }
            }
        }

        private void readEntry(int code, long offset) throws IOException {
            RdbType type = resolveType(code, offset);
            if (type == RdbType.MODULE_PRE_GA) {
                throw reader.failAt("module values of the pre-release format (type 6, Redis 4.0 release "
                        + "candidates) are not supported", offset);
            }
            byte[] key = reader.readString();
            if (!requiredMetadata.isEmpty()) {
                throw reader.failAt("key '" + printable(key) + "' (database " + db + ") carries metadata of module"
                        + " class(es) " + requiredMetadata + " that only its module can read (not marked ignorable):"
                        + " Ferry cannot copy it, as a replica without that module could not load it", offset);
            }
            String moduleName = type == RdbType.MODULE_2 ? peekModuleName() : null;
            reader.context(key, type);
            ParsedEntry entry = new ParsedEntry(reader, options.stringChunkSize(), db, key, type, expireAtMs,
                    idleSeconds, lfuFreq, header.version(), moduleName);
            expireAtMs = -1;
            idleSeconds = -1;
            lfuFreq = -1;
            handler.entry(entry);
            entry.finish();
            reader.context(null, null);
        }

        /** Reads the module id ahead (its name is entry metadata) and gives its bytes back to the value. */
        private String peekModuleName() throws IOException {
            // An RDB length takes at most 9 bytes.
            input.startCapture(9);
            long id;
            try {
                id = reader.readLength();
            } finally {
                input.pushBack(input.stopCapture());
            }
            return ModuleValues.nameOf(id);
        }

        /**
         * The value type a byte stands for in this file's format. A type the format defines but Ferry cannot read
         * fails naming the key (it follows the type byte); a byte that is no type at all fails without one.
         */
        private RdbType resolveType(int code, long offset) throws IOException {
            RdbType type = RdbType.of(code, header.valkey());
            // A type of RDB 13+ (Redis 8.6's streams v4, v5) is one only in a file of its version; older types are
            // read whatever the header says, as they always were (test files mix them freely).
            if (type != null && (type.sinceVersion() < FIRST_STRICT_VERSION || type.sinceVersion() <= header.version())) {
                return type;
            }
            String unread = UnreadableTypes.describe(code, header.valkey(), header.version());
            if (unread == null) {
                throw unknown(code, offset);
            }
            byte[] key = reader.readString();
            throw reader.failAt("key '" + printable(key) + "' (database " + db + ") holds " + unread + " (type " + code
                    + " in " + header + "), which Ferry cannot read (nor pass over: its length is not known); copy"
                    + " such keys by other means", offset);
        }

        private RdbFormatException unknown(int code, long offset) {
            return reader.failAt("unknown value type or opcode " + code + " in " + header, offset);
        }

        /** Valkey's {@code RDB_OPCODE_SLOT_IMPORT}: a job name, then (start, end) slot ranges. */
        private void skipSlotImport() throws IOException {
            reader.skipString();
            long ranges = reader.readLength();
            for (long i = 0; i < ranges; i++) {
                reader.readLength();
                reader.readLength();
            }
        }

        private void readTrailer() throws IOException {
            long computed = input.crc();
            long stored = 0;
            if (header.version() >= 5) {
                long offset = input.position();
                stored = reader.readIntLE(8);
                if (stored != 0 && stored != computed) {
                    throw reader.failAt(String.format("checksum mismatch: the RDB says %016x, its bytes give %016x",
                            stored, computed), offset);
                }
            }
            handler.end(stored);
        }
    }

    /** The 9-byte signature: {@code REDIS} and 4 digits, or {@code VALKEY} and 3. */
    private record Header(String magic, int version) {

        boolean valkey() {
            return magic.equals("VALKEY");
        }

        static Header read(RdbReader reader) throws IOException {
            byte[] sig = new byte[9];
            reader.in.readFully(sig, 0, sig.length);
            String text = new String(sig, StandardCharsets.ISO_8859_1);
            Header h = null;
            if (text.startsWith("REDIS") && digits(text, 5)) {
                h = new Header("REDIS", Integer.parseInt(text.substring(5)));
                if (h.version < 1 || h.version > MAX_REDIS_VERSION) {
                    throw reader.failAt("RDB version " + h.version + " is not supported (magic REDIS: 1 to "
                            + MAX_REDIS_VERSION + ")", 5);
                }
            } else if (text.startsWith("VALKEY") && digits(text, 6)) {
                h = new Header("VALKEY", Integer.parseInt(text.substring(6)));
                if (h.version < VALKEY_MIN_VERSION || h.version > VALKEY_MAX_VERSION) {
                    throw reader.failAt("RDB version " + h.version + " is not supported (magic VALKEY: "
                            + VALKEY_MIN_VERSION + " to " + VALKEY_MAX_VERSION + ")", 6);
                }
            } else {
                throw reader.failAt("not an RDB: the stream starts with '" + printable(sig)
                        + "', expected REDIS or VALKEY and a version", 0);
            }
            return h;
        }

        private static boolean digits(String s, int from) {
            for (int i = from; i < s.length(); i++) {
                if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return "RDB " + magic + " version " + version;
        }
    }

    /** A key for a message: printable ASCII kept, other bytes as \xNN, cut after 64 bytes. */
    static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(bytes.length, 64);
        for (int i = 0; i < n; i++) {
            int b = bytes[i] & 0xff;
            if (b >= 0x20 && b < 0x7f && b != '\\' && b != '\'') {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        if (bytes.length > n) {
            sb.append("...(").append(bytes.length).append(" bytes)");
        }
        return sb.toString();
    }
}
