package io.mirrorfs.api;

import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import java.util.concurrent.CompletableFuture;

/**
 * How every client (VFS, CLI, benchmark, tests) talks to a metadata group. Implementations find the
 * leader themselves and retry through leader changes; a mutation is acknowledged only after a quorum
 * has it on disk. Errors of the namespace come back as {@link MetaReply#getErrno()}; a failure to
 * reach the group at all is an exceptionally completed future ({@link MetadataUnavailableException}).
 */
public interface MetadataClient extends AutoCloseable {

    /** Proposes a mutation. The request id must be set; retries reuse it. */
    CompletableFuture<MetaReply> mutate(MetaRequest request);

    /** A linearizable read. */
    CompletableFuture<MetaReply> query(MetaQuery query);

    /** A read from any replica that has applied at least {@code minIndex} (may be stale beyond that). */
    CompletableFuture<MetaReply> queryAtLeast(MetaQuery query, long minIndex);

    @Override
    void close();
}
