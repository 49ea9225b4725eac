package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.ContainerCluster;
import io.mirrorfs.chaos.harness.NodeContainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Splits the nodes into two sides that cannot talk to each other, with iptables DROP rules in each
 * node's network namespace (entered from the host with nsenter). Only node-to-node traffic is cut:
 * the test's clients (on the host, via the bridge gateway) still reach every node, so a deposed leader
 * on the minority side keeps receiving requests — the case where stale reads would show. Two shapes:
 * the leader isolated alone, or a random minority/majority split.
 */
final class PartitionFault implements Fault {
    private final ContainerCluster cluster;
    private final List<NodeContainer> partitioned = new ArrayList<>();

    PartitionFault(ContainerCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public String name() {
        return "partition";
    }

    @Override
    public String inject(Random random) throws Exception {
        List<NodeContainer> nodes = cluster.nodes();
        boolean isolateLeader = random.nextBoolean();
        List<NodeContainer> shuffled = new ArrayList<>(nodes);
        java.util.Collections.shuffle(shuffled, random);
        int minoritySize = 1 + random.nextInt(Math.max(1, (nodes.size() - 1) / 2));
        List<NodeContainer> minority = new ArrayList<>(shuffled.subList(0, minoritySize));
        if (isolateLeader) {
            NodeContainer leader = cluster.currentLeader().orElse(shuffled.get(0));
            minority = List.of(leader);
        }
        List<NodeContainer> majority = new ArrayList<>(nodes);
        majority.removeAll(minority);
        partitioned.addAll(nodes);
        Partitions.cut(minority, majority);
        return (isolateLeader ? "leader isolated: " : "split: ") + ids(minority) + " | " + ids(majority);
    }

    @Override
    public void heal() throws Exception {
        List<NodeContainer> nodes = new ArrayList<>(partitioned);
        partitioned.clear();
        Partitions.heal(nodes);
    }

    private static String ids(List<NodeContainer> nodes) {
        return String.join(",", nodes.stream().map(NodeContainer::id).toList());
    }
}
