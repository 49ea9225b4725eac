package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.ClientContainer;
import java.util.Random;

/**
 * kill -9 of a client's {@code mirrorfs mount} process: in-flight syscalls fail (ENOTCONN), buffered
 * writes that were never fsynced are lost — acknowledged (fsynced) ones must not be. Heal mounts again.
 */
final class MountKillFault implements Fault {
    private final ClientContainer client;
    private boolean killed;

    MountKillFault(ClientContainer client) {
        this.client = client;
    }

    @Override
    public String name() {
        return "kill-mount";
    }

    @Override
    public String inject(Random random) throws Exception {
        killed = true;
        client.killMount();
        return "kill -9 of the mount process in " + client.id();
    }

    @Override
    public void heal() throws Exception {
        if (killed) {
            killed = false;
            client.remount();
        }
    }
}
