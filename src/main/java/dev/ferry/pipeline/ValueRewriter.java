package dev.ferry.pipeline;

import dev.ferry.FerryException;
import dev.ferry.rdb.RdbType;
import dev.ferry.rdb.StreamId;
import dev.ferry.rdb.StreamInfo;
import dev.ferry.rdb.ValueVisitor;
import dev.ferry.sink.TargetProfile;
import dev.ferry.sink.WriteSink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites one decoded value into ordinary commands ({@code SET}/{@code APPEND}, {@code RPUSH},
 * {@code SADD}, {@code ZADD}, {@code HSET}, {@code XADD}, ...), for targets that cannot take the
 * value's DUMP payload: older than the payload's RDB version, or a value larger than the target's
 * {@code proto-max-bulk-len}.
 *
 * <p>Elements are sent in batches bounded in count and bytes, so a key of any size is streamed
 * through bounded memory. The key is deleted first, so the rewrite replaces whatever the target held.
 */
final class ValueRewriter implements ValueVisitor {

    private static final int MAX_BATCH_ELEMENTS = 512;

    private final byte[] key;
    private final TargetProfile target;
    private final WriteSink sink;
    private final long maxBatchBytes;

    private final List<byte[]> batch = new ArrayList<>();
    private long batchBytes;
    private byte[][] batchPrefix;
    private final List<byte[][]> fieldTtls = new ArrayList<>();
    private final StreamInfo knownStream;
    private StreamRebuild stream;

    ValueRewriter(byte[] key, TargetProfile target, WriteSink sink) {
        this(key, target, sink, null);
    }

    /**
     * @param knownStream for a stream value, its metadata read before the entries ({@link StreamInfo#read}), which
     *                    makes the rewrite exact (see {@link StreamRebuild}); null when not known
     */
    ValueRewriter(byte[] key, TargetProfile target, WriteSink sink, StreamInfo knownStream) {
        this.key = key;
        this.target = target;
        this.sink = sink;
        this.knownStream = knownStream;
        this.maxBatchBytes = Math.min(1 << 20, target.protoMaxBulkLen() / 2);
    }

    @Override
    public void begin(RdbType type, long size) {
        send(args("DEL", key));
    }

    @Override
    public void string(byte[] chunk, long offset, long totalLength) {
        send(offset == 0 ? args("SET", key, chunk) : args("APPEND", key, chunk));
    }

    @Override
    public void listItem(byte[] item) {
        add(args("RPUSH", key), item);
    }

    @Override
    public void setMember(byte[] member) {
        add(args("SADD", key), member);
    }

    @Override
    public void zsetEntry(byte[] member, double score) {
        add(args("ZADD", key), ascii(formatScore(score)), member);
    }

    @Override
    public void hashEntry(byte[] field, byte[] value, long expireAtMs) {
        add(args(target.multiFieldHset() ? "HSET" : "HMSET", key), field, value);
        if (expireAtMs >= 0) {
            if (!target.hashFieldTtl()) {
                throw new FerryException("key " + printable() + " has hash fields with TTLs, which target "
                        + target.version() + " cannot hold (needs Redis 7.4+)");
            }
            fieldTtls.add(args("HPEXPIREAT", key, ascii(Long.toString(expireAtMs)), ascii("FIELDS"), ascii("1"), field));
        }
    }

    @Override
    public void streamEntry(StreamId id, byte[][] fieldsAndValues) {
        stream().entry(id, fieldsAndValues);
    }

    @Override
    public void streamEnd(StreamInfo info) {
        stream().end(info);
    }

    @Override
    public void end() {
        flushBatch();
        for (byte[][] ttl : fieldTtls) {
            send(ttl);
        }
        fieldTtls.clear();
    }

    private void add(byte[][] prefix, byte[]... elements) {
        if (batchPrefix == null) {
            batchPrefix = prefix;
        }
        for (byte[] e : elements) {
            batch.add(e);
            batchBytes += e.length;
        }
        if (batch.size() >= MAX_BATCH_ELEMENTS || batchBytes >= maxBatchBytes) {
            flushBatch();
        }
    }

    private void flushBatch() {
        if (batch.isEmpty()) {
            return;
        }
        byte[][] argv = new byte[batchPrefix.length + batch.size()][];
        System.arraycopy(batchPrefix, 0, argv, 0, batchPrefix.length);
        for (int i = 0; i < batch.size(); i++) {
            argv[batchPrefix.length + i] = batch.get(i);
        }
        batch.clear();
        batchBytes = 0;
        batchPrefix = null;
        send(argv);
    }

    private void send(byte[][] argv) {
        sink.write(argv, -1);
    }

    private StreamRebuild stream() {
        if (stream == null) {
            if (!target.streams()) {
                throw new FerryException("key " + printable() + " is a stream, which target " + target.version()
                        + " cannot hold (needs Redis 5.0+)");
            }
            stream = new StreamRebuild(key, target, sink, knownStream);
        }
        return stream;
    }

    private String printable() {
        return dev.ferry.sink.Command.printable(key);
    }

    /** A score as Redis parses it back to the same double: shortest round-trip form, {@code inf}, {@code -inf}. */
    static String formatScore(double score) {
        if (score == Double.POSITIVE_INFINITY) {
            return "inf";
        }
        if (score == Double.NEGATIVE_INFINITY) {
            return "-inf";
        }
        if (score == 0 && Double.doubleToRawLongBits(score) != 0) {
            return "-0";
        }
        if (score == Math.rint(score) && Math.abs(score) < 1e15) {
            return Long.toString((long) score);
        }
        return Double.toString(score);
    }

    private static byte[][] args(String name, byte[]... rest) {
        byte[][] argv = new byte[1 + rest.length][];
        argv[0] = ascii(name);
        System.arraycopy(rest, 0, argv, 1, rest.length);
        return argv;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
