package io.mirrorfs.api.client;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.IdRange;
import io.mirrorfs.api.proto.MetaReply;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Hands out inode ids from ranges reserved with one AllocateIdsOp each (DESIGN §3: one log entry per
 * batch, not per file). Thread-safe; a thread that finds the range empty refills it while holding the
 * lock, so concurrent callers never reserve two ranges at once. Ids of a range lost with the process
 * are simply never used.
 */
public final class InodeAllocator {
    private static final long REFILL_TIMEOUT_SECONDS = 60;

    private final MetadataClient client;
    private final RequestIds requestIds;
    private final int batchSize;
    private long next;
    private long end; // exclusive

    public InodeAllocator(MetadataClient client, RequestIds requestIds, int batchSize) {
        if (batchSize < 1 || batchSize > FsLimits.ID_BATCH_MAX) {
            throw new IllegalArgumentException("batch size must be 1.." + FsLimits.ID_BATCH_MAX + ": " + batchSize);
        }
        this.client = client;
        this.requestIds = requestIds;
        this.batchSize = batchSize;
    }

    public synchronized long next() throws InterruptedException, ExecutionException, TimeoutException {
        if (next == end) {
            MetaReply reply = client.mutate(MetaOps.allocateInodes(requestIds.next(), batchSize))
                    .get(REFILL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (reply.getErrno() != 0) {
                throw new IllegalStateException("AllocateIds failed: " + Errno.of(reply.getErrno()));
            }
            IdRange ids = reply.getIds();
            assert ids.getCount() > 0 && ids.getFirst() > FsLimits.ROOT_INODE : "bad id range " + ids;
            next = ids.getFirst();
            end = ids.getFirst() + ids.getCount();
        }
        return next++;
    }
}
