package dev.ferry.testing;

import dev.ferry.resp.RedisEndpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback that can break the network between Ferry and a server: {@link #cut()} closes
 * every connection at once (a reset), {@link #blackhole(boolean)} stops forwarding in both directions
 * while keeping connections open (a partition: nothing arrives, nothing fails), new connections included.
 */
public final class FaultProxy implements AutoCloseable {

    private final int upstreamPort;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean blackholed;
    private volatile long bytesPerSecond;
    private volatile boolean closed;

    private FaultProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fault-proxy-" + upstreamPort);
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /** A proxy to 127.0.0.1:{@code upstreamPort}. */
    public static FaultProxy to(int upstreamPort) throws IOException {
        return new FaultProxy(upstreamPort);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code upstream}'s credentials and database, through this proxy. */
    public RedisEndpoint endpoint(RedisEndpoint upstream) {
        return upstream.withHostPort("127.0.0.1", port());
    }

    /** Closes every open connection, both sides. */
    public void cut() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    /** Starts or ends a partition: while on, no byte is forwarded either way. */
    public void blackhole(boolean on) {
        blackholed = on;
    }

    /** Forwards at most {@code bytesPerSecond} each way, like a slow link (0: as fast as it can). */
    public void throttle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        cut();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    while (blackholed && !from.isClosed()) {
                        Thread.sleep(10);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                    long rate = bytesPerSecond;
                    if (rate > 0) {
                        Thread.sleep(n * 1000L / rate);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // A cut, or the other side closed: close both ends like a reset would.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "fault-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }
}
