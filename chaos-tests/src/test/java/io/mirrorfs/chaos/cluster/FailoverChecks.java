package io.mirrorfs.chaos.cluster;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import io.mirrorfs.chaos.workload.DataFileWorkload;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.sync.BlockRef;
import io.mirrorfs.sync.MirrorMetadata;
import io.mirrorfs.sync.ReferencedBlocks;
import io.mirrorfs.sync.SyncVerifier;
import io.mirrorfs.sync.VerifyReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** End-of-run checks of a switchover run that need the server-side modules or the switchover's outcome. */
final class FailoverChecks {
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);

    private FailoverChecks() {}

    /**
     * The switchover itself: it completed, and its RTO (fence → the new primary accepted a write, as the
     * cli measures it) next to what the writers saw: from the last write acknowledged by the old primary
     * to the first acknowledged by the new one.
     */
    static Verdict switchover(SwitchoverStep.Outcome o, List<Operation> history, Map<String, String> acknowledgedBy,
                              String oldPrimary, String newPrimary) {
        if (o == null) {
            return new Verdict("switchover", Validity.INVALID, "the switchover never ran (the load ended first)", List.of());
        }
        if (!o.completed()) {
            return new Verdict("switchover", Validity.INVALID, "the switchover failed after " + o.attempts()
                    + " attempt(s): " + o.failure().getMessage(), List.of(o.timeline().split("\n")));
        }
        long lastOld = Long.MIN_VALUE;
        long firstNew = Long.MAX_VALUE;
        for (Operation op : history) {
            if (op.outcome() != Outcome.OK || !op.key().equals(DataFileWorkload.SET_KEY)) {
                continue;
            }
            String region = acknowledgedBy.get(op.value());
            if (oldPrimary.equals(region)) {
                lastOld = Math.max(lastOld, op.completeNanos());
            } else if (newPrimary.equals(region)) {
                firstNew = Math.min(firstNew, op.completeNanos());
            }
        }
        String clientGap = lastOld == Long.MIN_VALUE || firstNew == Long.MAX_VALUE ? "n/a"
                : (firstNew - lastOld) / 1_000_000 + " ms";
        List<String> detail = new ArrayList<>(List.of(o.timeline().split("\n")));
        return new Verdict("switchover", Validity.VALID, o.result().from() + " -> " + o.result().to() + " in "
                + o.attempts() + " attempt(s), epoch " + o.result().newEpoch() + ", caught up to index "
                + o.result().lastIndex() + "; RTO " + o.rtoMillis() + " ms (first fence -> new primary accepts a write;"
                + " the last attempt's own: " + o.result().rtoMillis() + " ms); writers saw no acknowledgement for "
                + clientGap, detail);
    }

    /** After healing: the target is the unfenced primary of the new epoch, the old primary its mirror. */
    static Verdict finalRoles(MirrorState target, MirrorState old, SwitchoverStep.Outcome o) {
        List<String> anomalies = new ArrayList<>();
        long epoch = o.result().newEpoch();
        if (!"PRIMARY".equals(target.getRole()) || target.getFenced() || target.getEpoch() != epoch) {
            anomalies.add("target: role " + target.getRole() + ", fenced " + target.getFenced() + ", epoch " + target.getEpoch()
                    + " (expected the unfenced PRIMARY of epoch " + epoch + ")");
        }
        if (!"MIRROR".equals(old.getRole()) || old.getEpoch() < epoch || !old.getPrimaryRegion().equals(o.result().to())) {
            anomalies.add("old primary: role " + old.getRole() + ", epoch " + old.getEpoch() + ", follows '"
                    + old.getPrimaryRegion() + "' (expected a MIRROR of '" + o.result().to() + "' at epoch >= " + epoch + ")");
        }
        return new Verdict("final-roles", anomalies.isEmpty() ? Validity.VALID : Validity.INVALID,
                "target PRIMARY at epoch " + target.getEpoch() + ", old primary " + old.getRole() + " at epoch "
                        + old.getEpoch() + " following '" + old.getPrimaryRegion() + "'", anomalies);
    }

    /**
     * Every block the new primary's namespace references is in the new primary's own store, CRC-valid:
     * writers after the switchover must upload to it (no sync copies into a primary).
     */
    static Verdict primaryBlocks(MetadataClient primary, String group, ObjectStore otherStore, ObjectStore primaryStore,
                                 String volume, int blockSizeBytes) {
        List<String> detail = new ArrayList<>();
        try {
            List<BlockRef> blocks = new ReferencedBlocks(new MirrorMetadata(primary, group, QUERY_TIMEOUT), volume,
                    blockSizeBytes).walk();
            VerifyReport r = new SyncVerifier(otherStore, primaryStore, volume).verify(blocks, false, true);
            detail.add(r.referenced() + " blocks referenced, " + r.presentInTarget() + " present, "
                    + r.missingInTargetCount() + " missing, " + r.corruptInTargetCount() + " corrupt");
            r.missingInTarget().stream().limit(10).forEach(k -> detail.add("missing " + k));
            r.corruptInTarget().stream().limit(10).forEach(k -> detail.add("corrupt " + k));
            return new Verdict("new-primary-blocks", r.clean() ? Validity.VALID : Validity.INVALID,
                    "every block the new primary references is in its own store and CRC-valid: " + r.clean(), detail);
        } catch (Exception e) {
            detail.add(e.toString());
            return new Verdict("new-primary-blocks", Validity.INVALID, "could not verify the new primary's blocks", detail);
        }
    }
}
