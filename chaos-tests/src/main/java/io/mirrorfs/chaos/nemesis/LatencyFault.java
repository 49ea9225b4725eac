package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.ContainerCluster;
import io.mirrorfs.chaos.harness.Docker;
import io.mirrorfs.chaos.harness.NodeContainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Adds delay with jitter to every packet a node sends (tc netem on its eth0, from the host via
 * nsenter). Applied to all nodes, it slows every Raft round trip; with jitter, packets also reorder.
 */
final class LatencyFault implements Fault {
    private static final int DELAY_MILLIS_MAX = 200;
    private final ContainerCluster cluster;
    private final List<NodeContainer> delayed = new ArrayList<>();

    LatencyFault(ContainerCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public String name() {
        return "latency";
    }

    @Override
    public String inject(Random random) throws Exception {
        int delayMillis = 20 + random.nextInt(DELAY_MILLIS_MAX - 20);
        int jitterMillis = delayMillis / 2;
        for (NodeContainer n : cluster.nodes()) {
            Docker.inNetns(n.pid(), "tc", "qdisc", "replace", "dev", "eth0", "root", "netem",
                    "delay", delayMillis + "ms", jitterMillis + "ms");
            delayed.add(n);
        }
        return delayMillis + "ms ±" + jitterMillis + "ms on all nodes";
    }

    @Override
    public void heal() throws Exception {
        Exception first = null;
        for (NodeContainer n : delayed) {
            try {
                Docker.inNetns(n.pid(), "tc", "qdisc", "del", "dev", "eth0", "root");
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        delayed.clear();
        if (first != null) {
            throw first;
        }
    }
}
