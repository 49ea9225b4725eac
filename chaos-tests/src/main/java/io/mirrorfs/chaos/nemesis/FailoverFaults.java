package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.TwoRegionCluster;
import java.util.List;

/**
 * The faults a planned switchover must ride through (issue 7, failover under chaos): kill -9 or
 * pause of a follower in either group (quorum kept: the fence, promotion and FollowPrimaryOp still
 * commit, through a group short of a replica), and a short region-link cut, both ways or one way
 * (the target's catch-up stalls until it heals; faults are held for seconds, far inside the
 * switchover's catch-up deadline). Not here: leader kills (a fence or promotion then waits for an
 * election, which measures Ratis rather than the switchover), and kill-sync / store faults (left to
 * MirrorChaosTest). Names say the group by its initial role.
 */
public final class FailoverFaults {
    private FailoverFaults() {}

    public static List<Fault> all(TwoRegionCluster regions) {
        return List.of(new FollowerFault("kill-follower-primary", regions.primary(), FollowerFault.Action.KILL),
                new FollowerFault("kill-follower-mirror", regions.mirror(), FollowerFault.Action.KILL),
                new FollowerFault("pause-follower-primary", regions.primary(), FollowerFault.Action.PAUSE),
                new FollowerFault("pause-follower-mirror", regions.mirror(), FollowerFault.Action.PAUSE),
                new RegionLinkFault(regions));
    }
}
