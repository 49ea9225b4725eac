package io.mirrorfs.client.testing;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.meta.engine.NamespaceEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * The real namespace state machine in-process, without Raft: prepare + apply under one lock with an
 * increasing index. For VFS and mount tests that need real metadata semantics but not a Raft group.
 */
public final class EngineMetadata implements MetadataClient {
    private final NamespaceEngine engine;
    private long index;

    private EngineMetadata(NamespaceEngine engine) {
        this.engine = engine;
        this.index = engine.appliedIndex();
    }

    /** Opens the engine at dir, formatting a fresh volume if it has none. */
    public static EngineMetadata open(Path dir, String volume, int blockSizeBytes) throws IOException {
        EngineMetadata m = new EngineMetadata(NamespaceEngine.open(dir));
        if (m.engine.volumeInfo() == null || m.engine.volumeInfo().getVolume().isEmpty()) {
            MetaReply r = m.mutate(MetaRequest.newBuilder()
                    .setRequestId(RequestId.newBuilder().setClientId(424242).setSeq(1))
                    .setFormat(FormatOp.newBuilder().setVolume(volume).setBlockSizeBytes(blockSizeBytes)
                            .setStoreUri("mem://test")).build()).join();
            if (r.getErrno() != 0) {
                throw new IOException("format failed: errno " + r.getErrno());
            }
        }
        return m;
    }

    @Override
    public synchronized CompletableFuture<MetaReply> mutate(MetaRequest request) {
        try {
            return CompletableFuture.completedFuture(engine.apply(++index, NamespaceEngine.prepare(request, System.currentTimeMillis() * 1_000_000L)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        engine.close();
    }
}
