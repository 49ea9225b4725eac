package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.ClientContainer;
import io.mirrorfs.chaos.harness.ContainerCluster;
import io.mirrorfs.chaos.harness.NodeContainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Cuts a client container off from the group's current leader (iptables in both namespaces), or from
 * every node (drawn from the seed): the mount must find another leader, or fail its syscalls — never
 * acknowledge what was not committed.
 */
final class ClientPartitionFault implements Fault {
    private final ClientContainer client;
    private final ContainerCluster cluster;
    private final List<NodeContainer> cut = new ArrayList<>();

    ClientPartitionFault(ClientContainer client, ContainerCluster cluster) {
        this.client = client;
        this.cluster = cluster;
    }

    @Override
    public String name() {
        return "partition-client";
    }

    @Override
    public String inject(Random random) throws Exception {
        boolean fromAll = random.nextInt(4) == 0;
        List<NodeContainer> others = fromAll ? cluster.nodes() : List.of(Targets.pick(cluster, random, true));
        cut.add(client.node());
        cut.addAll(others);
        Partitions.cut(List.of(client.node()), others);
        return client.id() + " cut from " + String.join(",", others.stream().map(NodeContainer::id).toList())
                + (fromAll ? " (all nodes)" : " (leader)");
    }

    @Override
    public void heal() throws Exception {
        List<NodeContainer> nodes = new ArrayList<>(cut);
        cut.clear();
        Partitions.heal(nodes);
    }
}
