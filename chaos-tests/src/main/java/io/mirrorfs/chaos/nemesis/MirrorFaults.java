package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.TwoRegionCluster;
import java.util.List;

/**
 * The faults of a two-region run, to add to a {@link Nemesis} deck besides the primary group's own
 * kill/pause/partition: the primary↔mirror link cut (both ways or one way), kill -9 of the mirror's
 * leader, of the primary's leader and of the sync service, and object-store faults under the sync.
 */
public final class MirrorFaults {
    private MirrorFaults() {}

    public static List<Fault> all(TwoRegionCluster regions) {
        return List.of(new RegionLinkFault(regions),
                new LeaderKillFault("kill-mirror-leader", regions.mirror()),
                new LeaderKillFault("kill-primary-leader", regions.primary()),
                new SyncKillFault(regions),
                new StoreFault(regions.storeFaultFile()));
    }
}
