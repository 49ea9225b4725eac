package io.mirrorfs.api.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A TCP proxy that delivers every byte a fixed time after it arrived, in each direction, in order:
 * the inter-region link of {@code bench mirror} and the chaos tests' mirror-mount checks (on loopback),
 * and the chaos latency nemesis inside a node's container (this kernel has no {@code sch_netem}).
 * Latency is added, bandwidth is not taken away (a chunk is stamped when read and written when due,
 * so a stream keeps flowing). Each direction of each connection is a reader and a writer thread with a
 * bounded queue between them. Closing stops everything and closes every socket.
 */
public final class DelayProxy implements AutoCloseable {
    private static final int CHUNK_BYTES_MAX = 64 << 10;
    /** Bound on chunks in flight per direction (64 KiB each): backpressure on a sender faster than the link. */
    private static final int QUEUED_CHUNKS_MAX = 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private record Chunk(byte[] bytes, long dueNanos) {}

    private static final Chunk END = new Chunk(new byte[0], 0);

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final long oneWayNanos;
    private final Consumer<SocketAddress> onRelayed;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "delay-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> sockets = new ArrayList<>();
    private volatile boolean closed;

    private DelayProxy(ServerSocket server, InetSocketAddress target, Duration oneWay, Consumer<SocketAddress> onRelayed) {
        this.server = server;
        this.target = target;
        this.oneWayNanos = oneWay.toNanos();
        this.onRelayed = onRelayed;
    }

    /** Listens on a free loopback port and forwards to {@code target}, {@code oneWay} late each way. */
    public static DelayProxy start(InetSocketAddress target, Duration oneWay) throws IOException {
        checkDelay(oneWay);
        return new DelayProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), target, oneWay, from -> { })
                .accepting();
    }

    /**
     * Listens on {@code listen} (e.g. all addresses, a fixed port) and forwards to {@code target};
     * {@code onRelayed} is told the client's address of each connection once it is relayed.
     */
    public static DelayProxy start(InetSocketAddress listen, InetSocketAddress target, Duration oneWay,
                                   Consumer<SocketAddress> onRelayed) throws IOException {
        checkDelay(oneWay);
        ServerSocket server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(listen);
        } catch (IOException e) {
            server.close();
            throw new IOException("delay proxy cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        return new DelayProxy(server, target, oneWay, onRelayed).accepting();
    }

    private static void checkDelay(Duration oneWay) {
        if (oneWay.isNegative()) {
            throw new IllegalArgumentException("delay must be >= 0: " + oneWay);
        }
    }

    private DelayProxy accepting() {
        threads.execute(this::acceptLoop);
        return this;
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("delay proxy on " + server.getLocalSocketAddress() + " stopped accepting: " + e);
                }
                return;
            }
            Socket upstream = new Socket();
            try {
                upstream.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
                upstream.connect(target, CONNECT_TIMEOUT_MILLIS);
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(upstream);
                }
                pump(client, upstream);
                pump(upstream, client);
                onRelayed.accept(client.getRemoteSocketAddress());
            } catch (IOException e) {
                // The target is down (e.g. restarting): the caller sees a closed connection and retries.
                closeQuietly(client);
                closeQuietly(upstream);
            }
        }
    }

    private void pump(Socket from, Socket to) throws IOException {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS_MAX);
        threads.execute(() -> {
            byte[] buffer = new byte[CHUNK_BYTES_MAX];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    queue.put(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime() + oneWayNanos));
                }
            } catch (IOException e) {
                // the connection closed or reset: the writer forwards what is queued, then ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the proxy is closing
                return;
            }
            try {
                queue.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        threads.execute(() -> {
            try {
                while (true) {
                    Chunk c = queue.take();
                    if (c == END) {
                        to.shutdownOutput();
                        return;
                    }
                    long waitNanos = c.dueNanos() - System.nanoTime();
                    if (waitNanos > 0) {
                        TimeUnit.NANOSECONDS.sleep(waitNanos); // the injected latency itself
                    }
                    out.write(c.bytes());
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway; nothing to recover
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            server.close();
        } finally {
            synchronized (sockets) {
                sockets.forEach(DelayProxy::closeQuietly);
            }
            threads.shutdownNow();
        }
    }
}
