package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.NodeContainer;
import io.mirrorfs.chaos.harness.TwoRegionCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Cuts the link between the two regions (every primary node ↔ every mirror node; iptables in the
 * nodes' namespaces): both directions, or one way only (primary→mirror or mirror→primary dropped).
 * Each group keeps its own quorum; the mirror falls behind and must catch up after healing without
 * gaps, and the primary's changelog retention must keep what the mirror has not acked.
 */
final class RegionLinkFault implements Fault {
    private final TwoRegionCluster regions;
    private final List<NodeContainer> touched = new ArrayList<>();

    RegionLinkFault(TwoRegionCluster regions) {
        this.regions = regions;
    }

    @Override
    public String name() {
        return "region-link";
    }

    @Override
    public String inject(Random random) throws Exception {
        List<NodeContainer> primary = regions.primary().nodes();
        List<NodeContainer> mirror = regions.mirror().nodes();
        touched.addAll(primary);
        touched.addAll(mirror);
        return switch (random.nextInt(3)) {
            case 0 -> {
                Partitions.cut(primary, mirror);
                yield "primary <-/-> mirror (both ways)";
            }
            case 1 -> {
                Partitions.cutOneWay(primary, mirror);
                yield "primary --/-> mirror (one way)";
            }
            default -> {
                Partitions.cutOneWay(mirror, primary);
                yield "mirror --/-> primary (one way)";
            }
        };
    }

    @Override
    public void heal() throws Exception {
        List<NodeContainer> nodes = new ArrayList<>(touched);
        touched.clear();
        Partitions.heal(nodes);
    }
}
