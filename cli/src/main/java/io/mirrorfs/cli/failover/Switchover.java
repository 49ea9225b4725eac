package io.mirrorfs.cli.failover;

import io.mirrorfs.api.proto.MirrorState;
import java.time.Duration;

/**
 * Planned failover (DESIGN §5), RPO 0: fence the primary, wait until the target has applied the
 * primary's last changelog index <em>and</em> holds every block up to it (data watermark), promote
 * the target to epoch + 1, then make the old primary a mirror of it.
 *
 * <p>Order is what makes it safe: after the fence no client mutation lands on the old primary, so
 * "caught up to its last index" is final; promotion only after that, so nothing acknowledged is left
 * behind. If the catch-up deadline passes, the old primary stays fenced (writes refused, reads
 * served) and nothing was promoted: rerunning the command resumes (fencing an already fenced primary
 * is skipped).
 */
public final class Switchover {
    /** Between progress checks; the wait as a whole is bounded by {@code catchUpMax}. */
    private static final long POLL_MILLIS = 100;
    private static final long PROGRESS_EVERY_MILLIS = 1_000;

    public record Result(String from, String to, long newEpoch, long lastIndex, long fenceAtMillis,
                         long writesAcceptedAtMillis, Timeline timeline) {
        /** Fence → the new primary accepted a write. */
        public long rtoMillis() {
            return writesAcceptedAtMillis - fenceAtMillis;
        }

        public Json.Object toJson() {
            return new Json.Object().put("kind", "switchover").put("from", from).put("to", to)
                    .put("newEpoch", newEpoch).put("lastIndex", lastIndex).put("rtoMillis", rtoMillis())
                    .put("rpoEntries", 0).put("timeline", timeline.toJson());
        }
    }

    private final Deployment deployment;
    private final Duration catchUpMax;

    public Switchover(Deployment deployment, Duration catchUpMax) {
        this.deployment = deployment;
        this.catchUpMax = catchUpMax;
    }

    public Result run(String targetName, Timeline timeline) throws FailoverException, InterruptedException {
        RegionHandle target = deployment.region(targetName);
        Deployment.Observed primary = deployment.currentPrimary(targetName).orElseThrow(() -> new FailoverException(
                "no reachable primary other than '" + targetName + "' (regions: " + deployment.describe()
                        + "): a switchover needs the primary up; use 'failover promote' if it is lost. Nothing changed"));
        MirrorState targetState = target.state();
        if (Deployment.isPrimary(target.region(), targetState) && targetState.getEpoch() >= primary.state().getEpoch()) {
            throw new FailoverException("region '" + targetName + "' is already the primary (epoch "
                    + targetState.getEpoch() + "); nothing changed");
        }
        if (!targetState.getPrimaryRegion().isEmpty() && !targetState.getPrimaryRegion().equals(primary.name())) {
            throw new FailoverException("region '" + targetName + "' follows '" + targetState.getPrimaryRegion()
                    + "', not the primary '" + primary.name() + "'; nothing changed");
        }
        long epoch = primary.state().getEpoch();
        timeline.mark("switchover " + primary.name() + " -> " + targetName + " (epoch " + epoch + ")");

        long fenceAt;
        if (primary.state().getFenced()) {
            fenceAt = timeline.mark("primary '" + primary.name() + "' already fenced: resuming");
        } else {
            primary.handle().fence(epoch, "switchover to " + targetName);
            fenceAt = timeline.mark("fenced primary '" + primary.name() + "': client mutations now get EROFS");
        }
        long lastIndex = primary.handle().state().getChangelogLastIndex();
        timeline.mark("primary's last changelog index: " + lastIndex);

        awaitCaughtUp(target, lastIndex, timeline);
        timeline.mark("target '" + targetName + "' caught up: metadata and data watermark at " + lastIndex);

        long newEpoch = deployment.highestEpoch(primary.state()) + 1;
        target.promote(newEpoch, false, "switchover from " + primary.name() + " at index " + lastIndex);
        timeline.mark("promoted '" + targetName + "' to primary of epoch " + newEpoch);

        long acceptedAt = awaitWritesAccepted(target, timeline);

        primary.handle().followPrimary(newEpoch, target.region(), lastIndex);
        timeline.mark("old primary '" + primary.name() + "' now follows '" + targetName + "' after index " + lastIndex);
        return new Result(primary.name(), targetName, newEpoch, lastIndex, fenceAt, acceptedAt, timeline);
    }

    private void awaitCaughtUp(RegionHandle target, long lastIndex, Timeline timeline)
            throws FailoverException, InterruptedException {
        long deadline = System.nanoTime() + catchUpMax.toNanos();
        long nextProgress = 0;
        while (true) {
            MirrorState s = target.stateIfReachable().orElse(null);
            if (s != null && s.getPrimaryIndex() >= lastIndex && s.getDataWatermark() >= lastIndex) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new FailoverException("target '" + target.name() + "' did not catch up with index " + lastIndex
                        + " within " + catchUpMax.toMillis() + " ms (" + describe(s) + "). The old primary stays"
                        + " fenced (reads served, writes refused) and nothing was promoted: rerun the switchover to"
                        + " resume, or check the mirror's follower and sync service (mirrorfs status)");
            }
            if (timeline.elapsedMillis() >= nextProgress) {
                timeline.progress("catching up to " + lastIndex + ": " + describe(s));
                nextProgress = timeline.elapsedMillis() + PROGRESS_EVERY_MILLIS;
            }
            Thread.sleep(POLL_MILLIS); // polling a condition, bounded by the deadline above
        }
    }

    static String describe(MirrorState s) {
        return s == null ? "target not answering"
                : "metadata at " + s.getPrimaryIndex() + ", data watermark at " + s.getDataWatermark();
    }

    /** Time (ms on the timeline) when the new primary first accepted a client mutation. */
    static long awaitWritesAccepted(RegionHandle primary, Timeline timeline) throws FailoverException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!primary.acceptsWrites()) {
            if (System.nanoTime() - deadline > 0) {
                throw new FailoverException("new primary '" + primary.name() + "' does not accept writes 60 s after"
                        + " its promotion; check its nodes (mirrorfs status)");
            }
            Thread.sleep(POLL_MILLIS); // polling a condition, bounded by the deadline above
        }
        return timeline.mark("new primary '" + primary.name() + "' accepts writes");
    }
}
