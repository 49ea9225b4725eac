package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.TwoRegionCluster;
import java.util.List;

/**
 * The faults of a two-region run, to add to a {@link Nemesis} deck besides the primary group's own
 * kill/pause/partition: the primary↔mirror link cut (both ways or one way), kill -9 of the mirror's
 * leader, of the primary's leader and of the sync service, and object-store faults under the sync;
 * and two shorter decks: around an object store server container, and around a mirror mount.
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

    /**
     * A short deck for a run on an object store server: the server's own faults, and the two that move
     * the sync's position most (the region link, kill -9 of the sync), so a ~30 s run injects each.
     */
    public static List<Fault> aroundObjectStoreServer(TwoRegionCluster regions) {
        return List.of(new ObjectStoreServerFault(regions), new RegionLinkFault(regions), new SyncKillFault(regions));
    }

    /**
     * For a mirror-region mount in a client container: the region link cut (the mirror falls behind,
     * reads must keep their consistency mode's promise) and SIGSTOP of the mirror mount. The primary
     * group is left alone, so its register writes stay determinate and their order known. With a mirror
     * group of 3 or more, also kill -9 of the mirror's leader (a new leader must not serve older state).
     */
    public static List<Fault> aroundMirrorMount(TwoRegionCluster regions, io.mirrorfs.chaos.harness.ClientContainer mount) {
        List<Fault> faults = new java.util.ArrayList<>(List.of(new RegionLinkFault(regions), new MountPauseFault(mount)));
        if (regions.mirror().nodes().size() >= 3) {
            faults.add(new LeaderKillFault("kill-mirror-leader", regions.mirror()));
        }
        return faults;
    }
}
