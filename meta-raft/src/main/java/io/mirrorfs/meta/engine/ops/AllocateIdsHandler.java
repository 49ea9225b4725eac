package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.AllocateIdsOp;
import io.mirrorfs.api.proto.IdRange;
import io.mirrorfs.api.proto.MetaReply;

/** Hands a client a batch of inode or slice ids: one log entry per batch, not per file (DESIGN §3). */
public final class AllocateIdsHandler {
    private AllocateIdsHandler() {}

    public static MetaReply.Builder apply(OpContext ctx, AllocateIdsOp op) throws FsException {
        String counter = switch (op.getKind()) {
            case INODE -> Counters.NEXT_INODE;
            case SLICE -> Counters.NEXT_SLICE;
            default -> throw new FsException(Errno.EINVAL);
        };
        FsException.check(op.getCount() > 0 && op.getCount() <= FsLimits.ID_BATCH_MAX, Errno.EINVAL);
        long first = ctx.counter(counter);
        assert first > 0 : "format initialises the id counters";
        ctx.setCounter(counter, first + op.getCount());
        return MetaReply.newBuilder().setIds(IdRange.newBuilder().setFirst(first).setCount(op.getCount()));
    }
}
