package io.mirrorfs.client.meta;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.AllocateIdsOp;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.IdKind;
import io.mirrorfs.api.proto.IdRange;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.client.FsException;

/**
 * Hands out inode or slice ids from ranges reserved with one AllocateIdsOp each (DESIGN §3: one log
 * entry per batch, not per file). Ids left in a batch when the mount ends are simply never used.
 */
public final class IdAllocator {
    private final MetaGateway gateway;
    private final IdKind kind;
    private final int batchSize;
    private long next;
    private long remaining;

    public IdAllocator(MetaGateway gateway, IdKind kind, int batchSize) {
        if (batchSize <= 0 || batchSize > FsLimits.ID_BATCH_MAX) {
            throw new IllegalArgumentException("id batch size out of range: " + batchSize);
        }
        this.gateway = gateway;
        this.kind = kind;
        this.batchSize = batchSize;
    }

    public synchronized long next() throws FsException {
        if (remaining == 0) {
            IdRange range = gateway.mutate(Caller.getDefaultInstance(), MetaRequest.newBuilder()
                    .setAllocateIds(AllocateIdsOp.newBuilder().setKind(kind).setCount(batchSize))).getIds();
            if (range.getCount() == 0 || range.getFirst() == 0) {
                throw new IllegalStateException("metadata returned an empty " + kind + " id range: " + range);
            }
            next = range.getFirst();
            remaining = range.getCount();
        }
        remaining--;
        return next++;
    }
}
