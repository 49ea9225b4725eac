package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.ContainerCluster;
import io.mirrorfs.chaos.harness.NodeContainer;
import java.util.Random;

/** kill -9 of a node's JVM (crash-stop, disk kept); heal restarts it from its data folder. */
final class KillFault implements Fault {
    private final ContainerCluster cluster;
    private NodeContainer killed;

    KillFault(ContainerCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public String name() {
        return "kill";
    }

    @Override
    public String inject(Random random) throws Exception {
        boolean leader = random.nextBoolean();
        killed = Targets.pick(cluster, random, leader);
        killed.kill9();
        return killed.id() + (leader ? " (leader)" : " (random)");
    }

    @Override
    public void heal() throws Exception {
        if (killed != null) {
            NodeContainer n = killed;
            killed = null;
            cluster.restart(n);
        }
    }
}
