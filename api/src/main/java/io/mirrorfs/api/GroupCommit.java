package io.mirrorfs.api;

import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MetaRequest.OpCase;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which mutations may share one log entry (proto MutationBatch): the ordinary namespace and session
 * mutations. Format, trims, region, mirrored and bootstrap ops change the group's own rows or carry
 * another log's entries; they are rare and stay entries of their own so the engine handles them apart.
 * The client batches only these, and the engine refuses any other member (EINVAL) on its own.
 */
public final class GroupCommit {
    private GroupCommit() {}

    private static final Set<OpCase> MEMBER_OPS = EnumSet.of(OpCase.CREATE, OpCase.UNLINK, OpCase.RMDIR, OpCase.RENAME,
            OpCase.LINK, OpCase.SETATTR, OpCase.COMMIT_SLICE, OpCase.TRUNCATE, OpCase.FALLOCATE, OpCase.SETXATTR,
            OpCase.REMOVEXATTR, OpCase.ALLOCATE_IDS, OpCase.OPEN_SESSION, OpCase.CLOSE_SESSION, OpCase.HEARTBEAT,
            OpCase.LOCK);

    /** True for an op that may be a MutationBatch member. */
    public static boolean mayBatch(OpCase op) {
        return MEMBER_OPS.contains(op);
    }

    /** A valid member: an op that may be batched, with a request id (each member is deduplicated on its own). */
    public static boolean validMember(MetaRequest request) {
        return mayBatch(request.getOpCase()) && request.hasRequestId() && request.getRequestId().getClientId() != 0;
    }
}
