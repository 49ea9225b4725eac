package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.GroupCommit;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MutationBatch;
import io.mirrorfs.meta.engine.store.Row;
import io.mirrorfs.meta.engine.store.StateReader;
import io.mirrorfs.meta.engine.store.Tx;
import java.util.List;

/**
 * Group commit (proto MutationBatch): the members of one log entry applied in order at its index,
 * each exactly as {@link Applier} applies a lone entry — its own dedup lookup, time stamp, errno and
 * dedup row — over the rows of the members before it. A refused member leaves no rows, so the batch's
 * rows are what the successful members would have written as consecutive entries.
 */
final class BatchApplier {
    private BatchApplier() {}

    static OpResult apply(StateReader state, long index, long changelogIndex, LogEntry entry) {
        MutationBatch batch = entry.getRequest().getBatch();
        int size = batch.getRequestsCount();
        if (size == 0 || size > FsLimits.MUTATION_BATCH_MAX) {
            return new OpResult(List.of(), Replies.error(Errno.EINVAL).setIndex(index).build());
        }
        Tx applied = new Tx(state);
        MetaReply.Builder reply = MetaReply.newBuilder().setIndex(index).setChangelogIndex(changelogIndex);
        for (MetaRequest member : batch.getRequestsList()) {
            if (!GroupCommit.validMember(member)) {
                reply.addBatch(Replies.error(Errno.EINVAL).setIndex(index).setChangelogIndex(changelogIndex));
                continue;
            }
            OpResult result = Applier.apply(applied, index, changelogIndex, entry.toBuilder().setRequest(member).build());
            for (Row row : result.rows()) {
                applied.write(row);
            }
            MetaReply memberReply = result.reply();
            reply.addBatch(memberReply.getErrno() == 0 ? memberReply
                    : memberReply.toBuilder().setChangelogIndex(changelogIndex).build());
        }
        return new OpResult(applied.rows(), reply.build());
    }
}
