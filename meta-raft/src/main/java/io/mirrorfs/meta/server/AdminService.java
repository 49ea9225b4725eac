package io.mirrorfs.meta.server;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.mirrorfs.api.proto.MetadataAdminGrpc;
import io.mirrorfs.api.proto.MirrorFollowerState;
import io.mirrorfs.meta.mirror.MirrorFollowerStatus;
import io.mirrorfs.api.proto.NodeStatusReply;
import io.mirrorfs.api.proto.NodeStatusRequest;
import io.mirrorfs.api.proto.PeerStatus;
import io.mirrorfs.api.proto.TakeSnapshotReply;
import io.mirrorfs.api.proto.TakeSnapshotRequest;
import io.mirrorfs.api.proto.VolumeInfo;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The node's {@code MetadataAdmin} gRPC service: status for operators and tests, forced snapshots. */
final class AdminService extends MetadataAdminGrpc.MetadataAdminImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);
    private static final long SNAPSHOT_TIMEOUT_MILLIS = 60_000;

    private final MetaServer node;
    private final ClientId adminClientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();

    AdminService(MetaServer node) {
        this.node = node;
    }

    @Override
    public void nodeStatus(NodeStatusRequest request, StreamObserver<NodeStatusReply> response) {
        try {
            NodeStatusReply status = status();
            if (request.getWithDigest()) {
                status = status.toBuilder().setStateDigest(com.google.protobuf.ByteString.copyFrom(node.digest())).build();
            }
            response.onNext(status);
            response.onCompleted();
        } catch (IOException | RuntimeException e) {
            LOG.warn("NodeStatus failed", e);
            response.onError(Status.UNAVAILABLE.withDescription(e.toString()).withCause(e).asRuntimeException());
        }
    }

    NodeStatusReply status() throws IOException {
        RaftServer.Division division = node.division();
        DivisionInfo info = division.getInfo();
        NodeStatusReply.Builder reply = NodeStatusReply.newBuilder()
                .setGroupId(division.getGroup().getGroupId().getUuid().toString())
                .setNodeId(division.getId().toString())
                .setLeaderId(info.getLeaderId() == null ? "" : info.getLeaderId().toString())
                .setRole(info.getCurrentRole().name())
                .setTerm(info.getCurrentTerm())
                .setAppliedIndex(info.getLastAppliedIndex())
                .setCommitIndex(division.getRaftLog().getLastCommittedIndex())
                .setLogStartIndex(Math.max(0, division.getRaftLog().getStartIndex()))
                .setSnapshotsInstalled(node.stateMachine().snapshotsInstalled());
        var snapshot = division.getStateMachine().getLatestSnapshot();
        reply.setSnapshotIndex(snapshot == null ? 0 : snapshot.getIndex());
        VolumeInfo volume = node.stateMachine().volumeInfo();
        if (volume != null) {
            reply.setVolume(volume.getVolume());
        }
        if (info.getCurrentRole() == RaftPeerRole.LEADER) {
            addFollowers(division, info, reply);
        }
        reply.setRegionState(node.regionState());
        MirrorSupervisor.SessionStatus mirror = node.mirrorFollower();
        if (mirror != null) {
            MirrorFollowerStatus f = mirror.follower();
            reply.setFollower(MirrorFollowerState.newBuilder()
                    .setPhase(f.phase().name())
                    .setConnected(f.connected())
                    .setPrimaryIndex(f.primaryIndexFollowed())
                    .setPrimaryLastIndex(f.primaryLastIndex())
                    .setLagEntries(f.lagIndexes())
                    .setLagMillis(f.lagMillis())
                    .setLastError(f.lastError() == null ? "" : f.lastError())
                    .setPrimaryRegion(mirror.primaryRegion()));
        }
        return reply.build();
    }

    /**
     * The leader's view of its followers. Ratis lists the follower infos and the match indices in the
     * same order (both walk the leader's log appenders); if the lengths disagree (a configuration
     * change in between) the match index is left out rather than attributed to the wrong peer.
     */
    private static void addFollowers(RaftServer.Division division, DivisionInfo info, NodeStatusReply.Builder reply) {
        List<ServerRpcProto> followers = info.getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
        long[] match = info.getFollowerMatchIndices();
        for (int i = 0; i < followers.size(); i++) {
            ServerRpcProto f = followers.get(i);
            String id = f.getId().getId().toStringUtf8();
            RaftPeer peer = division.getGroup().getPeer(org.apache.ratis.protocol.RaftPeerId.valueOf(id));
            PeerStatus.Builder ps = PeerStatus.newBuilder()
                    .setId(id)
                    .setAddress(peer == null ? "" : peer.getAddress())
                    .setRole(RaftPeerRole.FOLLOWER.name())
                    .setTerm(info.getCurrentTerm())
                    .setReachable(true);
            if (match.length == followers.size()) {
                ps.setMatchIndex(match[i]);
            }
            reply.addFollowers(ps);
        }
    }

    @Override
    public void takeSnapshot(TakeSnapshotRequest request, StreamObserver<TakeSnapshotReply> response) {
        try {
            RaftServer.Division division = node.division();
            // Through Ratis, so the snapshot is taken on the state machine's own thread; gap 1 makes
            // it happen even shortly after an automatic one.
            SnapshotManagementRequest create = SnapshotManagementRequest.newCreate(adminClientId,
                    division.getId(), division.getGroup().getGroupId(), callIds.incrementAndGet(),
                    SNAPSHOT_TIMEOUT_MILLIS, 1);
            RaftClientReply reply = node.raftServer().snapshotManagement(create);
            if (!reply.isSuccess()) {
                throw new IOException("snapshot failed", reply.getException());
            }
            response.onNext(TakeSnapshotReply.newBuilder().setSnapshotIndex(reply.getLogIndex()).build());
            response.onCompleted();
        } catch (IOException | RuntimeException e) {
            LOG.warn("TakeSnapshot failed", e);
            response.onError(Status.INTERNAL.withDescription(e.toString()).withCause(e).asRuntimeException());
        }
    }
}
