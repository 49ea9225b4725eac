package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.ContainerCluster;
import io.mirrorfs.chaos.harness.NodeContainer;
import java.util.Random;

/**
 * Freezes a node (docker pause, the cgroup freezer — like SIGSTOP of every process in it): a leader
 * that wakes up after a new one was elected must not serve what it believes (a long GC pause).
 */
final class PauseFault implements Fault {
    private final ContainerCluster cluster;
    private NodeContainer paused;

    PauseFault(ContainerCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public String name() {
        return "pause";
    }

    @Override
    public String inject(Random random) throws Exception {
        boolean leader = random.nextBoolean();
        paused = Targets.pick(cluster, random, leader);
        paused.pause();
        return paused.id() + (leader ? " (leader)" : " (random)");
    }

    @Override
    public void heal() throws Exception {
        if (paused != null) {
            NodeContainer n = paused;
            paused = null;
            n.unpause();
        }
    }
}
