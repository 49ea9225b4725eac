package io.mirrorfs.meta.changelog;

import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.TrimChangelogOp;
import io.mirrorfs.meta.engine.ChangelogRow;
import io.mirrorfs.meta.engine.ChangelogStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader-side retention: decides from the changelog's extent, the mirrors' acks and the policy how far
 * to trim, and proposes a {@link TrimChangelogOp} through the Raft log so every replica trims the same
 * rows. Run {@link #runOnce()} periodically on the leader only (e.g. every 30 s); one call looks at
 * no more than {@link #SCAN_ENTRIES_MAX} entries, so a big backlog is trimmed over several calls.
 */
public final class ChangelogTrimmer {
    private static final Logger LOG = LoggerFactory.getLogger(ChangelogTrimmer.class);
    /** Request ids of trims: a reserved client id (trims bypass the dedup table anyway). */
    public static final long TRIMMER_CLIENT_ID = 0x7472_696d_0000_0001L;
    static final int SCAN_ENTRIES_MAX = 4096;

    /** Proposes a request through the region's Raft group (the lead wires it to the Ratis client). */
    @FunctionalInterface
    public interface Proposer {
        void propose(MetaRequest request) throws IOException;
    }

    private final ChangelogReader reader;
    private final MirrorAcks acks;
    private final RetentionPolicy policy;
    private final Proposer proposer;
    private final LongSupplier wallClockNanos;

    public ChangelogTrimmer(ChangelogReader reader, MirrorAcks acks, RetentionPolicy policy, Proposer proposer,
                            LongSupplier wallClockNanos) {
        this.reader = reader;
        this.acks = acks;
        this.policy = policy;
        this.proposer = proposer;
        this.wallClockNanos = wallClockNanos;
    }

    /** Decides and, if there is anything to trim, proposes it; returns what was proposed. */
    public Optional<TrimDecision> runOnce() throws IOException {
        Optional<TrimDecision> decision = decide();
        if (decision.isPresent()) {
            TrimDecision d = decision.get();
            if (!d.mirrorsToBootstrap().isEmpty()) {
                LOG.warn("changelog over its hard cap: trimming below {} drops entries mirrors {} still need;"
                        + " they must bootstrap from a snapshot", d.belowIndex(), d.mirrorsToBootstrap());
            }
            proposer.propose(MetaRequest.newBuilder()
                    .setRequestId(RequestId.newBuilder().setClientId(TRIMMER_CLIENT_ID).setSeq(d.belowIndex()))
                    .setTrimChangelog(TrimChangelogOp.newBuilder().setBelowIndex(d.belowIndex()).setReason(d.reason()))
                    .build());
        }
        return decision;
    }

    Optional<TrimDecision> decide() throws IOException {
        ChangelogStats stats = reader.stats();
        if (stats.entryCount() == 0) {
            return Optional.empty();
        }
        long now = wallClockNanos.getAsLong();
        long count = stats.entryCount();
        long bytes = stats.bytes();
        long below = 0;
        String reason = "";
        List<ChangelogRow> oldest = reader.read(stats.firstIndex(), SCAN_ENTRIES_MAX, Long.MAX_VALUE);
        for (ChangelogRow row : oldest) {
            boolean tooOld = now - LogEntry.parseFrom(row.logEntry()).getTimeNs() > policy.ageMax().toNanos();
            boolean tooMany = count > policy.entriesMax();
            boolean tooBig = bytes > policy.bytesMax();
            if (!tooOld && !tooMany && !tooBig) {
                break;
            }
            reason = tooOld ? "age over " + policy.ageMax() : tooMany ? "over " + policy.entriesMax() + " entries"
                    : "over " + policy.bytesMax() + " bytes";
            below = row.index() + 1;
            count--;
            bytes -= Long.BYTES + row.logEntry().length;
        }
        if (below == 0) {
            return Optional.empty();
        }
        boolean overHardCap = stats.entryCount() > policy.hardEntriesMax() || stats.bytes() > policy.hardBytesMax();
        List<String> behind = new ArrayList<>();
        long slowestNeeds = Long.MAX_VALUE;
        for (Map.Entry<String, Long> ack : acks.registeredAppliedIndexes().entrySet()) {
            long needs = ack.getValue() + 1;
            if (needs < below) {
                behind.add(ack.getKey());
                slowestNeeds = Math.min(slowestNeeds, needs);
            }
        }
        if (!behind.isEmpty() && !overHardCap) {
            // Hold for the slowest mirror: trim only what every registered mirror has applied.
            below = slowestNeeds;
            if (below <= stats.firstIndex()) {
                return Optional.empty();
            }
            return Optional.of(new TrimDecision(below, reason + ", held at the slowest mirror's ack", List.of()));
        }
        return Optional.of(new TrimDecision(below, overHardCap && !behind.isEmpty() ? "hard cap: " + reason : reason, behind));
    }
}
