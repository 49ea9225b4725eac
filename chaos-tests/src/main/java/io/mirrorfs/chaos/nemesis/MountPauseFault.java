package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.ClientContainer;
import java.util.Random;

/**
 * SIGSTOP of a client's mount process (a long GC pause of the client): its syscalls block, its
 * metadata sessions and in-flight requests go stale; after SIGCONT it must not act on stale beliefs.
 */
final class MountPauseFault implements Fault {
    private final ClientContainer client;
    private boolean paused;

    MountPauseFault(ClientContainer client) {
        this.client = client;
    }

    @Override
    public String name() {
        return "pause-mount";
    }

    @Override
    public String inject(Random random) throws Exception {
        paused = true;
        client.pauseMount();
        return "SIGSTOP of the mount process in " + client.id();
    }

    @Override
    public void heal() throws Exception {
        if (paused) {
            paused = false;
            client.resumeMount();
        }
    }
}
