package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.ContainerCluster;
import io.mirrorfs.chaos.harness.NodeContainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * kill -9 (restart from disk on heal) or docker pause (unpause on heal) of one node of a group that
 * is not its leader: the group keeps its quorum, so every failover step still commits, but through a
 * group that is missing a replica or has one that wakes up behind.
 */
final class FollowerFault implements Fault {
    enum Action { KILL, PAUSE }

    private final String name;
    private final ContainerCluster group;
    private final Action action;
    private NodeContainer hit;

    FollowerFault(String name, ContainerCluster group, Action action) {
        this.name = name;
        this.group = group;
        this.action = action;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String inject(Random random) throws Exception {
        List<NodeContainer> nodes = group.nodes();
        if (nodes.size() < 2) {
            throw new IllegalStateException(name + " needs a group of 2+ nodes, " + group.group().name() + " has " + nodes.size());
        }
        // Draw first either way, so the seed's sequence does not depend on which node leads.
        int draw = random.nextInt(nodes.size());
        String leader = group.currentLeader().map(NodeContainer::id).orElse("");
        List<NodeContainer> followers = new ArrayList<>(nodes.stream().filter(n -> !n.id().equals(leader)).toList());
        NodeContainer target = followers.get(draw % followers.size());
        if (action == Action.KILL) {
            target.kill9();
        } else {
            target.pause();
        }
        hit = target;
        return target.id() + (leader.isEmpty() ? " (no leader answered)" : " (leader " + leader + ")");
    }

    @Override
    public void heal() throws Exception {
        if (hit == null) {
            return;
        }
        NodeContainer n = hit;
        hit = null;
        if (action == Action.KILL) {
            group.restart(n);
        } else {
            n.unpause();
        }
    }
}
