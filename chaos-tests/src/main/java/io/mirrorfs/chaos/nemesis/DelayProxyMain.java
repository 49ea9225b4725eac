package io.mirrorfs.chaos.nemesis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The added-latency nemesis's proxy, run inside a node's container (see {@link LatencyFault}): listens
 * on {@code 0.0.0.0:PORT}, where iptables REDIRECT sends the Raft connections coming from the other
 * nodes, and relays each to the node's own Raft port, delivering every byte {@code DELAY_MILLIS}
 * after it arrived, in each direction, in order. The kernel here has no {@code sch_netem}, so delay is
 * added in user space; bandwidth is not taken away (chunks are stamped when read, written when due).
 *
 * <p>{@code DelayProxyMain PORT TARGET_HOST:TARGET_PORT DELAY_MILLIS}; prints {@code LISTENING PORT}
 * once accepting and one {@code CONNECTION n} line per relayed connection. Runs until killed.
 */
public final class DelayProxyMain {
    private static final int CHUNK_BYTES_MAX = 64 << 10;
    /** Chunks in flight per direction (64 KiB each at most): backpressure on a sender faster than the link. */
    private static final int QUEUED_CHUNKS_MAX = 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int DELAY_MILLIS_MAX = 10_000;

    private record Chunk(byte[] bytes, long dueNanos) {}

    private static final Chunk END = new Chunk(new byte[0], 0);

    private DelayProxyMain() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: DelayProxyMain PORT TARGET_HOST:TARGET_PORT DELAY_MILLIS");
        }
        int port = Integer.parseInt(args[0]);
        String[] hostPort = args[1].split(":");
        InetSocketAddress target = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        long delayMillis = Long.parseLong(args[2]);
        if (delayMillis < 0 || delayMillis > DELAY_MILLIS_MAX) {
            throw new IllegalArgumentException("delay must be 0.." + DELAY_MILLIS_MAX + " ms: " + delayMillis);
        }
        long delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port));
            System.out.println("LISTENING " + port);
            System.out.flush();
            for (long n = 1; ; n++) {
                Socket client = server.accept();
                Socket upstream = new Socket();
                try {
                    client.setTcpNoDelay(true);
                    upstream.setTcpNoDelay(true);
                    upstream.connect(target, CONNECT_TIMEOUT_MILLIS);
                    pump(client, upstream, delayNanos);
                    pump(upstream, client, delayNanos);
                    System.out.println("CONNECTION " + n + " from " + client.getRemoteSocketAddress());
                    System.out.flush();
                } catch (IOException e) {
                    // The node is not accepting (restarting): the peer sees a closed connection and retries.
                    closeQuietly(client);
                    closeQuietly(upstream);
                }
            }
        }
    }

    /** One direction of one connection: a reader stamping chunks, a writer delivering them when due. */
    private static void pump(Socket from, Socket to, long delayNanos) throws IOException {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS_MAX);
        Thread.ofPlatform().daemon().name("delay-read").start(() -> {
            byte[] buffer = new byte[CHUNK_BYTES_MAX];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    queue.put(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime() + delayNanos));
                }
            } catch (IOException e) {
                // closed or reset: the writer forwards what is queued, then ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                queue.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.ofPlatform().daemon().name("delay-write").start(() -> {
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
            // closing anyway: nothing to recover
        }
    }
}
