package io.mirrorfs.cli.status;

import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.NodeStatusReply;
import io.mirrorfs.api.proto.PoisonBlockStatus;
import io.mirrorfs.api.proto.SyncStatusReply;
import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@code mirrorfs status} for a deployment: one line per region (role, epoch, indexes, metadata lag in
 * entries and seconds, data watermark, blocks and bytes pending, oldest pending block, sync errors),
 * then the details an operator acts on (unreachable nodes, follower errors, poison blocks).
 */
public final class RegionTable {
    private RegionTable() {}

    /** The region currently primary: role PRIMARY with the highest epoch (a fenced old primary loses to a newer one). */
    public static Optional<RegionSnapshot> currentPrimary(List<RegionSnapshot> regions) {
        return regions.stream().filter(RegionSnapshot::isPrimaryNow)
                .max(Comparator.comparingLong((RegionSnapshot r) -> r.state().map(MirrorState::getEpoch).orElse(0L))
                        .thenComparing(r -> !r.state().map(MirrorState::getFenced).orElse(false)));
    }

    /** Exit status: 0 when every region has a leader and a primary is known, else 1. */
    public static int print(String volume, List<RegionSnapshot> regions, PrintStream out) {
        Optional<RegionSnapshot> primary = currentPrimary(regions);
        long primaryIndex = primary.map(RegionSnapshot::changelogIndex).orElse(0L);
        out.printf("volume %s, primary %s%n", volume,
                primary.map(p -> p.region().name() + " (epoch " + p.state().map(MirrorState::getEpoch).orElse(0L)
                        + (p.state().map(MirrorState::getFenced).orElse(false) ? ", FENCED" : "") + ")").orElse("UNKNOWN"));
        out.printf("%-18s %-8s %5s %-8s %10s %10s %9s %8s %10s %9s %10s %8s %6s%n", "REGION", "ROLE", "EPOCH", "LEADER",
                "APPLIED", "CHANGELOG", "LAG", "LAG-S", "WATERMARK", "PENDING", "BYTES", "OLDEST", "ERRORS");
        boolean healthy = primary.isPresent();
        for (RegionSnapshot r : regions) {
            healthy &= r.leader().isPresent();
            out.println(line(r, primaryIndex));
        }
        for (RegionSnapshot r : regions) {
            details(r, out);
        }
        return healthy ? 0 : 1;
    }

    private static String line(RegionSnapshot r, long primaryIndex) {
        String leader = r.leader().map(NodeStatusReply::getNodeId).orElse("NONE");
        String applied = r.leader().map(n -> Long.toString(n.getAppliedIndex())).orElse("-");
        MirrorState state = r.state().orElse(MirrorState.getDefaultInstance());
        boolean mirror = !r.isPrimaryNow();
        String lag = mirror ? Long.toString(Math.max(0, primaryIndex - r.changelogIndex())) : "-";
        String lagSeconds = !mirror ? "-" : r.follower().map(f -> seconds(f.getLagMillis())).orElse("?");
        String watermark = mirror ? Long.toString(state.getDataWatermark()) : "-";
        Optional<SyncStatusReply> sync = r.sync();
        String pending = sync.map(s -> Long.toString(s.getBlocksPending())).orElse("-");
        String bytes = sync.map(s -> human(s.getBytesPending())).orElse("-");
        String oldest = sync.map(s -> seconds(s.getOldestPendingAgeMillis())).orElse("-");
        String errors = sync.map(s -> Integer.toString(s.getPoisonCount())).orElse(r.syncError().isEmpty() ? "-" : "?");
        return String.format("%-18s %-8s %5d %-8s %10s %10d %9s %8s %10s %9s %10s %8s %6s", r.region().name(), r.role(),
                state.getEpoch(), leader, applied, r.changelogIndex(), lag, lagSeconds, watermark, pending, bytes, oldest, errors);
    }

    private static void details(RegionSnapshot r, PrintStream out) {
        String name = r.region().name();
        r.unreachable().forEach((id, why) -> out.printf("  %s: node %s unreachable (%s): is `mirrorfs meta start` running there?%n",
                name, id, why));
        if (r.nodes().isEmpty()) {
            return;
        }
        r.follower().filter(f -> !f.getLastError().isEmpty() || !f.getPhase().equals("FOLLOWING"))
                .ifPresent(f -> out.printf("  %s: follower %s%s%s%n", name, f.getPhase(),
                        f.getConnected() ? "" : " (not connected to " + f.getPrimaryRegion() + ")",
                        f.getLastError().isEmpty() ? "" : ": " + f.getLastError()));
        if (!r.syncError().isEmpty()) {
            out.printf("  %s: sync service at %s unreachable (%s): is `mirrorfs sync start` running?%n",
                    name, r.region().sync().map(Object::toString).orElse("?"), r.syncError());
        }
        r.sync().ifPresent(s -> {
            if (!s.getWatermarkHeldBy().isEmpty()) {
                out.printf("  %s: data watermark held by %s%n", name, s.getWatermarkHeldBy());
            }
            for (PoisonBlockStatus p : s.getPoisonList()) {
                out.printf("  %s: poison block %s (primary index %d, %d attempts): %s%n", name, p.getKey(),
                        p.getPrimaryIndex(), p.getAttempts(), p.getLastError());
            }
        });
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        int unit = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
        return String.format("%.1f%siB", bytes / (double) (1L << (unit * 10)), "KMGTPE".charAt(unit - 1));
    }

    static String seconds(long millis) {
        return String.format("%.1fs", millis / 1000.0);
    }
}
