package dev.ferry.sink;

import dev.ferry.MemoryBudget;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespReader;
import dev.ferry.resp.RespWriter;
import dev.ferry.resp.SpilledBulk;
import dev.ferry.testing.FaultProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pipelined writer against a real server: replies arrive in bursts and are retired in batches; every
 * acknowledged offset belongs to a command that succeeded, and the first failure names its command.
 */
class NodeWriterIT {

    private RedisServer server;
    private RedisConnection check;
    private final List<Long> acks = new ArrayList<>();
    private NodeWriter writer;

    @BeforeEach
    void start() {
        server = RedisServer.builder().version("7.0.15").start();
        check = server.connect();
        // A small window, so that the producer waits for replies many times.
        writer = new NodeWriter(server.connect(), new NodeWriter.Limits(64, 1 << 20), offset -> {
            synchronized (acks) {
                acks.add(offset);
            }
        });
    }

    @AfterEach
    void stop() {
        writer.close();
        check.close();
        server.stop();
    }

    @Test
    void aTransactionsMemoryIsHeldUntilItsExecIsAnsweredNotUntilItsQueuedReplies() throws Exception {
        MemoryBudget budget = new MemoryBudget(64L << 20);
        MemoryBudget.Account account = budget.open();
        try (NodeWriter w = new NodeWriter(server.connect(), NodeWriter.Limits.defaults(), null, account)) {
            // A batch's memory, held by whoever built it, passes to the writer with the transaction.
            long batch = 100 * (16 + 10_016 + 3 * 16);
            account.acquire(batch);
            w.write(argv("MULTI"), -1);
            w.carry(batch);
            w.prepaid(true);
            for (int i = 0; i < 100; i++) {
                w.write(new byte[][] {"SET".getBytes(StandardCharsets.US_ASCII), ("k" + i).getBytes(StandardCharsets.US_ASCII),
                    new byte[10_000]}, -1);
            }
            w.prepaid(false);
            w.flush();
            long deadline = System.currentTimeMillis() + 10_000;
            while (w.inFlightCount() > 0) {
                assertThat(System.currentTimeMillis()).as("QUEUED replies").isLessThan(deadline);
                Thread.sleep(1);
            }
            // Every command is answered QUEUED, yet all still live (in the writer, and queued in the target).
            assertThat(account.held()).as("memory held before the EXEC").isEqualTo(batch);
            w.write(argv("EXEC"), 1);
            w.drain();
            assertThat(account.held()).as("memory held once the EXEC is answered").isZero();
            assertThat(budget.used()).isZero();
        }
    }

    @Test
    void everyReplyOfALongPipelineIsCountedAndAcknowledgedInOrder() throws Exception {
        for (int i = 1; i <= 20_000; i++) {
            writer.write(argv("INCR", "n"), i);
            if (i % 1000 == 0) {
                writer.flush();
            }
        }
        writer.drain();
        assertThat(check.callChecked("GET", "n").asText()).isEqualTo("20000");
        assertThat(writer.ackedOffset()).isEqualTo(20_000);
        // The callback runs on the reply thread after the window is updated: it may trail drain() a little.
        long deadline = System.currentTimeMillis() + 5_000;
        while (lastAck() != 20_000L && System.currentTimeMillis() < deadline) {
            Thread.sleep(1);
        }
        synchronized (acks) {
            assertThat(acks).isSorted().endsWith(20_000L);
        }
        assertThat(writer.stalledMillis()).isZero();
    }

    private long lastAck() {
        synchronized (acks) {
            return acks.isEmpty() ? -1 : acks.get(acks.size() - 1);
        }
    }

    @Test
    void theFirstRejectedCommandIsNamedAndNothingAfterItIsAcknowledged() throws Exception {
        check.callChecked("SET", "s", "not a list");
        for (int i = 1; i <= 300; i++) {
            writer.write(argv("INCR", "n"), i);
        }
        writer.write(argv("LPUSH", "s", "x"), 301);
        // The failure surfaces in a later write (waiting for room in the window) or in drain, whichever comes first.
        assertThatThrownBy(() -> {
            for (int i = 302; i <= 600; i++) {
                writer.write(argv("INCR", "n"), i);
            }
            writer.drain();
        })
                .isInstanceOf(TargetRejectedException.class)
                .hasMessageContaining("LPUSH")
                .hasMessageContaining("WRONGTYPE");
        // The writes before the failure were acknowledged, the failed one and later ones never are.
        assertThat(writer.ackedOffset()).isEqualTo(300);
        assertThatThrownBy(() -> writer.write(argv("INCR", "n"), 700)).isInstanceOf(TargetRejectedException.class);
    }

    @Test
    void anErrorInsideExecNamesTheQueuedCommand() throws Exception {
        check.callChecked("SET", "s", "not a list");
        writer.write(argv("MULTI"), -1);
        writer.write(argv("INCR", "n"), -1);
        writer.write(argv("RPUSH", "s", "x"), -1);
        writer.write(argv("INCR", "n"), -1);
        writer.write(argv("EXEC"), 10);
        assertThatThrownBy(writer::drain)
                .isInstanceOf(TargetRejectedException.class)
                .hasMessageContaining("RPUSH")
                .hasMessageContaining("inside MULTI/EXEC");
        assertThat(writer.ackedOffset()).isEqualTo(-1);
    }

    @Test
    void aReplyThreadThatDiesOfAnErrorFailsTheWriterWithAMessageThatSaysWhatToDo() throws InterruptedException {
        NodeWriter dying = new NodeWriter(server.connect(), NodeWriter.Limits.defaults(), offset -> {
            throw new OutOfMemoryError("Java heap space");
        });
        try {
            dying.write(argv("INCR", "n"), 1);
            dying.flush();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (dying.failure() == null) {
                assertThat(System.nanoTime()).as("the writer's failure, once its reply thread died").isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThat(dying.failure().getMessage()).contains("ran out of memory").contains("--memory-budget")
                    .contains("FERRY_JAVA_OPTS");
            assertThat(dying.failure().isRetriable()).isFalse();
            // The producer learns of it at its next call instead of waiting for replies that never come.
            assertThatThrownBy(() -> {
                dying.write(argv("INCR", "n"), 2);
                dying.drain();
            }).isSameAs(dying.failure());
        } finally {
            dying.close();
        }
    }

    @Test
    void aSpilledArgumentGoingOutOverASlowLinkIsProgressNotAStall(@TempDir Path dir) throws Exception {
        int length = 64 << 20;
        ByteArrayOutputStream command = new ByteArrayOutputStream(length + 64);
        new RespWriter(command).command(argv("SET", "big", "x".repeat(length))).flush();
        byte[][] set = new RespReader(new ByteArrayInputStream(command.toByteArray())).readCommand(new SpilledBulk.Store(dir, 1 << 20));
        try (FaultProxy link = FaultProxy.to(server.port())) {
            link.throttle(16 << 20);
            NodeWriter slow = new NodeWriter(RedisConnection.open(link.endpoint(server.endpoint())), NodeWriter.Limits.defaults(), null);
            try {
                AtomicLong maxStalled = new AtomicLong();
                AtomicBoolean sending = new AtomicBoolean(true);
                Thread watch = new Thread(() -> {
                    while (sending.get()) {
                        maxStalled.accumulateAndGet(slow.stalledMillis(), Math::max);
                        Thread.onSpinWait();
                    }
                }, "stall-watch");
                watch.start();
                long started = System.nanoTime();
                slow.write(set, 1);
                slow.drain();
                long millis = (System.nanoTime() - started) / 1_000_000;
                sending.set(false);
                watch.join();
                assertThat(millis).as("the throttle makes the send last").isGreaterThan(3000);
                // Only what the socket buffers hold once the last byte is written waits without moving.
                assertThat(maxStalled.get()).as("longest stall seen, ms").isLessThan(millis - 1000);
            } finally {
                slow.close();
            }
        }
        assertThat(check.callChecked("STRLEN", "big").asLong()).isEqualTo(length);
    }

    private static byte[][] argv(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            out[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }
}
