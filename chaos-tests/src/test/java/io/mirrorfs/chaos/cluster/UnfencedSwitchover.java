package io.mirrorfs.chaos.cluster;

import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.cli.failover.Deployment;
import io.mirrorfs.cli.failover.FailoverException;
import io.mirrorfs.cli.failover.RegionHandle;
import io.mirrorfs.cli.failover.Switchover;
import io.mirrorfs.cli.failover.Timeline;
import java.time.Duration;

/**
 * A deliberately broken switchover, test scope only: the cli's {@link Switchover} steps without the
 * fence. The old primary keeps accepting writes until the FollowPrimaryOp demotes it, so writes it
 * acknowledges after the target caught up are not in the new primary, and for a while both groups
 * accept writes. {@code FailoverChaosTest} with {@code -Dchaos.failover.variant=unfenced} shows that
 * its checks catch this.
 */
final class UnfencedSwitchover {
    private static final long POLL_MILLIS = 100;

    private final Deployment deployment;
    private final Duration catchUpMax;

    UnfencedSwitchover(Deployment deployment, Duration catchUpMax) {
        this.deployment = deployment;
        this.catchUpMax = catchUpMax;
    }

    Switchover.Result run(String targetName, Timeline timeline) throws FailoverException, InterruptedException {
        RegionHandle target = deployment.region(targetName);
        Deployment.Observed primary = deployment.currentPrimary(targetName)
                .orElseThrow(() -> new FailoverException("no primary other than " + targetName));
        long fenceAt = timeline.mark("BROKEN VARIANT: fence of '" + primary.name() + "' skipped");
        long lastIndex = primary.handle().state().getChangelogLastIndex();
        long deadline = System.nanoTime() + catchUpMax.toNanos();
        while (true) {
            MirrorState s = target.stateIfReachable().orElse(null);
            if (s != null && s.getPrimaryIndex() >= lastIndex && s.getDataWatermark() >= lastIndex) {
                break;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new FailoverException("target did not catch up with " + lastIndex);
            }
            Thread.sleep(POLL_MILLIS); // polling a condition, bounded by the deadline above
        }
        long newEpoch = deployment.highestEpoch(primary.state()) + 1;
        target.promote(newEpoch, false, "unfenced switchover (broken variant)");
        timeline.mark("promoted '" + targetName + "' to epoch " + newEpoch + " while '" + primary.name() + "' is unfenced");
        while (!target.acceptsWrites()) {
            if (System.nanoTime() - deadline > 0) {
                throw new FailoverException("new primary does not accept writes");
            }
            Thread.sleep(POLL_MILLIS); // polling a condition, bounded by the deadline above
        }
        long acceptedAt = timeline.mark("new primary '" + targetName + "' accepts writes");
        primary.handle().followPrimary(newEpoch, target.region(), lastIndex);
        timeline.mark("old primary '" + primary.name() + "' now follows '" + targetName + "'");
        return new Switchover.Result(primary.name(), targetName, newEpoch, lastIndex, fenceAt, acceptedAt, timeline);
    }
}
