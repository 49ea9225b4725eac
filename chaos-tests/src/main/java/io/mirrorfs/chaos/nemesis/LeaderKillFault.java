package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.ContainerCluster;
import io.mirrorfs.chaos.harness.NodeContainer;
import java.util.Random;

/** kill -9 of one group's current leader (a random node if none answers); heal restarts it from disk. */
final class LeaderKillFault implements Fault {
    private final String name;
    private final ContainerCluster group;
    private NodeContainer killed;

    LeaderKillFault(String name, ContainerCluster group) {
        this.name = name;
        this.group = group;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String inject(Random random) throws Exception {
        NodeContainer target = Targets.pick(group, random, true);
        killed = target;
        target.kill9();
        return target.id();
    }

    @Override
    public void heal() throws Exception {
        if (killed != null) {
            NodeContainer n = killed;
            killed = null;
            group.restart(n);
        }
    }
}
