package dev.ferry.bench;

import dev.ferry.resp.RespReader;
import dev.ferry.resp.RespWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
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
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@link RespReader#readCommand()} over a pre-encoded replication stream: {@value #COMMANDS} commands
 * {@code SET key:<n> <value>}, each value {@code valueSize} random bytes, read through the reader's own
 * 64 KiB buffer as from a socket.
 *
 * <p>Primary score: commands per microsecond. Secondary {@code :bytes}: stream bytes per microsecond, MB/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RespReaderBenchmark {

    static final int COMMANDS = 4096;

    @Param({"16", "100", "1024", "16384"})
    public int valueSize;

    private byte[] stream;

    @Setup(Level.Trial)
    public void encode() throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RespWriter writer = new RespWriter(out);
        byte[] set = "SET".getBytes(StandardCharsets.US_ASCII);
        byte[] value = new byte[valueSize];
        for (int i = 0; i < COMMANDS; i++) {
            random.nextBytes(value);
            writer.command(set, ("key:" + i).getBytes(StandardCharsets.US_ASCII), value);
        }
        writer.flush();
        stream = out.toByteArray();
    }

    @Benchmark
    @OperationsPerInvocation(COMMANDS)
    public void readCommand(Bytes bytes, Blackhole bh) throws IOException {
        RespReader reader = new RespReader(new ByteArrayInputStream(stream));
        for (int i = 0; i < COMMANDS; i++) {
            bh.consume(reader.readCommand());
        }
        bytes.bytes += stream.length;
    }
}
