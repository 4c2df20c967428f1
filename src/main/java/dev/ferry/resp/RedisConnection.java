package dev.ferry.resp;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A blocking connection to one Redis server speaking RESP2: connect, authenticate, call.
 *
 * <p>For pipelining, {@link #send} commands, {@link #flush()}, then {@link #read()} the replies in order.
 * Not thread-safe, except that a reader thread and a writer thread may each use their half.
 */
public final class RedisConnection implements Closeable {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

    private final RedisEndpoint endpoint;
    private final Socket socket;
    private final RespReader reader;
    private final RespWriter writer;

    /**
     * Roles whose connections send and receive only a few short commands now and then: their buffers are small
     * (4 KiB, not 64), so that the hundreds of such connections of a process with many masters cost little.
     */
    private static final java.util.Set<String> SMALL_ROLES = java.util.Set.of("heartbeat", "lease");
    private static final int SMALL_BUFFER = 4096;
    private static final int BUFFER = 64 * 1024;

    private RedisConnection(RedisEndpoint endpoint, Socket socket, int bufferSize) throws IOException {
        this.endpoint = endpoint;
        this.socket = socket;
        InputStream in = socket.getInputStream();
        this.reader = new RespReader(in, bufferSize);
        this.writer = new RespWriter(socket.getOutputStream(), bufferSize);
    }

    /** Connects and authenticates with the default timeouts. */
    public static RedisConnection open(RedisEndpoint endpoint) {
        return open(endpoint, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT);
    }

    /** As {@link #open(RedisEndpoint)}, named for {@code role} ({@link ClientName}): "writer", "heartbeat"… */
    public static RedisConnection open(RedisEndpoint endpoint, String role) {
        return open(endpoint, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, role);
    }

    /** As {@link #open(RedisEndpoint, Duration, Duration, String)}, named for this thread's default role. */
    public static RedisConnection open(RedisEndpoint endpoint, Duration connectTimeout, Duration readTimeout) {
        return open(endpoint, connectTimeout, readTimeout, null);
    }

    /**
     * Connects, authenticates when the endpoint carries a password, and names the connection {@code
     * ferry:<task>:<role>} ({@link ClientName}; {@code role} null: this thread's default role).
     *
     * @throws RedisConnectionException the server cannot be reached (retriable)
     * @throws RedisReplyException the credentials were refused (permanent)
     */
    public static RedisConnection open(RedisEndpoint endpoint, Duration connectTimeout, Duration readTimeout, String role) {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.setReceiveBufferSize(1 << 20);
            socket.setSendBufferSize(1 << 20);
            socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), (int) connectTimeout.toMillis());
            socket.setSoTimeout((int) readTimeout.toMillis());
        } catch (UnknownHostException e) {
            closeQuietly(socket);
            throw new RedisConnectionException("cannot connect to " + endpoint.address() + ": unknown host", e);
        } catch (ConnectException e) {
            closeQuietly(socket);
            throw new RedisConnectionException("cannot connect to " + endpoint.address() + ": " + e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            throw new RedisConnectionException("cannot connect to " + endpoint.address() + ": timed out after "
                    + connectTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new RedisConnectionException("cannot connect to " + endpoint.address() + ": " + e.getMessage(), e);
        }
        if (endpoint.tls() != null) {
            try {
                // The handshake is part of connecting: a port that does not speak TLS must not hold us for minutes.
                socket.setSoTimeout((int) connectTimeout.toMillis());
                socket = endpoint.tls().wrap(socket, endpoint);
            } catch (IOException e) {
                closeQuietly(socket);
                // A certificate refused is refused again: no retrying for hours.
                throw new RedisConnectionException(endpoint.tls().explain(endpoint, e), e,
                        !(e instanceof javax.net.ssl.SSLHandshakeException));
            }
        }
        RedisConnection conn;
        try {
            conn = new RedisConnection(endpoint, socket, role != null && SMALL_ROLES.contains(role) ? SMALL_BUFFER : BUFFER);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new RedisConnectionException("cannot connect to " + endpoint.address() + ": " + e.getMessage(), e);
        }
        try {
            if (endpoint.tls() != null) {
                conn.confirmTls();
                conn.socket.setSoTimeout((int) readTimeout.toMillis());
            }
            conn.authenticate();
            conn.nameItself(ClientName.of(role));
        } catch (RuntimeException e) {
            conn.close();
            throw e;
        } catch (IOException e) {
            conn.close();
            throw new RedisConnectionException("cannot connect to " + endpoint.address() + ": " + e.getMessage(), e);
        }
        return conn;
    }

    /**
     * Over TLS 1.3 a server checks the client's certificate after the handshake and says so in its first
     * record: one round trip here turns a refused certificate into a clear error at connect time.
     */
    private void confirmTls() {
        try {
            writer.command(new byte[][] {"PING".getBytes(StandardCharsets.US_ASCII)});
            writer.flush();
            reader.read();
        } catch (IOException e) {
            boolean alert = e instanceof javax.net.ssl.SSLException;
            throw new RedisConnectionException(endpoint.tls().explain(endpoint, e), e, !alert);
        }
    }

    private void authenticate() {
        if (endpoint.password() == null) {
            return;
        }
        RespValue reply = endpoint.user() == null
                ? call("AUTH", endpoint.password())
                : call("AUTH", endpoint.user(), endpoint.password());
        if (reply instanceof RespValue.Error e) {
            // Never echo the password: the reply text of old servers does not contain it, ours must not either.
            throw new RedisReplyException("authentication to " + endpoint + " failed: " + e.message(), e);
        }
    }

    /**
     * {@code CLIENT SETNAME}, so that {@code CLIENT LIST} shows the connection as Ferry's. A server that refuses it
     * (before 2.6.9, a proxy, an ACL user without the command) refuses nothing else: the error is ignored.
     */
    private void nameItself(String name) {
        call("CLIENT", "SETNAME", name);
    }

    public RedisEndpoint endpoint() {
        return endpoint;
    }

    public RespReader reader() {
        return reader;
    }

    public RespWriter writer() {
        return writer;
    }

    public Socket socket() {
        return socket;
    }

    /** Sends one command and reads its reply. Error replies are returned, not thrown. */
    public RespValue call(Object... args) {
        try {
            writer.command(args);
            writer.flush();
            return reader.read();
        } catch (IOException e) {
            throw broken(e);
        }
    }

    /** Sends one command and reads its reply, throwing {@link RedisReplyException} on an error reply. */
    public RespValue callChecked(Object... args) {
        RespValue reply = call(args);
        if (reply instanceof RespValue.Error e) {
            if (e.code().equals("NOAUTH")) {
                throw new RedisReplyException(endpoint.address() + " requires a password: add it to the URI"
                        + " (redis://:password@host:port, or redis://user:password@host:port)", e);
            }
            throw new RedisReplyException(endpoint.address() + " refused " + commandName(args) + ": " + e.message(), e);
        }
        return reply;
    }

    /** Queues a command in the output buffer; call {@link #flush()} to send. */
    public void send(Object... args) {
        try {
            writer.command(args);
        } catch (IOException e) {
            throw broken(e);
        }
    }

    public void flush() {
        try {
            writer.flush();
        } catch (IOException e) {
            throw broken(e);
        }
    }

    /** Reads the next reply. */
    public RespValue read() {
        try {
            return reader.read();
        } catch (IOException e) {
            throw broken(e);
        }
    }

    /** Sends several commands at once and returns their replies in order. */
    public List<RespValue> pipeline(List<Object[]> commands) {
        for (Object[] command : commands) {
            send(command);
        }
        flush();
        List<RespValue> replies = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            replies.add(read());
        }
        return replies;
    }

    /** Changes the read timeout (0: none). */
    public void setReadTimeout(Duration timeout) {
        try {
            socket.setSoTimeout((int) timeout.toMillis());
        } catch (IOException e) {
            throw broken(e);
        }
    }

    /** Wraps an I/O failure on this connection as a retriable {@link RedisConnectionException}. */
    public RedisConnectionException broken(IOException e) {
        String what = e instanceof SocketTimeoutException ? "timed out" : e.getMessage();
        return new RedisConnectionException("connection to " + endpoint.address() + " lost: " + what, e);
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    private static String commandName(Object[] args) {
        if (args.length == 0) {
            return "(empty command)";
        }
        byte[] first = RespWriter.toBytes(args[0]);
        return new String(first, java.nio.charset.StandardCharsets.UTF_8).toUpperCase(java.util.Locale.ROOT);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing a broken socket can fail; there is nothing left to release.
        }
    }
}
