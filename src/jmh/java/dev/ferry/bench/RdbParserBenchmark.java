package dev.ferry.bench;

import dev.ferry.rdb.Crc64;
import dev.ferry.rdb.RdbEntry;
import dev.ferry.rdb.RdbHandler;
import dev.ferry.rdb.RdbParser;
import dev.ferry.rdb.RdbType;
import dev.ferry.rdb.StreamId;
import dev.ferry.rdb.StreamInfo;
import dev.ferry.rdb.ValueVisitor;
import dev.ferry.resp.RespReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@link RdbParser} over a whole RDB held in memory, read the way the replication link reads a diskless
 * snapshot (through {@link RespReader#inputStream()}), in three modes: {@code skip} (the handler ignores
 * every value, the parser walks over it), {@code raw} ({@link RdbEntry#rawValue(int)}, what a RESTORE
 * needs) and {@code decode} ({@link RdbEntry#decode(ValueVisitor)} into every element).
 *
 * <p>Files: the golden fixtures of {@code src/test/resources/rdb/} (every value type of that version,
 * about 190 KB each; the directory is {@code -Dferry.bench.rdb.dir}, by default relative to the working
 * directory) and {@code strings-100}, generated at setup: 20,000 string keys with 100 random bytes each,
 * RDB 10, the shape of benchmark workload 1.
 *
 * <p>Primary score: parses per second. Secondary {@code :bytes}: RDB bytes per microsecond, MB/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RdbParserBenchmark {

    private static final int RAW_LIMIT = 32 * 1024 * 1024;

    @Param({"strings-100", "redis-3.2", "redis-5.0", "redis-6.2", "redis-7.0", "redis-7.4", "valkey-8.0"})
    public String file;

    @Param({"skip", "raw", "decode"})
    public String mode;

    private byte[] rdb;
    private RdbHandler handler;

    @Setup(Level.Trial)
    public void load(Blackhole bh) throws IOException {
        if (file.equals("strings-100")) {
            rdb = strings(20_000, 100);
        } else {
            Path dir = Path.of(System.getProperty("ferry.bench.rdb.dir", "src/test/resources/rdb"));
            rdb = Files.readAllBytes(dir.resolve(file + ".rdb"));
        }
        ValueVisitor visitor = new Consumer(bh);
        handler = switch (mode) {
            case "skip" -> entry -> bh.consume(entry.key());
            case "raw" -> entry -> bh.consume(entry.rawValue(RAW_LIMIT));
            case "decode" -> entry -> {
                if (entry.type().kind() != RdbType.Kind.MODULE) {
                    entry.decode(visitor);
                }
            };
            default -> throw new IllegalArgumentException("mode: " + mode + " (expected: skip, raw or decode)");
        };
    }

    @Benchmark
    public void parse(Bytes bytes) throws IOException {
        new RdbParser(new RespReader(new ByteArrayInputStream(rdb)).inputStream()).parse(handler);
        bytes.bytes += rdb.length;
    }

    /** An RDB 10 file of {@code keys} plain string keys {@code key:<n>} with random values. */
    static byte[] strings(int keys, int valueSize) {
        SplittableRandom random = new SplittableRandom(7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("REDIS0010".getBytes(StandardCharsets.US_ASCII));
        out.write(0xfe); // SELECTDB 0
        out.write(0);
        byte[] value = new byte[valueSize];
        for (int i = 0; i < keys; i++) {
            out.write(0); // RDB_TYPE_STRING
            writeString(out, ("key:" + i).getBytes(StandardCharsets.US_ASCII));
            random.nextBytes(value);
            writeString(out, value);
        }
        out.write(0xff); // EOF
        long crc = Crc64.of(out.toByteArray());
        for (int i = 0; i < 8; i++) {
            out.write((int) (crc >>> (8 * i)));
        }
        return out.toByteArray();
    }

    /** A plain string with a 6- or 14-bit length ({@code rdbSaveLen}). */
    private static void writeString(ByteArrayOutputStream out, byte[] s) {
        if (s.length < 64) {
            out.write(s.length);
        } else if (s.length < 16384) {
            out.write(0x40 | (s.length >> 8));
            out.write(s.length & 0xff);
        } else {
            throw new IllegalArgumentException("string of " + s.length + " bytes (expected: < 16384)");
        }
        out.writeBytes(s);
    }

    /** Hands every decoded element to the black hole. */
    private static final class Consumer implements ValueVisitor {
        private final Blackhole bh;

        Consumer(Blackhole bh) {
            this.bh = bh;
        }

        @Override
        public void string(byte[] chunk, long offset, long totalLength) {
            bh.consume(chunk);
        }

        @Override
        public void listItem(byte[] item) {
            bh.consume(item);
        }

        @Override
        public void setMember(byte[] member) {
            bh.consume(member);
        }

        @Override
        public void zsetEntry(byte[] member, double score) {
            bh.consume(member);
            bh.consume(score);
        }

        @Override
        public void hashEntry(byte[] field, byte[] value, long expireAtMs) {
            bh.consume(field);
            bh.consume(value);
        }

        @Override
        public void streamEntry(StreamId id, byte[][] fieldsAndValues) {
            bh.consume(fieldsAndValues);
        }

        @Override
        public void streamEnd(StreamInfo info) {
            bh.consume(info);
        }
    }
}
