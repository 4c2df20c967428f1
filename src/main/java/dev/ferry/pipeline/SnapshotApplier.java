package dev.ferry.pipeline;

import dev.ferry.FerryException;
import dev.ferry.rdb.DumpPayload;
import dev.ferry.rdb.RdbEntry;
import dev.ferry.rdb.RdbHandler;
import dev.ferry.rdb.RdbType;
import dev.ferry.rdb.StreamInfo;
import dev.ferry.sink.Command;
import dev.ferry.sink.TargetProfile;
import dev.ferry.sink.WriteSink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Applies a snapshot to the target as it is parsed, key by key.
 *
 * <p>A key goes over as {@code RESTORE key ttl payload REPLACE ABSTTL} with its raw RDB bytes, never
 * decoded, whenever the target can read the payload: its RDB version knows the value's type with the same
 * meaning (Redis's and Valkey's formats gave the bytes from 22 on different types), and the
 * payload fits in the target's {@code proto-max-bulk-len} and Ferry's raw-value limit. Otherwise the
 * value is decoded and rewritten into ordinary commands ({@link ValueRewriter}). The payload is labelled
 * with the target's own RDB version: a type byte means one encoding in every version that knows it.
 *
 * <p>Runs on the replication link's thread.
 */
public final class SnapshotApplier implements RdbHandler {

    private static final byte[] RESTORE = ascii("RESTORE");
    private static final byte[] REPLACE = ascii("REPLACE");
    private static final byte[] ABSTTL = ascii("ABSTTL");
    private static final byte[] DEL = ascii("DEL");
    private static final byte[] PEXPIREAT = ascii("PEXPIREAT");
    private static final byte[] MSET = ascii("MSET");
    private static final byte[] SET = ascii("SET");
    private static final byte[] PXAT = ascii("PXAT");
    private static final int SMALL_STRING = 64 * 1024;
    private static final int MSET_KEYS = 100;
    private static final int MSET_BYTES = 1 << 20;

    private final java.util.List<byte[]> msetArgs = new java.util.ArrayList<>();
    private long msetBytes;
    private int msetDb = -1;

    private final TargetProfile target;
    private final WriteSink sink;
    private final Filters filters;
    private final SyncCounters counters;
    private SourceOrder sourceOrder;
    private final int rawLimit;
    private final int holdLimit;
    private final LongSupplier clock;
    private final Set<String> targetModules;

    /**
     * @param rawLimit largest value taken raw for RESTORE; larger values are rewritten as commands (a stream
     *                 rewritten for an older target is held whole up to it, to be read twice)
     * @param targetModules names of the modules the target has loaded
     */
    public SnapshotApplier(TargetProfile target, WriteSink sink, Filters filters, SyncCounters counters, int rawLimit,
                           Set<String> targetModules, LongSupplier clock) {
        this.target = target;
        this.sink = sink;
        this.filters = filters;
        this.counters = counters;
        // Leave room in the bulk string for the type byte and the 10-byte footer.
        this.rawLimit = (int) Math.max(0, Math.min(rawLimit, target.protoMaxBulkLen() - 16));
        this.holdLimit = rawLimit;
        this.targetModules = targetModules;
        this.clock = clock;
    }

    @Override
    public void aux(byte[] key, byte[] value) {
        // Redis 4.0 to 6.2 send their script cache as "lua" aux fields; EVALSHA in the stream needs them.
        if (new String(key, StandardCharsets.US_ASCII).equals("lua")) {
            sink.write(new byte[][] {ascii("SCRIPT"), ascii("LOAD"), value}, -1);
        }
    }

    @Override
    public void function(byte[] code) {
        if (!target.functions()) {
            throw new FerryException("the source holds Redis functions, which target " + target.version()
                    + " cannot load (needs Redis 7.0+)");
        }
        sink.write(new byte[][] {ascii("FUNCTION"), ascii("LOAD"), ascii("REPLACE"), code}, -1);
    }

    @Override
    public void moduleAux(String moduleName) {
        requireModule(moduleName, null);
    }

    /** Orders the snapshot's keys after another master's writes where a key moved between masters of a cluster source. */
    public void sourceOrder(SourceOrder order) {
        this.sourceOrder = order;
    }

    @Override
    public void entry(RdbEntry entry) throws IOException {
        byte[] key = entry.key();
        if (!filters.includesDb(entry.db()) || !filters.includesKey(key)) {
            counters.snapshotKeysSkipped.increment();
            return;
        }
        if (sourceOrder != null) {
            // A key of a slot this master is still importing, or only just took over: after the old master's writes.
            sourceOrder.before(dev.ferry.cluster.SlotHash.slot(key), key);
        }
        int db = filters.targetDb(entry.db());
        if (db != msetDb) {
            // A batch of strings belongs to the database it was started in.
            flushStrings();
            msetDb = db;
        }
        sink.select(db, -1);
        long expireAt = entry.expireAtMs();
        if (expireAt >= 0 && expireAt <= clock.getAsLong()) {
            // Already expired at the source too: make sure no older copy survives on the target.
            sink.write(new byte[][] {DEL, key}, -1);
            counters.snapshotKeysSkipped.increment();
            return;
        }
        RdbType type = entry.type();
        if (type.kind() == RdbType.Kind.MODULE) {
            requireModule(entry.moduleName(), key);
        }
        if (type == RdbType.STRING && (expireAt < 0 || target.version().atLeast(6, 2))) {
            string(entry, key, expireAt);
            return;
        }
        boolean restorable = target.restores(type);
        boolean stream = type.kind() == RdbType.Kind.STREAM;
        // A stream is held whole up to --raw-limit even when it must be rewritten: its consumer groups come
        // after its entries, and an exact rewrite needs them first.
        byte[] raw = restorable || stream ? entry.rawValue(stream ? holdLimit : rawLimit) : null;
        if (raw != null && restorable && raw.length <= rawLimit) {
            restore(key, type, raw, expireAt);
            counters.snapshotBytes.add(raw.length + key.length);
        } else {
            if (type.kind() == RdbType.Kind.MODULE) {
                throw new FerryException("module key " + Command.printable(key) + " (module " + entry.moduleName()
                        + ") is too large for the target's proto-max-bulk-len or Ferry's --raw-limit");
            }
            StreamInfo known = stream && raw != null ? StreamInfo.read(type, raw) : null;
            entry.decode(new ValueRewriter(key, target, sink, known));
            if (expireAt >= 0) {
                sink.write(new byte[][] {PEXPIREAT, key, ascii(Long.toString(expireAt))}, -1);
            }
            counters.snapshotKeysRewritten.increment();
        }
        counters.snapshotKeys.increment();
    }

    @Override
    public void end(long checksum) {
        flushStrings();
    }

    /**
     * Strings go as plain writes, not RESTORE: a target applies {@code MSET} of 100 keys at about half the
     * CPU per key of one {@code RESTORE} each (docs/DECISIONS.md). Strings with an expiry go as
     * {@code SET ... PXAT}; big ones are streamed as {@code SET} + {@code APPEND}.
     */
    private void string(RdbEntry entry, byte[] key, long expireAt) throws IOException {
        StringCollector value = new StringCollector(key, target, sink, SMALL_STRING);
        entry.decode(value);
        byte[] bytes = value.bytes();
        if (bytes == null) {
            if (expireAt >= 0) {
                sink.write(new byte[][] {PEXPIREAT, key, ascii(Long.toString(expireAt))}, -1);
            }
        } else if (expireAt >= 0) {
            sink.write(new byte[][] {SET, key, bytes, PXAT, ascii(Long.toString(expireAt))}, -1);
        } else {
            queueString(key, bytes);
        }
        counters.snapshotBytes.add(key.length + value.length());
        counters.snapshotKeys.increment();
    }

    private void queueString(byte[] key, byte[] value) {
        if (msetArgs.isEmpty()) {
            msetArgs.add(MSET);
        }
        msetArgs.add(key);
        msetArgs.add(value);
        msetBytes += key.length + value.length;
        if (msetArgs.size() > 2 * MSET_KEYS || msetBytes >= MSET_BYTES) {
            flushStrings();
        }
    }

    private void flushStrings() {
        if (!msetArgs.isEmpty()) {
            sink.write(msetArgs.toArray(new byte[0][]), -1);
            msetArgs.clear();
            msetBytes = 0;
        }
    }

    private void restore(byte[] key, RdbType type, byte[] raw, long expireAt) {
        byte[] payload = DumpPayload.encode(type, raw, target.rdbVersion());
        if (target.restoreAbsTtl()) {
            byte[] ttl = ascii(Long.toString(Math.max(expireAt, 0)));
            sink.write(expireAt >= 0
                    ? new byte[][] {RESTORE, key, ttl, payload, REPLACE, ABSTTL}
                    : new byte[][] {RESTORE, key, ttl, payload, REPLACE}, -1);
            return;
        }
        long ttl = expireAt < 0 ? 0 : Math.max(1, expireAt - clock.getAsLong());
        byte[] ttlArg = ascii(Long.toString(ttl));
        if (target.restoreReplace()) {
            sink.write(new byte[][] {RESTORE, key, ttlArg, payload, REPLACE}, -1);
        } else {
            sink.write(new byte[][] {DEL, key}, -1);
            sink.write(new byte[][] {RESTORE, key, ttlArg, payload}, -1);
        }
        if (expireAt >= 0) {
            // A relative TTL drifts by the time the command spent in flight: pin the absolute time.
            sink.write(new byte[][] {PEXPIREAT, key, ascii(Long.toString(expireAt))}, -1);
        }
    }

    private void requireModule(String moduleName, byte[] key) {
        // MODULE LIST names modules, the RDB names module types: with no module at all the key cannot land;
        // with some, the target's RESTORE reply says whether this type is among them.
        if (moduleName != null && targetModules.isEmpty()) {
            throw new FerryException((key == null ? "the source uses module " : "key " + Command.printable(key) + " belongs to module ")
                    + moduleName + ", which the target has not loaded: load the module on the target first");
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
