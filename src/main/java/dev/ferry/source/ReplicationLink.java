package dev.ferry.source;

import dev.ferry.FerryException;
import dev.ferry.MemoryBudget;
import dev.ferry.ThreadFailure;
import dev.ferry.rdb.RdbParser;
import dev.ferry.resp.ErrorKind;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisConnectionException;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespReader;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.RespWriter;
import dev.ferry.resp.ServerInfo;
import dev.ferry.resp.SpilledBulk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Ferry's side of a replication connection: it logs in to a source server as a replica would
 * ({@code REPLCONF listening-port}, {@code REPLCONF capa eof capa psync2}, to Valkey 9+ {@code REPLCONF version},
 * {@code PSYNC}), reads the
 * snapshot (disk-based {@code $<len>} or diskless {@code $EOF:<mark>}) and then the command stream,
 * and sends {@code REPLCONF ACK} every second and on {@code GETACK}.
 *
 * <p>Mirrors the replica side of Redis's {@code replication.c} ({@code syncWithMaster},
 * {@code readSyncBulkPayload}, {@code replicationSendAck}).
 *
 * <p>{@link #run} blocks on the calling thread until {@link #stop()} or a failure.
 */
public final class ReplicationLink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicationLink.class);
    private static final int EOF_MARK_LENGTH = 40;

    /**
     * How a link reads.
     *
     * @param readTimeout how long the source may stay silent (it pings replicas every 10 s by default)
     * @param spoolDir where the spool spills to disk
     * @param spoolMemory spool bytes kept in memory
     * @param spoolDisk spool bytes allowed on disk
     * @param memory the budget the spool's bytes in memory are taken from
     */
    public record Options(Duration readTimeout, java.nio.file.Path spoolDir, long spoolMemory, long spoolDisk,
                          MemoryBudget.Account memory) {
        public Options(Duration readTimeout, java.nio.file.Path spoolDir, long spoolMemory, long spoolDisk) {
            this(readTimeout, spoolDir, spoolMemory, spoolDisk, MemoryBudget.unlimited().open());
        }
    }

    /** The JDK's socket reads no more than 128 KiB at a time (NioSocketImpl): a larger buffer would stay unused. */
    private static final int PUMP_CHUNK = 128 * 1024;
    /** The pump's buffer while the source sends little: 64 idle links hold 1 MiB, not 16 (entry 58). */
    private static final int PUMP_CHUNK_IDLE = 16 * 1024;
    /**
     * Stream arguments longer than this are spilled to a file instead of memory ({@link SpilledBulk}).
     * At 1 MiB the reader holds a kept argument in one allocation of its exact size (its growth step),
     * and the file costs little next to sending a megabyte: docs/DECISIONS.md, entry on big values.
     */
    public static final int SPILL_THRESHOLD = 1 << 20;

    private final RedisEndpoint endpoint;
    private final LongSupplier ackOffset;
    private final Options options;
    private volatile Spool spool;
    private volatile SpilledBulk.Store spilled;
    /** Why a thread of this link died, which makes the link fail for good (not a lost connection). */
    private volatile FerryException threadFailure;
    private InputStream spoolIn;
    private Thread pump;
    private volatile RedisConnection conn;
    private volatile boolean stopping;
    private volatile long receivedOffset = -1;
    private volatile String replId;
    private volatile dev.ferry.Timers.Job acker;
    private dev.ferry.Throttle snapshotThrottle = dev.ferry.Throttle.none();
    private dev.ferry.Throttle streamThrottle = dev.ferry.Throttle.none();
    /** The throttle the bytes read from the spool count against: the snapshot's, then the stream's. */
    private volatile dev.ferry.Throttle bytesThrottle = dev.ferry.Throttle.none();
    /** Where the bytes the pump reads from the source are counted. */
    private java.util.concurrent.atomic.LongAdder bytesRead = new java.util.concurrent.atomic.LongAdder();
    /** What Ferry says it is in {@code REPLCONF version}, or null to say nothing. */
    private String announcedVersion;

    /**
     * @param ackOffset the offset to acknowledge to the source: what the target has applied, so that
     *                  {@code WAIT} on the source means "reached the target"
     */
    public ReplicationLink(RedisEndpoint endpoint, LongSupplier ackOffset, Options options) {
        this.endpoint = endpoint;
        this.ackOffset = ackOffset;
        this.options = options;
    }

    /**
     * Holds what Ferry takes from the spool under limits, one for the snapshot (bytes, and keys as operations)
     * and one for the stream (bytes, and commands as operations). The pump keeps reading the socket at the
     * source's pace: the spool absorbs the difference. Call before {@link #run}.
     */
    public void throttle(dev.ferry.Throttle snapshot, dev.ferry.Throttle stream) {
        this.snapshotThrottle = snapshot;
        this.streamThrottle = stream;
    }

    /** Counts the bytes read from the source (snapshot and stream) into {@code counter}. Call before {@link #run}. */
    public void countBytesInto(java.util.concurrent.atomic.LongAdder counter) {
        this.bytesRead = counter;
    }

    /**
     * Presents Ferry to a source of {@code source}'s version as a replica of the version whose snapshot format it
     * reads ({@link #replicaVersionFor}); null (or a source that takes no such announcement) says nothing. Call
     * before {@link #run}.
     */
    public void announceVersionTo(ServerInfo.Version source) {
        this.announcedVersion = source == null ? null : replicaVersionFor(source);
    }

    /**
     * The version Ferry announces to a source ({@code REPLCONF version}), or null for none. A Valkey 9+ primary
     * picks the RDB format of a replica by the version it announces, and sends one that says nothing RDB 11, which
     * cannot hold Valkey 9's hash field expiries ({@code replicaRdbVersion} in Valkey's {@code replication.c}).
     * Ferry announces the source's own version, at most the newest Valkey whose format it reads: a newer source
     * then writes the newest format Ferry knows. Redis does not take the announcement and always sends its own.
     */
    static String replicaVersionFor(ServerInfo.Version source) {
        if (!source.valkey() || source.major() < 9) {
            return null;
        }
        ServerInfo.Version v = source.compareTo(NEWEST_VALKEY_READ) > 0 ? NEWEST_VALKEY_READ : source;
        return v.major() + "." + v.minor() + "." + v.patch();
    }

    /** The newest Valkey whose snapshot format ({@code VALKEY081}) the parser reads. */
    static final ServerInfo.Version NEWEST_VALKEY_READ = new ServerInfo.Version(9, 2, 0, true);

    /**
     * Connects, asks for {@code from} (or a full resync when null), and feeds {@code listener} until
     * {@link #stop()} is called (then returns normally) or the link fails (then throws).
     */
    public void run(ReplicationOffset from, ReplicationListener listener) throws IOException {
        conn = RedisConnection.open(endpoint, RedisConnection.DEFAULT_CONNECT_TIMEOUT, options.readTimeout(), "link");
        try {
            handshake();
            String reply = psync(from);
            RespReader in = startPump();
            long streamStart;
            if (reply.startsWith("FULLRESYNC")) {
                String[] parts = reply.split(" ");
                if (parts.length < 3) {
                    throw new FerryException("malformed PSYNC reply from " + endpoint.address() + ": +" + reply);
                }
                replId = parts[1];
                long offset = Long.parseLong(parts[2]);
                ReplicationOffset start = new ReplicationOffset(replId, offset);
                log.info("source {} starts a full resync at {}", endpoint.address(), start);
                listener.fullResync(start);
                bytesThrottle = snapshotThrottle;
                long snapshotStart = in.position();
                try {
                    readSnapshot(in, listener);
                } catch (IOException e) {
                    if (threadFailure != null || stopping) {
                        throw e;
                    }
                    throw transferBroken(e, in.position() - snapshotStart);
                }
                listener.snapshotEnd();
                streamStart = offset;
            } else if (reply.startsWith("CONTINUE")) {
                String[] parts = reply.split(" ");
                replId = parts.length > 1 ? parts[1] : from.replId();
                log.info("source {} continues the stream after offset {} (partial resync)", endpoint.address(), from.offset());
                listener.partialResync(new ReplicationOffset(replId, from.offset()));
                streamStart = from.offset();
            } else {
                throw new FerryException("unexpected PSYNC reply from " + endpoint.address() + ": +" + reply);
            }
            receivedOffset = streamStart;
            bytesThrottle = streamThrottle;
            sendAck();
            startAcker();
            stream(in, streamStart, listener);
        } catch (IOException | RuntimeException e) {
            if (threadFailure != null) {
                throw threadFailure;
            }
            if (stopping) {
                return;
            }
            if (e instanceof IOException io) {
                throw conn.broken(io);
            }
            throw e;
        } finally {
            close();
        }
    }

    /**
     * From here on a pump thread moves every byte from the socket into the spool, at the speed the
     * source sends, and parsing reads from the spool.
     */
    private RespReader startPump() {
        Spool sp = new Spool(options.spoolDir(), options.spoolMemory(), options.spoolDisk(), options.memory());
        spool = sp;
        InputStream socket = conn.reader().inputStream();
        pump = new Thread(() -> {
            try {
                byte[] buf = new byte[PUMP_CHUNK_IDLE];
                while (true) {
                    int n = socket.read(buf, 0, buf.length);
                    if (n < 0) {
                        sp.finish(new java.io.EOFException("the source closed the replication link"));
                        return;
                    }
                    // An exact copy: the spool counts bytes, so a mostly empty buffer must not sit in it.
                    sp.write(Arrays.copyOf(buf, n), n);
                    bytesRead.add(n);
                    buf = pumpBuffer(buf, n);
                }
            } catch (IOException e) {
                sp.finish(e);
            } catch (Throwable t) {
                // Without this the parser would wait for bytes for ever while the status says "streaming".
                threadFailure = ThreadFailure.of(Thread.currentThread().getName(), t);
                sp.finish(new IOException("the thread reading the source died", t));
            }
        }, "ferry-pump-" + endpoint.address());
        pump.setDaemon(true);
        pump.start();
        spoolIn = sp.input();
        return new RespReader(new ThrottledInput(spoolIn));
    }

    /** Bytes read from the source but not yet parsed. */
    public long spooled() {
        Spool sp = spool;
        return sp == null ? 0 : sp.buffered();
    }

    /** The replication ID of the history being read, once known. */
    public String replId() {
        return replId;
    }

    /** The source offset of the last stream byte read, or -1 before streaming starts. */
    public long receivedOffset() {
        return receivedOffset;
    }

    /**
     * Deletes the files of spilled arguments not written to the target: call once nothing will write
     * this link's commands any more (after the sink's last flush). Safe from any thread.
     */
    public void deleteSpilled() {
        SpilledBulk.Store s = spilled;
        if (s != null) {
            s.close();
        }
    }

    /** Makes {@link #run} return: closes the connection. Safe from any thread. */
    public void stop() {
        stopping = true;
        close();
    }

    @Override
    public void close() {
        dev.ferry.Timers.Job a = acker;
        if (a != null) {
            a.stop();
        }
        RedisConnection c = conn;
        if (c != null) {
            c.close();
        }
        Spool sp = spool;
        if (sp != null) {
            sp.close();
        }
    }

    private void handshake() {
        RespValue pong = conn.call("PING");
        if (pong.isError()) {
            String msg = pong.asText();
            if (msg.startsWith("NOAUTH")) {
                throw new FerryException("source " + endpoint + " requires a password: add it to the URI (redis://user:password@host:port)");
            }
            throw new FerryException("source " + endpoint.address() + " refused PING: " + msg);
        }
        int port = conn.socket().getLocalPort();
        RespValue r = conn.call("REPLCONF", "listening-port", Integer.toString(port));
        if (r.isError()) {
            throw refusal("REPLCONF", r.asText());
        }
        // Redis before 3.2 does not know capabilities: it answers an error and sends the old formats.
        RespValue capa = conn.call("REPLCONF", "capa", "eof", "capa", "psync2");
        if (capa.isError()) {
            log.debug("source {} does not take REPLCONF capa: {}", endpoint.address(), capa.asText());
        }
        if (announcedVersion != null) {
            RespValue version = conn.call("REPLCONF", "version", announcedVersion);
            if (version.isError()) {
                log.debug("source {} does not take REPLCONF version: {}", endpoint.address(), version.asText());
            } else {
                log.info("presenting Ferry to source {} as a replica of version {}", endpoint.address(), announcedVersion);
            }
        }
    }

    private String psync(ReplicationOffset from) throws IOException {
        Object[] cmd = from == null
                ? new Object[] {"PSYNC", "?", "-1"}
                : new Object[] {"PSYNC", from.replId(), Long.toString(from.next())};
        conn.writer().command(cmd);
        conn.writer().flush();
        RespReader in = conn.reader();
        while (true) {
            byte first = in.peek();
            if (first == '\n' || first == '\r') {
                in.readLine();
                continue;
            }
            RespValue reply = in.read();
            if (reply instanceof RespValue.SimpleString s) {
                return s.value();
            }
            String msg = reply.asText();
            if (reply.isError() && ErrorKind.of(msg).isTransient()) {
                throw new RedisConnectionException("source " + endpoint.address() + " cannot serve a replica yet: " + msg, null);
            }
            throw refusal("PSYNC", msg);
        }
    }

    private PsyncRefusedException refusal(String command, String reply) {
        return new PsyncRefusedException("source " + endpoint.address() + " refused " + command + ": " + reply
                + " (Ferry reads the source as a replica does: the account needs the PSYNC and REPLCONF commands,"
                + " which some managed services disable or rename)");
    }

    private void readSnapshot(RespReader in, ReplicationListener listener) throws IOException {
        String header;
        do {
            header = in.readLine();
        } while (header.isEmpty());
        if (header.startsWith("-")) {
            String error = header.substring(1);
            throw new SnapshotTransferException("source " + endpoint.address() + " failed to produce a snapshot: " + error,
                    "it answered: " + error, true, null);
        }
        if (!header.startsWith("$")) {
            throw new FerryException("unexpected snapshot header from " + endpoint.address() + ": " + header);
        }
        if (header.startsWith("$EOF:")) {
            byte[] mark = header.substring(5).getBytes(StandardCharsets.ISO_8859_1);
            if (mark.length != EOF_MARK_LENGTH) {
                throw new FerryException("malformed diskless snapshot header from " + endpoint.address() + ": " + header);
            }
            log.info("reading diskless snapshot from {}", endpoint.address());
            new RdbParser(in.inputStream()).parse(ThrottledRdbHandler.of(listener.snapshotHandler(), snapshotThrottle));
            byte[] trailer = new byte[EOF_MARK_LENGTH];
            in.readFully(trailer, 0, trailer.length);
            if (!Arrays.equals(trailer, mark)) {
                throw new FerryException("diskless snapshot from " + endpoint.address()
                        + " does not end with its EOF mark: the transfer is corrupted or truncated");
            }
        } else {
            long len;
            try {
                len = Long.parseLong(header.substring(1));
            } catch (NumberFormatException e) {
                throw new FerryException("malformed snapshot length from " + endpoint.address() + ": " + header);
            }
            log.info("reading snapshot of {} bytes from {}", len, endpoint.address());
            BoundedInputStream body = new BoundedInputStream(in.inputStream(), len);
            RdbParser parser = new RdbParser(body);
            parser.parse(ThrottledRdbHandler.of(listener.snapshotHandler(), snapshotThrottle));
            if (body.remaining() > 0) {
                throw new FerryException("snapshot from " + endpoint.address() + " has " + body.remaining()
                        + " bytes after the RDB end mark (expected: " + len + " bytes in all)");
            }
        }
    }

    /**
     * Why the snapshot stopped arriving after {@code bytes} of it: the source closed the link (it says why in
     * its log only), or it went silent ({@code readTimeout}), or the connection broke.
     */
    private SnapshotTransferException transferBroken(IOException e, long bytes) {
        String what;
        boolean repeatable = true;
        if (e instanceof java.io.EOFException) {
            what = "the source closed the link while sending the snapshot";
        } else if (e instanceof java.net.SocketTimeoutException) {
            what = "the source sent nothing for " + options.readTimeout().toSeconds() + " s while sending the snapshot";
            repeatable = false;
        } else {
            what = "the link broke while the source was sending the snapshot (" + e.getMessage() + ")";
        }
        String hint = repeatable ? "; its log says why" : "";
        return new SnapshotTransferException("snapshot from " + endpoint.address() + " broken after " + bytes
                + " bytes: " + what + hint, what, repeatable, e);
    }

    private void stream(RespReader in, long streamStart, ReplicationListener listener) throws IOException {
        long base = in.position();
        spilled = new SpilledBulk.Store(options.spoolDir(), SPILL_THRESHOLD);
        while (!stopping) {
            byte[][] argv = in.readCommand(spilled);
            streamThrottle.acquireOps(1);
            long offset = streamStart + (in.position() - base);
            receivedOffset = offset;
            if (argv.length >= 2 && equalsIgnoreCase(argv[0], "REPLCONF") && equalsIgnoreCase(argv[1], "GETACK")) {
                listener.command(argv, offset);
                sendAck();
            } else {
                listener.command(argv, offset);
            }
            if (in.buffered() == 0 && spoolIn.available() == 0 && spool.isEmpty()) {
                listener.idle();
            }
        }
    }

    /** The pump's next buffer: four times larger after a read that filled it, back to the idle size after a small one. */
    static byte[] pumpBuffer(byte[] buf, int read) {
        if (read == buf.length && buf.length < PUMP_CHUNK) {
            return new byte[Math.min(PUMP_CHUNK, buf.length * 4)];
        }
        if (read < PUMP_CHUNK_IDLE / 4 && buf.length > PUMP_CHUNK_IDLE) {
            return new byte[PUMP_CHUNK_IDLE];
        }
        return buf;
    }

    private void startAcker() {
        acker = dev.ferry.Timers.everyQuick("ferry-ack-" + endpoint.address(), Duration.ofSeconds(1), Duration.ofSeconds(1), () -> {
            try {
                sendAck();
            } catch (RuntimeException e) {
                log.debug("could not send REPLCONF ACK to {}: {}", endpoint.address(), e.getMessage());
            } catch (Throwable t) {
                // The executor would silently cancel every later ACK: end the link instead.
                threadFailure = ThreadFailure.of(Thread.currentThread().getName(), t);
                close();
            }
        });
    }

    private void sendAck() {
        RedisConnection c = conn;
        long offset = Math.max(0, Math.min(ackOffset.getAsLong(), receivedOffset));
        RespWriter w = c.writer();
        synchronized (w) {
            try {
                w.command("REPLCONF", "ACK", Long.toString(offset));
                w.flush();
            } catch (IOException e) {
                throw c.broken(e);
            }
        }
    }

    static boolean equalsIgnoreCase(byte[] arg, String ascii) {
        if (arg.length != ascii.length()) {
            return false;
        }
        for (int i = 0; i < arg.length; i++) {
            int a = arg[i] | 0x20;
            if (a != (ascii.charAt(i) | 0x20)) {
                return false;
            }
        }
        return true;
    }

    /** Reads at most {@code limit} bytes of the underlying stream. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long limit) {
            this.in = in;
            this.remaining = limit;
        }

        long remaining() {
            return remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }

    /** The spool as the parser reads it: every byte counted against the current phase's throttle. */
    private final class ThrottledInput extends InputStream {

        private final InputStream in;

        ThrottledInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                bytesThrottle.acquireBytes(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                bytesThrottle.acquireBytes(n);
            }
            return n;
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }
    }
}
