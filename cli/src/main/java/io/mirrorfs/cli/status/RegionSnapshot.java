package io.mirrorfs.cli.status;

import io.mirrorfs.api.proto.MirrorFollowerState;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.NodeStatusReply;
import io.mirrorfs.api.proto.SyncStatusReply;
import io.mirrorfs.api.topology.Region;
import java.util.Map;
import java.util.Optional;

/**
 * What one probe of a region found: every reachable node's status, the leader's view of the region
 * (role, epoch, indexes, watermark) and, for mirrors, the sync service's status.
 *
 * @param nodes        reachable nodes by id
 * @param unreachable  nodes that did not answer, with why
 * @param sync         the sync service's status, when the region has one and it answered
 * @param syncError    why the sync service did not answer (empty when it did or there is none)
 */
public record RegionSnapshot(Region region, Map<String, NodeStatusReply> nodes, Map<String, String> unreachable,
                             Optional<SyncStatusReply> sync, String syncError) {

    public Optional<NodeStatusReply> leader() {
        return nodes.values().stream().filter(n -> n.getRole().equals("LEADER")).findFirst();
    }

    /** The region's state as its leader reports it (or any node's, without a leader). */
    public Optional<MirrorState> state() {
        return leader().or(() -> nodes.values().stream().findFirst()).map(NodeStatusReply::getRegionState);
    }

    public Optional<MirrorFollowerState> follower() {
        return leader().filter(NodeStatusReply::hasFollower).map(NodeStatusReply::getFollower);
    }

    /** The role the metadata records (after a failover it differs from the topology's initial role). */
    public String role() {
        return state().map(MirrorState::getRole).filter(r -> !r.isEmpty()).orElse("UNKNOWN");
    }

    public boolean isPrimaryNow() {
        return role().equals("PRIMARY");
    }

    /** The newest changelog index this region holds (primary: its last entry; mirror: primary index applied). */
    public long changelogIndex() {
        return state().map(s -> s.getRole().equals("PRIMARY") ? s.getChangelogLastIndex() : s.getPrimaryIndex()).orElse(0L);
    }
}
