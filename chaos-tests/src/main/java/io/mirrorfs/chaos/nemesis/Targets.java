package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.ContainerCluster;
import io.mirrorfs.chaos.harness.NodeContainer;
import java.util.List;
import java.util.Random;

/** Picks the node a fault hits: the current leader (the interesting one) or any node. */
final class Targets {
    private Targets() {}

    /** The leader if {@code preferLeader} and one answers, else a random node. */
    static NodeContainer pick(ContainerCluster cluster, Random random, boolean preferLeader) {
        // Draw the random node first either way, so the random sequence does not depend on whether a
        // leader happened to answer: a seed replays the same draws.
        List<NodeContainer> nodes = cluster.nodes();
        NodeContainer any = nodes.get(random.nextInt(nodes.size()));
        if (preferLeader) {
            return cluster.currentLeader().orElse(any);
        }
        return any;
    }
}
