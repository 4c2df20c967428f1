package dev.ferry.pipeline;

import dev.ferry.cluster.SlotHash;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.source.ReplicationLink;
import dev.ferry.source.ReplicationListener;
import dev.ferry.source.ReplicationOffset;
import dev.ferry.testing.ClusterHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A live Valkey 9.1.2 atomic slot migration ({@code CLUSTER MIGRATESLOTS}) under an INCR/LPUSH load in databases
 * 0 and 3, read by Ferry's own replication link from the exporting and from the importing master: what each
 * stream carries, and what Ferry's replayer makes of it.
 */
class SlotMigrationStreamIT {

    private static final String VERSION = "valkey-9.1.2";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String TAG = "{foo}";

    @TempDir
    Path spool;

    @Test
    void theImportingMastersCopyIsDroppedAndOnlyWritesMadeOnItAfterTheMigrationAreForwarded() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(VERSION, 3, "--cluster-databases", "4")) {
            int slot = SlotHash.slot((TAG + "n").getBytes(StandardCharsets.UTF_8));
            RedisServer from = cluster.ownerOf(slot);
            RedisServer to = cluster.masters().stream().filter(m -> m != from).findFirst().orElseThrow();
            for (int db : new int[] {0, 3}) {
                try (RedisConnection conn = from.connect()) {
                    conn.callChecked("SELECT", db);
                    for (int i = 0; i < 3000; i++) {
                        conn.callChecked("SET", TAG + "k" + i, "v" + i);
                    }
                    conn.callChecked("RPUSH", TAG + "l", "a", "b");
                }
            }
            Recorded exporting = Recorded.attach(from, spool.resolve("from"));
            Recorded importing = Recorded.attach(to, spool.resolve("to"));
            exporting.awaitStreaming();
            importing.awaitStreaming();

            Load load = new Load(from, to);
            Thread writer = new Thread(load, "migration-load");
            writer.start();
            load.awaitOn(from, 50);
            try (RedisConnection conn = from.connect()) {
                conn.callChecked("CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", slot, slot, "NODE", id(to));
            }
            load.awaitOn(to, 50);
            load.stop();
            writer.join(TIMEOUT.toMillis());
            long onFrom = load.count("INCR", from);
            long onTo = load.count("INCR", to);
            long pushesOnTo = load.count("LPUSH", to);
            awaitRecorded(importing, "INCR " + TAG + "n", onTo);
            awaitRecorded(exporting, "INCR " + TAG + "n", onFrom);
            // The exporting master deletes what it gave away after the move, maybe later than its last INCR.
            awaitRaw(exporting, "UNLINK " + TAG + "k", 6000);
            exporting.stop();
            importing.stop();

            // What the importing master's stream carries: the job's steps, the slot's keys again, the forwarded writes.
            assertThat(importing.raw).anyMatch(c -> c.startsWith("CLUSTER SYNCSLOTS ESTABLISH "));
            assertThat(importing.raw).anyMatch(c -> c.startsWith("CLUSTER SYNCSLOTS FINISH STATE SUCCESS"));
            assertThat(importing.raw).contains("SET " + TAG + "k7 v7");
            assertThat(importing.raw).anyMatch(c -> c.startsWith("RPUSH " + TAG + "l"));
            // Forwarded: only what clients wrote on it after the migration, once.
            assertThat(importing.sink.writes).noneMatch(c -> c.startsWith("CLUSTER") || c.startsWith("SET ")
                    || c.startsWith("RPUSH"));
            assertThat(importing.sink.writes).filteredOn(c -> c.equals("INCR " + TAG + "n")).hasSize((int) onTo);
            assertThat(importing.sink.writes).filteredOn(c -> c.startsWith("LPUSH " + TAG + "l ")).hasSize((int) pushesOnTo);
            // The exporting master: every write made on it, then the keys it gave away deleted as plain UNLINKs in
            // each database, with no mark of the migration (a cluster copy must not apply them: issue 12).
            assertThat(exporting.sink.writes).filteredOn(c -> c.equals("INCR " + TAG + "n")).hasSize((int) onFrom);
            assertThat(exporting.raw).contains("UNLINK " + TAG + "k7");
            assertThat(exporting.raw).filteredOn(c -> c.startsWith("UNLINK " + TAG + "k")).hasSize(6000);
            assertThat(exporting.raw).noneMatch(c -> c.startsWith("CLUSTER"));
        }
    }

    /** Waits until the link has read {@code count} commands starting with {@code prefix}. */
    private static void awaitRaw(Recorded link, String prefix, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            long seen;
            synchronized (link.raw) {
                seen = link.raw.stream().filter(c -> c.startsWith(prefix)).count();
            }
            if (seen >= count) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(seen + " '" + prefix + "…' read, fewer than " + count + ", within " + TIMEOUT);
            }
            Thread.sleep(20);
        }
    }

    private static void awaitRecorded(Recorded link, String command, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (recorded(link, command) < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + count + " '" + command + "' forwarded within " + TIMEOUT);
            }
            Thread.sleep(20);
        }
    }

    /** How many times {@code command} was forwarded so far (the link's thread adds to the list meanwhile). */
    private static long recorded(Recorded link, String command) {
        synchronized (link.sink.writes) {
            return link.sink.writes.stream().filter(command::equals).count();
        }
    }

    private static String id(RedisServer node) {
        try (RedisConnection conn = node.connect()) {
            return conn.callChecked("CLUSTER", "MYID").asText();
        }
    }

    /** Ferry's replication link to one master, its raw commands and what its replayer forwards. */
    private static final class Recorded implements ReplicationListener {
        final List<String> raw = Collections.synchronizedList(new ArrayList<>());
        final RecordingSink sink = new RecordingSink();
        final Replayer replayer = new Replayer(Replayer.discardSnapshot(), sink, Filters.all(), new SyncCounters(),
                "__ferry:hb:none".getBytes(StandardCharsets.US_ASCII), null, null);
        ReplicationLink link;
        Thread thread;
        volatile boolean streaming;

        static Recorded attach(RedisServer master, Path spool) {
            Recorded r = new Recorded();
            r.link = new ReplicationLink(master.endpoint(), () -> -1L,
                    new ReplicationLink.Options(TIMEOUT, spool, 1 << 20, 1L << 30));
            r.link.announceVersionTo(dev.ferry.resp.ServerInfo.Version.parse("9.1.2", true));
            r.thread = new Thread(() -> {
                try {
                    r.link.run(null, r);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "link-" + master.port());
            r.thread.start();
            return r;
        }

        void awaitStreaming() throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!streaming) {
                assertThat(System.nanoTime()).as("snapshot read within " + TIMEOUT).isLessThan(deadline);
                Thread.sleep(20);
            }
        }

        void stop() throws InterruptedException {
            link.stop();
            thread.join(TIMEOUT.toMillis());
        }

        @Override
        public void fullResync(ReplicationOffset start) {
        }

        @Override
        public dev.ferry.rdb.RdbHandler snapshotHandler() {
            return Replayer.discardSnapshot();
        }

        @Override
        public void snapshotEnd() {
            streaming = true;
        }

        @Override
        public void partialResync(ReplicationOffset position) {
        }

        @Override
        public void command(byte[][] argv, long offsetAfter) {
            raw.add(RecordingSink.render(argv));
            replayer.command(argv, offsetAfter);
        }
    }

    /** INCR and LPUSH on one key each in databases 0 and 3, sent where the cluster says (MOVED followed). */
    private static final class Load implements Runnable {
        private final List<RedisServer> nodes;
        private final java.util.Map<String, Long> done = new java.util.concurrent.ConcurrentHashMap<>();
        private volatile boolean stop;
        private RedisServer node;
        private RedisConnection conn;
        private int db;

        Load(RedisServer from, RedisServer to) {
            this.nodes = List.of(from, to);
            this.node = from;
        }

        @Override
        public void run() {
            conn = node.connect();
            try {
                for (int n = 0; !stop; n++) {
                    send(0, "INCR", TAG + "n");
                    send(3, "LPUSH", TAG + "l", Integer.toString(n));
                }
            } finally {
                conn.close();
            }
        }

        private void send(int inDb, Object... command) {
            while (true) {
                if (db != inDb) {
                    conn.callChecked("SELECT", inDb);
                    db = inDb;
                }
                RespValue r = conn.call(command);
                if (!r.isError()) {
                    done.merge(command[0] + "@" + node.port(), 1L, Long::sum);
                    return;
                }
                assertThat(r.asText()).startsWith("MOVED");
                int port = Integer.parseInt(r.asText().substring(r.asText().lastIndexOf(':') + 1).trim());
                node = nodes.stream().filter(s -> s.port() == port).findFirst().orElseThrow();
                conn.close();
                conn = node.connect();
                db = 0;
            }
        }

        long count(String command, RedisServer on) {
            return done.getOrDefault(command + "@" + on.port(), 0L);
        }

        void awaitOn(RedisServer on, long writes) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (count("LPUSH", on) < writes) {
                assertThat(System.nanoTime()).as(writes + " writes on " + on + " within " + TIMEOUT).isLessThan(deadline);
                Thread.sleep(10);
            }
        }

        void stop() {
            stop = true;
        }
    }
}
