package io.mirrorfs.client.testing;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.MetadataUnavailableException;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import java.util.concurrent.CompletableFuture;

/**
 * A real metadata client with two faults a test can switch on: {@link #cut()} closes it for good (a
 * mount whose process died: nothing of it reaches the group any more), {@link #dropHeartbeats}
 * fails only HeartbeatOps (a mount cut off from the group for a while, whose file operations happen
 * not to need it), and {@link #dropSessionOpens} fails only OpenSessionOps.
 */
public final class FaultyMetadataClient implements MetadataClient {
    private final MetadataClient delegate;
    private volatile boolean cut;
    private volatile boolean dropHeartbeats;
    private volatile boolean dropSessionOpens;

    public FaultyMetadataClient(MetadataClient delegate) {
        this.delegate = delegate;
    }

    public void cut() {
        cut = true;
        delegate.close();
    }

    public void dropHeartbeats(boolean drop) {
        dropHeartbeats = drop;
    }

    /** Fails OpenSessionOps only: a mirror mount whose primary (where sessions live) is unreachable. */
    public void dropSessionOpens(boolean drop) {
        dropSessionOpens = drop;
    }

    @Override
    public CompletableFuture<MetaReply> mutate(MetaRequest request) {
        if (cut || (dropHeartbeats && request.getOpCase() == MetaRequest.OpCase.HEARTBEAT)
                || (dropSessionOpens && request.getOpCase() == MetaRequest.OpCase.OPEN_SESSION)) {
            return unavailable(request.getOpCase().name());
        }
        return delegate.mutate(request);
    }

    @Override
    public CompletableFuture<MetaReply> query(MetaQuery query) {
        return cut ? unavailable(query.getQueryCase().name()) : delegate.query(query);
    }

    @Override
    public CompletableFuture<MetaReply> queryAtLeast(MetaQuery query, long minIndex) {
        return cut ? unavailable(query.getQueryCase().name()) : delegate.queryAtLeast(query, minIndex);
    }

    private static CompletableFuture<MetaReply> unavailable(String what) {
        return CompletableFuture.failedFuture(new MetadataUnavailableException("test fault: " + what + " dropped", null));
    }

    @Override
    public void close() {
        if (!cut) {
            delegate.close();
        }
    }
}
