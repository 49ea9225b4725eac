package io.mirrorfs.chaos.workload;

import com.google.protobuf.InvalidProtocolBufferException;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * A deliberately BROKEN client, for showing that the checker catches a non-linearizable system: reads
 * are answered by one chosen replica from whatever it has applied (Ratis stale read with minIndex 0 —
 * no read-index, no lease), writes go through the real client. Never use it for anything else.
 */
public final class FollowerStaleReadClient implements MetadataClient {
    private final MetadataClient writes;
    private final RaftClient raft;
    private final RaftPeerId replica;

    public FollowerStaleReadClient(MetadataClient writes, MetaGroup group, String replicaId) {
        this.writes = writes;
        this.replica = RaftPeerId.valueOf(group.peer(replicaId).id());
        // Properties must be set for the builder to create its RPC client (gRPC by default).
        this.raft = RaftClient.newBuilder().setProperties(new RaftProperties()).setRaftGroup(group.raftGroup())
                .setRetryPolicy(RetryPolicies.noRetry()).build();
    }

    @Override
    public CompletableFuture<MetaReply> mutate(MetaRequest request) {
        return writes.mutate(request);
    }

    @Override
    public CompletableFuture<MetaReply> query(MetaQuery query) {
        return queryAtLeast(query, 0);
    }

    @Override
    public CompletableFuture<MetaReply> queryAtLeast(MetaQuery query, long minIndex) {
        Message m = Message.valueOf(UnsafeByteOperations.unsafeWrap(query.toByteArray()));
        return raft.async().sendStaleRead(m, minIndex, replica).thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw new IllegalStateException("stale read refused by " + replica, reply.getException());
            }
            try {
                return MetaReply.parseFrom(reply.getMessage().getContent().toByteArray());
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("unparsable reply from " + replica, e);
            }
        });
    }

    @Override
    public void close() {
        try {
            raft.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
