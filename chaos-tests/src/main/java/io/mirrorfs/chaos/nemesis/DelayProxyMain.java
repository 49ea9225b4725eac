package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.api.net.DelayProxy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The added-latency nemesis's proxy, run inside a node's container (see {@link LatencyFault}): listens
 * on {@code 0.0.0.0:PORT}, where iptables REDIRECT sends the Raft connections coming from the other
 * nodes, and relays each to the node's own Raft port through a {@link DelayProxy}: every byte
 * {@code DELAY_MILLIS} after it arrived, in each direction, in order (the kernel here has no
 * {@code sch_netem}, so delay is added in user space).
 *
 * <p>{@code DelayProxyMain PORT TARGET_HOST:TARGET_PORT DELAY_MILLIS}; prints {@code LISTENING PORT}
 * once accepting and one {@code CONNECTION n} line per relayed connection. Runs until killed.
 */
public final class DelayProxyMain {
    private static final int DELAY_MILLIS_MAX = 10_000;

    private DelayProxyMain() {}

    public static void main(String[] args) throws IOException, InterruptedException {
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
        AtomicLong relayed = new AtomicLong();
        try (DelayProxy proxy = DelayProxy.start(new InetSocketAddress(port), target, Duration.ofMillis(delayMillis),
                from -> {
                    System.out.println("CONNECTION " + relayed.incrementAndGet() + " from " + from);
                    System.out.flush();
                })) {
            System.out.println("LISTENING " + proxy.port());
            System.out.flush();
            Thread.currentThread().join(); // runs until killed
        }
    }
}
