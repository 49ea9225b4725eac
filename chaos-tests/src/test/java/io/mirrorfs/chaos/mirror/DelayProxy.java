package io.mirrorfs.chaos.mirror;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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

/**
 * A TCP proxy on loopback that delays every byte by a fixed time in each direction, preserving
 * order: the fault that makes a mirror region lag (its changelog stream crosses it). Each direction
 * of each connection has a reader that stamps chunks with their due time and a writer that forwards
 * them when due; the queue between them is bounded. Closing stops everything and closes every socket.
 */
final class DelayProxy implements AutoCloseable {
    private static final int CHUNK_BYTES_MAX = 64 << 10;
    private static final int QUEUED_CHUNKS_MAX = 4096;

    private record Chunk(byte[] bytes, long dueNanos) {}

    private static final Chunk END = new Chunk(new byte[0], 0);

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final long delayNanos;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "delay-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> sockets = new ArrayList<>();
    private volatile boolean closed;

    private DelayProxy(ServerSocket server, InetSocketAddress target, Duration oneWayDelay) {
        this.server = server;
        this.target = target;
        this.delayNanos = oneWayDelay.toNanos();
    }

    /** Listens on a free loopback port and forwards to {@code target} with {@code oneWayDelay} each way. */
    static DelayProxy start(InetSocketAddress target, Duration oneWayDelay) throws IOException {
        DelayProxy proxy = new DelayProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), target, oneWayDelay);
        proxy.threads.execute(proxy::acceptLoop);
        return proxy;
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                try {
                    upstream.connect(target, 5_000);
                } catch (IOException e) {
                    client.close();
                    continue;
                }
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(upstream);
                }
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("delay proxy: accept failed: " + e);
                }
                return;
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
                    queue.put(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime() + delayNanos));
                }
            } catch (IOException | InterruptedException e) {
                // the connection or the proxy closed
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
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        synchronized (sockets) {
            sockets.forEach(DelayProxy::closeQuietly);
        }
        threads.shutdownNow();
    }
}
