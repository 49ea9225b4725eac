package io.mirrorfs.meta.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback ports for test nodes: each node needs its Raft port and the admin port after it. */
final class TestPorts {
    private static final int ATTEMPTS_MAX = 100;

    private TestPorts() {}

    /** A port P such that P and P + 1 are both free right now. */
    static int freePortPair() throws IOException {
        for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
            try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = first.getLocalPort();
                if (port >= 65534) {
                    continue;
                }
                try (ServerSocket second = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    // port + 1 is in use; try another pair
                }
            }
        }
        throw new IOException("no free port pair on loopback after " + ATTEMPTS_MAX + " attempts");
    }
}
