package io.mirrorfs.api.client;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.mirrorfs.api.net.ChannelSecurity;
import io.mirrorfs.api.proto.MetadataAdminGrpc;
import io.mirrorfs.api.proto.NodeStatusReply;
import io.mirrorfs.api.proto.NodeStatusRequest;
import io.mirrorfs.api.proto.TakeSnapshotReply;
import io.mirrorfs.api.proto.TakeSnapshotRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A client of one node's {@code MetadataAdmin} gRPC service (on the node's Raft port + 1). */
public final class MetadataAdminClient implements AutoCloseable {
    private final MetaPeer peer;
    private final ManagedChannel channel;
    private final Duration timeout;

    /** Secured as {@link ChannelSecurity#processDefault()} (plaintext unless the CLI set TLS). */
    public MetadataAdminClient(MetaPeer peer, Duration timeout) {
        this(peer, timeout, ChannelSecurity.processDefault());
    }

    public MetadataAdminClient(MetaPeer peer, Duration timeout, ChannelSecurity security) {
        this.peer = peer;
        this.timeout = timeout;
        this.channel = security.channelBuilder(peer.host(), peer.adminPort()).build();
    }

    public MetaPeer peer() {
        return peer;
    }

    /** The node's own view of itself (and, on the leader, of its followers). */
    public NodeStatusReply nodeStatus() throws StatusRuntimeException {
        return stub().nodeStatus(NodeStatusRequest.getDefaultInstance());
    }

    /** Status plus a digest of the node's whole applied state (reads all of it: not for hot paths). */
    public NodeStatusReply nodeStatusWithDigest() throws StatusRuntimeException {
        return stub().nodeStatus(NodeStatusRequest.newBuilder().setWithDigest(true).build());
    }

    /** Makes the node take a snapshot now; returns the snapshot's log index. */
    public long takeSnapshot() throws StatusRuntimeException {
        TakeSnapshotReply reply = stub().takeSnapshot(TakeSnapshotRequest.getDefaultInstance());
        return reply.getSnapshotIndex();
    }

    private MetadataAdminGrpc.MetadataAdminBlockingStub stub() {
        return MetadataAdminGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            // Bounded: a channel that does not terminate in time is left to the JVM.
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
