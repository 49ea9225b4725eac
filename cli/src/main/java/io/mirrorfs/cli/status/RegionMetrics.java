package io.mirrorfs.cli.status;

import static io.mirrorfs.api.metrics.PrometheusText.Type.COUNTER;
import static io.mirrorfs.api.metrics.PrometheusText.Type.GAUGE;

import io.mirrorfs.api.metrics.PrometheusText;
import io.mirrorfs.api.proto.MirrorFollowerState;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.NodeStatusReply;
import io.mirrorfs.api.proto.SyncStatusReply;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The figures of {@link RegionTable} in the Prometheus text format (version 0.0.4), one sample per
 * region (and per node for Raft state), so a deployment's lag can be graphed and alerted on.
 */
public final class RegionMetrics {
    private RegionMetrics() {}

    public static String render(String volume, List<RegionSnapshot> regions) {
        PrometheusText m = new PrometheusText();
        Optional<RegionSnapshot> primary = RegionTable.currentPrimary(regions);
        long primaryIndex = primary.map(RegionSnapshot::changelogIndex).orElse(0L);
        m.family("mirrorfs_region_leader_known", GAUGE, "1 when the region's metadata group has a leader");
        m.family("mirrorfs_region_primary", GAUGE, "1 for the region that is primary now (role PRIMARY, highest epoch)");
        m.family("mirrorfs_region_epoch", GAUGE, "the region's epoch (raised by every promotion)");
        m.family("mirrorfs_region_changelog_index", GAUGE, "primary: newest changelog index; mirror: primary index applied");
        m.family("mirrorfs_node_applied_index", GAUGE, "a metadata node's applied Raft index");
        m.family("mirrorfs_mirror_lag_entries", GAUGE, "changelog entries the mirror has not applied yet");
        m.family("mirrorfs_mirror_lag_seconds", GAUGE, "age of the oldest primary entry the mirror has not applied");
        m.family("mirrorfs_mirror_data_watermark", GAUGE, "highest primary index whose blocks are all in the mirror's store");
        m.family("mirrorfs_mirror_data_lag_entries", GAUGE, "primary changelog index minus the data watermark");
        m.family("mirrorfs_sync_blocks_pending", GAUGE, "blocks the sync service still has to copy");
        m.family("mirrorfs_sync_bytes_pending", GAUGE, "bytes the sync service still has to copy");
        m.family("mirrorfs_sync_oldest_pending_seconds", GAUGE, "age of the oldest block waiting to be copied");
        m.family("mirrorfs_sync_poison_blocks", GAUGE, "blocks that keep failing and are retried apart");
        m.family("mirrorfs_sync_blocks_copied_total", COUNTER, "blocks copied since the sync service started");
        m.family("mirrorfs_sync_bytes_copied_total", COUNTER, "bytes copied since the sync service started");
        for (RegionSnapshot r : regions) {
            Map<String, String> region = new LinkedHashMap<>();
            region.put("region", r.region().name());
            region.put("volume", volume);
            MirrorState state = r.state().orElse(MirrorState.getDefaultInstance());
            m.sample("mirrorfs_region_leader_known", region, r.leader().isPresent() ? 1 : 0);
            m.sample("mirrorfs_region_primary", region, primary.filter(p -> p == r).isPresent() ? 1 : 0);
            m.sample("mirrorfs_region_epoch", region, state.getEpoch());
            m.sample("mirrorfs_region_changelog_index", region, r.changelogIndex());
            for (NodeStatusReply node : r.nodes().values()) {
                Map<String, String> labels = new LinkedHashMap<>(region);
                labels.put("node", node.getNodeId());
                labels.put("raft_role", node.getRole());
                m.sample("mirrorfs_node_applied_index", labels, node.getAppliedIndex());
            }
            if (r.isPrimaryNow()) {
                continue;
            }
            m.sample("mirrorfs_mirror_lag_entries", region, Math.max(0, primaryIndex - r.changelogIndex()));
            r.follower().map(MirrorFollowerState::getLagMillis)
                    .ifPresent(ms -> m.sample("mirrorfs_mirror_lag_seconds", region, ms / 1000.0));
            m.sample("mirrorfs_mirror_data_watermark", region, state.getDataWatermark());
            m.sample("mirrorfs_mirror_data_lag_entries", region, Math.max(0, primaryIndex - state.getDataWatermark()));
            if (r.sync().isPresent()) {
                SyncStatusReply s = r.sync().get();
                m.sample("mirrorfs_sync_blocks_pending", region, s.getBlocksPending());
                m.sample("mirrorfs_sync_bytes_pending", region, s.getBytesPending());
                m.sample("mirrorfs_sync_oldest_pending_seconds", region, s.getOldestPendingAgeMillis() / 1000.0);
                m.sample("mirrorfs_sync_poison_blocks", region, s.getPoisonCount());
                m.sample("mirrorfs_sync_blocks_copied_total", region, s.getBlocksCopied());
                m.sample("mirrorfs_sync_bytes_copied_total", region, s.getBytesCopied());
            }
        }
        return m.render();
    }
}
