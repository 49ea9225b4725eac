package io.mirrorfs.cli.failover;

import io.mirrorfs.api.proto.ChangelogEntry;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An old primary returns after a promotion elsewhere (DESIGN §5): it finds the newer epoch, fences
 * itself, writes a {@link RecoveryReport} of its entries after the new primary's promotion point,
 * and only then becomes a mirror of the new primary (FollowPrimaryOp). Its follower then finds that
 * its chain does not match the new primary's changelog and bootstraps the new primary's namespace
 * (meta-raft's MirrorBootstrapper), which drops the divergent entries from the live namespace —
 * after they were written down, never silently.
 *
 * <p>Run by the operator ({@code mirrorfs failover rejoin --region OLD}) or by the drill after a
 * partition heals. Not automatic in the node itself: a node cannot tell "I was partitioned and
 * someone else was promoted" from "the topology is wrong" without the operator's word.
 */
public final class Rejoin {
    private static final Duration SCAN_DEADLINE = Duration.ofSeconds(60);
    private static final long POLL_MILLIS = 100;

    public record Result(RecoveryReport report, Path reportFile, long resumeAfterIndex, Timeline timeline) {}

    private final Deployment deployment;
    private final int blockSizeBytes;
    private final Path reportDir;

    public Rejoin(Deployment deployment, int blockSizeBytes, Path reportDir) {
        this.deployment = deployment;
        this.blockSizeBytes = blockSizeBytes;
        this.reportDir = reportDir;
    }

    public Result run(String oldName, Timeline timeline) throws Exception {
        RegionHandle old = deployment.region(oldName);
        MirrorState o = old.stateIfReachable().orElseThrow(() -> new FailoverException("region '" + oldName
                + "' does not answer: start its metadata nodes first; nothing changed"));
        Deployment.Observed primary = deployment.currentPrimary(oldName).orElseThrow(() -> new FailoverException(
                "no other reachable primary to rejoin (regions: " + deployment.describe() + "); nothing changed"));
        MirrorState p = primary.state();
        if (p.getEpoch() <= o.getEpoch()) {
            throw new FailoverException("region '" + oldName + "' has epoch " + o.getEpoch() + ", not older than primary '"
                    + primary.name() + "' (epoch " + p.getEpoch() + "): nothing to rejoin; nothing changed");
        }
        if (o.getRole().equals(RegionHandle.ROLE_MIRROR) && o.getPrimaryRegion().equals(primary.name())
                && o.getEpoch() == p.getEpoch()) {
            throw new FailoverException("region '" + oldName + "' already follows '" + primary.name() + "' at epoch "
                    + p.getEpoch() + "; nothing changed");
        }
        timeline.mark("rejoin: region '" + oldName + "' (epoch " + o.getEpoch() + ") finds primary '" + primary.name()
                + "' at epoch " + p.getEpoch() + ", promoted at index " + p.getPromotedAtIndex());
        if (Deployment.isPrimary(old.region(), o) && !o.getFenced()) {
            old.fence(o.getEpoch(), "rejoin: newer epoch " + p.getEpoch() + " at region " + primary.name());
            timeline.mark("fenced '" + oldName + "': it accepts no more client mutations");
        }
        long last = old.state().getChangelogLastIndex();
        RecoveryReport report = report(old, o.getEpoch(), primary, p, last);
        Path file = report.write(reportDir);
        timeline.mark("recovery report: " + report.divergent().size() + " divergent entries, "
                + report.paths().size() + " paths -> " + file);
        if (!report.complete()) {
            throw new FailoverException("the divergent entries of '" + oldName + "' could not all be read ("
                    + report.note() + "); the partial report is in " + file + ". The region stays fenced and was NOT"
                    + " turned into a mirror, so nothing is lost: fix the cause and rerun the rejoin");
        }
        // Resume after the promotion point: the engine sees this group's changelog run past it and marks
        // the group bootstrap-required, so no new-primary entry is ever applied over divergent state.
        long resumeAfter = Math.min(p.getPromotedAtIndex(), last);
        old.followPrimary(p.getEpoch(), primary.handle().region(), resumeAfter);
        timeline.mark("'" + oldName + "' now follows '" + primary.name() + "' (epoch " + p.getEpoch()
                + ", resume after " + resumeAfter + (last > resumeAfter ? "; its entries above that are divergent:"
                + " it bootstraps the new primary's namespace)" : ")"));
        return new Result(report, file, resumeAfter, timeline);
    }

    private RecoveryReport report(RegionHandle old, long oldEpoch, Deployment.Observed primary, MirrorState p, long last)
            throws Exception {
        long from = p.getPromotedAtIndex() + 1;
        ChangelogScan.Result scan = ChangelogScan.read(old.region(), deployment.volume(), from, last, SCAN_DEADLINE);
        List<EntrySummary> divergent = new ArrayList<>();
        if (!scan.entries().isEmpty()) {
            Map<Long, String> paths = new HashMap<>(NamespacePaths.walk(old.client()).all());
            try (ObjectStore store = ObjectStores.open(old.region().storeUri())) {
                for (ChangelogEntry e : scan.entries()) {
                    divergent.addAll(EntrySummary.of(e, paths, deployment.volume(), blockSizeBytes, store));
                }
            }
        }
        return new RecoveryReport(old.name(), oldEpoch, primary.name(), p.getEpoch(), p.getPromotedAtIndex(), last,
                scan.complete(), scan.note(), divergent, old.region().storeUri(), System.currentTimeMillis());
    }

    /** Waits until {@code region} follows and has applied at least {@code primaryIndex}. */
    public static void awaitFollowing(RegionHandle region, long primaryIndex, Duration max, Timeline timeline)
            throws FailoverException, InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            MirrorState s = region.stateIfReachable().orElse(null);
            if (s != null && s.getRole().equals(RegionHandle.ROLE_MIRROR) && s.getPrimaryIndex() >= primaryIndex) {
                timeline.mark("'" + region.name() + "' follows and has applied primary index " + s.getPrimaryIndex());
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new FailoverException("'" + region.name() + "' did not reach primary index " + primaryIndex
                        + " as a mirror within " + max.toMillis() + " ms (" + Switchover.describe(s) + ")");
            }
            Thread.sleep(POLL_MILLIS); // polling a condition, bounded by the deadline above
        }
    }
}
