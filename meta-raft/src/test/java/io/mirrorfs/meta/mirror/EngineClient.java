package io.mirrorfs.meta.mirror;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.meta.engine.NamespaceEngine;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * A MetadataClient straight over one engine, without Ratis: numbers entries itself, stamps a fake
 * clock (+1 µs per entry) and calls {@code onApplied} after each entry (the changelog's wake-up).
 * Stands in for a primary group in the mirror tests, and lets TreeDigest read an engine.
 */
final class EngineClient implements MetadataClient {
    private final NamespaceEngine engine;
    private final LongConsumer onApplied;
    private long index;
    private long timeNs = 1_000_000_000L;
    private long lastChangedIndex;

    EngineClient(NamespaceEngine engine, LongConsumer onApplied) {
        this.engine = engine;
        this.onApplied = onApplied;
        this.index = engine.appliedIndex();
    }

    @Override
    public synchronized CompletableFuture<MetaReply> mutate(MetaRequest request) {
        try {
            timeNs += 1000;
            MetaReply reply = engine.apply(++index, NamespaceEngine.prepare(request, timeNs));
            if (reply.getErrno() == 0) {
                lastChangedIndex = index; // a successful entry changed the state, so it is in the changelog
            }
            onApplied.accept(index);
            return CompletableFuture.completedFuture(reply);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The index of the newest entry that changed the state: the changelog's last entry. */
    synchronized long lastChangedIndex() {
        return lastChangedIndex;
    }

    synchronized long index() {
        return index;
    }

    @Override
    public CompletableFuture<MetaReply> query(MetaQuery query) {
        return CompletableFuture.completedFuture(engine.query(query));
    }

    @Override
    public CompletableFuture<MetaReply> queryAtLeast(MetaQuery query, long minIndex) {
        return query(query);
    }

    @Override
    public void close() {
        // The engine belongs to the test.
    }
}
