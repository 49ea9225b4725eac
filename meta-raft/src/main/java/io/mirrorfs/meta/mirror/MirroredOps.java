package io.mirrorfs.meta.mirror;

import io.mirrorfs.api.proto.ChangelogEntry;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorStateQuery;
import io.mirrorfs.api.proto.MirroredOp;
import io.mirrorfs.api.proto.RequestId;

/** The requests a mirror follower sends to its own group. */
public final class MirroredOps {
    /**
     * The client id of every MirroredOp ("mirror" in ASCII). With seq = primary index the request id
     * of a primary entry is the same whichever follower (or leader) proposes it, so a re-proposal after
     * a leader change names the same entry.
     */
    public static final long MIRROR_CLIENT_ID = 0x6d6972726f72L;

    private MirroredOps() {}

    /** The MirroredOp for {@code entry}, continuing the chain after {@code previousPrimaryIndex} (the engine refuses a broken chain). */
    public static MetaRequest mirrored(long previousPrimaryIndex, ChangelogEntry entry) {
        return MetaRequest.newBuilder()
                .setRequestId(RequestId.newBuilder().setClientId(MIRROR_CLIENT_ID).setSeq(entry.getIndex()))
                .setMirrored(MirroredOp.newBuilder()
                        .setPrimaryIndex(entry.getIndex())
                        .setPreviousPrimaryIndex(previousPrimaryIndex)
                        .setEntry(entry.getEntry()))
                .build();
    }

    public static MetaQuery mirrorState() {
        return MetaQuery.newBuilder().setMirrorState(MirrorStateQuery.getDefaultInstance()).build();
    }
}
