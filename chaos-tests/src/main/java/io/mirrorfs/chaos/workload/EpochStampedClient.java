package io.mirrorfs.chaos.workload;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import java.util.concurrent.CompletableFuture;

/**
 * Stamps every mutation with the epoch of the primary it is meant for (MetaRequest.epoch), so a group
 * of another epoch refuses it with ESTALE instead of applying it. Does not own the client it wraps.
 */
final class EpochStampedClient implements MetadataClient {
    private final MetadataClient delegate;
    private final long epoch;

    EpochStampedClient(MetadataClient delegate, long epoch) {
        this.delegate = delegate;
        this.epoch = epoch;
    }

    @Override
    public CompletableFuture<MetaReply> mutate(MetaRequest request) {
        return delegate.mutate(request.toBuilder().setEpoch(epoch).build());
    }

    @Override
    public CompletableFuture<MetaReply> query(MetaQuery query) {
        return delegate.query(query);
    }

    @Override
    public CompletableFuture<MetaReply> queryAtLeast(MetaQuery query, long minIndex) {
        return delegate.queryAtLeast(query, minIndex);
    }

    @Override
    public void close() {
        // the wrapped client belongs to whoever opened it
    }
}
