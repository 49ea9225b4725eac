package io.mirrorfs.cli.failover;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a promotion did not receive (DESIGN §5). {@code exact} when the old primary answered and its
 * changelog was read; otherwise the primary's last index is what the mirror's follower last heard,
 * and {@code entries} is an upper bound (primary indexes are not contiguous: Raft entries without a
 * namespace change are not in the changelog). The exact list then comes from the old primary's
 * recovery report when it rejoins.
 *
 * @param appliedIndex the primary index the promoted mirror had applied (the promotion point)
 * @param primaryLastIndex the primary's last changelog index, as far as known
 * @param dataWatermark the mirror's data watermark: blocks of entries above it may be missing
 * @param lost the entries not received, when known (exact)
 */
public record Rpo(long appliedIndex, long primaryLastIndex, String source, boolean exact, long entries,
                  long dataWatermark, List<EntrySummary> lost) {

    public Rpo {
        lost = List.copyOf(lost);
    }

    /** Client entries among {@code lost} (failover ops such as a fence are bookkeeping, not data). */
    public static long clientEntries(List<EntrySummary> entries) {
        return entries.stream().filter(EntrySummary::isClientOp).count();
    }

    /** Primary indexes applied but whose blocks may not all be in the mirror's store. */
    public long indexesAboveDataWatermark() {
        return Math.max(0, appliedIndex - dataWatermark);
    }

    public long blocksNotReceived() {
        return lost.stream().mapToLong(e -> e.blocks() - e.blocksInStore()).sum();
    }

    public Set<String> paths() {
        Set<String> out = new TreeSet<>();
        lost.stream().filter(EntrySummary::touchesPath).forEach(e -> out.add(e.path()));
        return out;
    }

    public Json.Object toJson() {
        Json.Array entriesJson = new Json.Array();
        lost.forEach(e -> entriesJson.add(e.toJson()));
        return new Json.Object().put("appliedIndex", appliedIndex).put("primaryLastIndex", primaryLastIndex)
                .put("source", source).put("exact", exact).put("rpoEntries", entries)
                .put("rpoBlocks", exact ? blocksNotReceived() : null)
                .put("dataWatermark", dataWatermark).put("indexesAboveDataWatermark", indexesAboveDataWatermark())
                .put("paths", Json.Array.ofStrings(paths())).put("entries", entriesJson);
    }

    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("RPO: %s%d entries not received (promoted at primary index %d; primary's last index %d, %s)%n",
                exact ? "" : "estimated ", entries, appliedIndex, primaryLastIndex, source));
        if (!exact) {
            out.append("     estimate only: the mirror cannot know what the primary wrote after it last heard from it"
                    + " (nothing, if its follower restarted); the old primary's recovery report gives the exact loss\n");
        }
        if (exact) {
            out.append(String.format("     %d blocks not received%n", blocksNotReceived()));
        }
        out.append(String.format("     data watermark %d: %d indexes above it may have blocks missing here%n",
                dataWatermark, indexesAboveDataWatermark()));
        if (!paths().isEmpty()) {
            out.append("     paths touched by the lost entries:\n");
            paths().forEach(p -> out.append("       ").append(p).append('\n'));
        } else if (!exact && entries > 0) {
            out.append("     paths: unknown while the old primary is down; its recovery report lists them when it rejoins\n");
        }
        return out.toString();
    }
}
