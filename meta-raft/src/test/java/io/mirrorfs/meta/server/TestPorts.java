package io.mirrorfs.meta.server;

import io.mirrorfs.api.net.LoopbackPorts;
import java.io.IOException;

/** Free loopback ports for test nodes: each node needs its Raft port and the admin port after it. */
final class TestPorts {
    private TestPorts() {}

    /** A port P such that P and P + 1 are both free right now. */
    static int freePortPair() throws IOException {
        return LoopbackPorts.freePortPair();
    }
}
