package dev.ferry.checkpoint;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.sink.TargetRejectedException;
import dev.ferry.sink.NodeWriter;
import dev.ferry.source.ReplicationOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Checkpointed transactions against a real server: a batch and its checkpoint land together or not at all. */
class TransactionalSinkIT {

    private static final String REPL_ID = "a".repeat(40);

    private RedisServer server;
    private RedisConnection check;
    private NodeWriter writer;
    private TransactionalSink sink;
    private final CheckpointStore store = new CheckpointStore("test");

    @BeforeEach
    void start() {
        server = RedisServer.builder().version("7.0.15").start();
        check = server.connect();
        writer = new NodeWriter(server.connect(), NodeWriter.Limits.defaults(), null);
        sink = new TransactionalSink(writer, store, 3, System::currentTimeMillis);
        sink.sourceDb(() -> 2);
        sink.startStream(new ReplicationOffset(REPL_ID, 100), 2, true);
    }

    @AfterEach
    void stop() {
        writer.close();
        check.close();
        server.stop();
    }

    @Test
    void aBatchCarriesTheCheckpointOfItsLastCommand() throws Exception {
        sink.select(2, 110);
        sink.write(argv("INCR", "n"), 120);
        sink.write(argv("RPUSH", "l", "a"), 130);
        sink.flush();
        writer.drain();
        Checkpoint cp = store.load(check);
        assertThat(cp).isEqualTo(Checkpoint.stream(new ReplicationOffset(REPL_ID, 130), 2, true));
        check.callChecked("SELECT", "2");
        assertThat(check.callChecked("GET", "n").asText()).isEqualTo("1");
        assertThat(writer.ackedOffset()).isEqualTo(130);
    }

    @Test
    void aSourceTransactionIsUnwrappedAndNeverSplitAcrossBatches() throws Exception {
        sink.select(2, 110);
        sink.write(argv("MULTI"), 111);
        for (int i = 0; i < 10; i++) {
            sink.write(argv("INCR", "n"), 120 + i);
        }
        // More writes than a batch holds, yet the batch stays open until the source's EXEC.
        assertThat(sink.checkpointedOffset()).isEqualTo(100);
        sink.write(argv("EXEC"), 200);
        sink.flush();
        writer.drain();
        assertThat(store.load(check).position().offset()).isEqualTo(200);
        check.callChecked("SELECT", "2");
        assertThat(check.callChecked("GET", "n").asText()).isEqualTo("10");
    }

    @Test
    void aRejectedWriteAbortsItsBatchAndLeavesTheCheckpointWhereItWas() throws Exception {
        sink.select(2, 110);
        sink.write(argv("INCR", "n"), 120);
        sink.flush();
        writer.drain();
        // A source transaction keeps both writes in one batch.
        sink.write(argv("MULTI"), 121);
        sink.write(argv("INCR", "n"), 130);
        sink.write(argv("NOSUCHCOMMAND", "x"), 140);
        // The refusal surfaces at the next flush or drain, whichever comes after the reply.
        assertThatThrownBy(() -> {
            sink.write(argv("EXEC"), 150);
            sink.flush();
            writer.drain();
        }).isInstanceOf(TargetRejectedException.class).hasMessageContaining("NOSUCHCOMMAND");
        assertThat(store.load(check).position().offset()).isEqualTo(120);
        check.callChecked("SELECT", "2");
        assertThat(check.callChecked("GET", "n").asText()).isEqualTo("1");
    }

    @Test
    void afterAFailedBatchNoLaterBatchIsSent() throws Exception {
        sink.select(2, 110);
        assertThatThrownBy(() -> {
            sink.write(argv("NOSUCHCOMMAND", "x"), 120);
            sink.flush();
            sink.write(argv("INCR", "n"), 130);
            sink.flush();
        }).isInstanceOf(TargetRejectedException.class);
        assertThat(store.load(check).position().offset()).isEqualTo(100);
        check.callChecked("SELECT", "2");
        assertThat(check.callChecked("EXISTS", "n").asLong()).isZero();
    }

    @Test
    void stoppingInsideASourceTransactionDropsItsUncheckpointedWrites() throws Exception {
        sink.select(2, 110);
        sink.write(argv("MULTI"), 111);
        sink.write(argv("INCR", "n"), 130);
        sink.finish();
        writer.drain();
        assertThat(store.load(check).position().offset()).isEqualTo(100);
        check.callChecked("SELECT", "2");
        assertThat(check.callChecked("EXISTS", "n").asLong()).isZero();
    }

    @Test
    void writesArrivingWhileATransactionIsInFlightGoTogetherInTheNextOne() throws Exception {
        TransactionalSink roomy = new TransactionalSink(writer, store, 1000, System::currentTimeMillis);
        roomy.sourceDb(() -> 2);
        roomy.startStream(new ReplicationOffset(REPL_ID, 100), 2, true);
        roomy.select(2, 110);
        writer.drain();
        // The target answers nothing for 300 ms: whatever is in flight stays in flight meanwhile.
        check.callChecked("CLIENT", "PAUSE", "300");
        for (int i = 0; i < 200; i++) {
            roomy.write(argv("INCR", "n"), 120 + i);
        }
        roomy.flush();
        writer.drain();
        assertThat(store.load(check).position().offset()).isEqualTo(319);
        check.callChecked("SELECT", "2");
        assertThat(check.callChecked("GET", "n").asText()).isEqualTo("200");
        // Two stream starts, the first write alone, then the 199 that came while it was in flight.
        long execs = Long.parseLong(check.callChecked("INFO", "commandstats").asText().lines()
                .filter(l -> l.startsWith("cmdstat_exec:")).findFirst().orElseThrow()
                .replaceAll("^cmdstat_exec:calls=(\\d+),.*$", "$1"));
        assertThat(execs).isLessThanOrEqualTo(4);
    }

    @Test
    void anIdleStreamStillRecordsItsProgressOnceASecond() throws Exception {
        sink.advance(150);
        sink.flush();
        writer.drain();
        assertThat(store.load(check).position().offset()).isEqualTo(100);
        Thread.sleep(1100);
        sink.advance(160);
        sink.flush();
        writer.drain();
        assertThat(store.load(check).position().offset()).isEqualTo(160);
    }

    private static byte[][] argv(String... parts) {
        byte[][] a = new byte[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            a[i] = parts[i].getBytes(StandardCharsets.UTF_8);
        }
        return a;
    }
}
