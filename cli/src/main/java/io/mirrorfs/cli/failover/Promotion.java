package io.mirrorfs.cli.failover;

import io.mirrorfs.api.proto.ChangelogEntry;
import io.mirrorfs.api.proto.MirrorFollowerState;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Unplanned failover (DESIGN §5): promote a mirror at the primary index it has applied, and say what
 * that loses. Refuses, changing nothing: an unknown region, the current primary, a region that does
 * not answer, and a mirror while the primary is healthy unless forced. When forced while the primary
 * still answers, the primary is fenced first, so two primaries never accept writes at once.
 */
public final class Promotion {
    private static final Duration SCAN_DEADLINE = Duration.ofSeconds(30);

    public record Result(String region, String formerPrimary, long newEpoch, boolean forced, long promotedAtIndex,
                         Rpo rpo, long writesAcceptedAtMillis, Timeline timeline) {
        /** From the operator's command to the first write accepted by the new primary. */
        public long rtoMillis() {
            return writesAcceptedAtMillis;
        }

        public Json.Object toJson() {
            return new Json.Object().put("kind", "promotion").put("region", region).put("formerPrimary", formerPrimary)
                    .put("newEpoch", newEpoch).put("forced", forced).put("promotedAtIndex", promotedAtIndex)
                    .put("rtoMillis", rtoMillis()).put("rpoEntries", rpo.entries()).put("rpo", rpo.toJson())
                    .put("timeline", timeline.toJson());
        }
    }

    private final Deployment deployment;
    private final int blockSizeBytes;

    public Promotion(Deployment deployment, int blockSizeBytes) {
        this.deployment = deployment;
        this.blockSizeBytes = blockSizeBytes;
    }

    public Result run(String targetName, boolean force, Timeline timeline) throws Exception {
        RegionHandle target = deployment.region(targetName);
        MirrorState t = target.stateIfReachable().orElseThrow(() -> new FailoverException("region '" + targetName
                + "' does not answer: cannot promote it; nothing changed"));
        if (Deployment.isPrimary(target.region(), t)) {
            throw new FailoverException("region '" + targetName + "' is already the primary (epoch " + t.getEpoch()
                    + (t.getFenced() ? ", fenced" : "") + "); nothing changed");
        }
        Optional<Deployment.Observed> primary = deployment.currentPrimary(targetName);
        if (primary.isPresent() && !primary.get().state().getFenced() && !force) {
            throw new FailoverException("the primary '" + primary.get().name() + "' is healthy (epoch "
                    + primary.get().state().getEpoch() + ", answering): use 'mirrorfs failover switchover --to "
                    + targetName + "' for a planned failover with RPO 0, or --force to promote anyway; nothing changed");
        }
        String formerPrimary = primary.map(Deployment.Observed::name).orElse(t.getPrimaryRegion());
        timeline.mark("promote '" + targetName + "'" + (primary.isPresent() ? " (primary '" + formerPrimary
                + "' answers" + (primary.get().state().getFenced() ? ", fenced)" : ")") : " (primary unreachable)"));
        boolean primaryFenced = primary.isPresent() && primary.get().state().getFenced();
        if (primary.isPresent() && !primaryFenced) {
            primary.get().handle().fence(primary.get().state().getEpoch(), "forced promotion of " + targetName);
            primaryFenced = true;
            timeline.mark("fenced the old primary '" + formerPrimary + "' first (forced while it answers)");
        }
        // The promotion point: what the target has applied now. Re-read after any fence.
        MirrorState before = target.state();
        Rpo rpo = primary.isPresent()
                ? exactRpo(primary.get(), before, target)
                : estimatedRpo(before, target);
        timeline.mark(rpo.exact() ? "RPO measured from the old primary's changelog: " + rpo.entries() + " entries"
                : "RPO estimated from the mirror's follower status: " + rpo.entries() + " entries (exact on rejoin)");

        long newEpoch = deployment.highestEpoch(before) + 1;
        String reason = (primaryFenced ? "promotion after fence of " : "forced promotion; primary unreachable: ")
                + formerPrimary + "; RPO " + (rpo.exact() ? "" : "estimated ") + rpo.entries() + " entries (applied "
                + rpo.appliedIndex() + " of " + rpo.primaryLastIndex() + ")";
        target.promote(newEpoch, !primaryFenced, reason);
        timeline.mark("promoted '" + targetName + "' to primary of epoch " + newEpoch + " at primary index "
                + before.getPrimaryIndex());
        long acceptedAt = Switchover.awaitWritesAccepted(target, timeline);
        long promotedAt = target.stateIfReachable().map(MirrorState::getPromotedAtIndex).orElse(before.getPrimaryIndex());
        return new Result(targetName, formerPrimary, newEpoch, !primaryFenced, promotedAt, rpo, acceptedAt, timeline);
    }

    /** The old primary answers: read exactly the entries the target has not applied. */
    private Rpo exactRpo(Deployment.Observed primary, MirrorState target, RegionHandle targetHandle) throws Exception {
        long last = primary.handle().state().getChangelogLastIndex();
        long applied = target.getPrimaryIndex();
        ChangelogScan.Result scan = ChangelogScan.read(primary.handle().region(), deployment.volume(), applied + 1, last,
                SCAN_DEADLINE);
        if (!scan.complete()) {
            return new Rpo(applied, last, "old primary answers but its changelog was not fully readable: " + scan.note(),
                    false, Math.max(0, last - applied), target.getDataWatermark(), List.of());
        }
        Map<Long, String> paths = new HashMap<>(NamespacePaths.walk(primary.handle().client()).all());
        List<EntrySummary> lost = new ArrayList<>();
        try (ObjectStore store = ObjectStores.open(targetHandle.region().storeUri())) {
            for (ChangelogEntry e : scan.entries()) {
                lost.addAll(EntrySummary.of(e, paths, deployment.volume(), blockSizeBytes, store));
            }
        }
        return new Rpo(applied, last, "old primary's changelog", true, Rpo.clientEntries(lost), target.getDataWatermark(), lost);
    }

    /** The old primary is gone: the best knowledge is what the target's follower last heard from it. */
    private static Rpo estimatedRpo(MirrorState target, RegionHandle targetHandle) {
        long applied = target.getPrimaryIndex();
        Optional<MirrorFollowerState> f = targetHandle.followerState();
        long last = Math.max(applied, f.map(MirrorFollowerState::getPrimaryLastIndex).orElse(applied));
        String source = f.isPresent() ? "last heard by the mirror's follower" : "no follower status: the mirror's own index";
        return new Rpo(applied, last, source, false, last - applied, target.getDataWatermark(), List.of());
    }
}
