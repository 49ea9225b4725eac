package io.mirrorfs.api.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Free loopback ports for everything that lays out regions on one machine ({@code mirrorfs up},
 * drills, tests). A metadata node needs two adjacent ports: Raft on P, its admin/changelog service on
 * P + 1. "Free" is only true when asked: callers bind soon after and retry on a clash.
 */
public final class LoopbackPorts {
    private static final int ATTEMPTS_MAX = 100;

    private LoopbackPorts() {}

    /** A port free on loopback right now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A port P such that P and P + 1 are both free on loopback right now. */
    public static int freePortPair() throws IOException {
        for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
            try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = first.getLocalPort();
                if (port >= 65534) {
                    continue;
                }
                try (ServerSocket second = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    // P + 1 is in use: try another pair
                }
            }
        }
        throw new IOException("no free pair of adjacent loopback ports after " + ATTEMPTS_MAX + " attempts");
    }
}
