package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.CommitSliceOp;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.SliceRef;
import java.util.ArrayList;
import java.util.List;

/**
 * Commits a written slice into a chunk: appends its ref (it shadows what lies beneath) and grows the
 * file. No permission check: the client checked write access at open, as a kernel does for an fd.
 */
public final class CommitSliceHandler {
    /** A chunk's ref list longer than this is rewritten as its visible runs at apply (deterministic). */
    public static final int CHUNK_REFS_MAX = 256;

    private CommitSliceHandler() {}

    public static MetaReply.Builder apply(OpContext ctx, CommitSliceOp op) throws FsException {
        Attr.Builder a = ctx.inode(op.getInode());
        FsException.check(a.getType() != FileType.DIRECTORY, Errno.EISDIR);
        FsException.check(a.getType() == FileType.REGULAR, Errno.EINVAL);
        SliceRef s = op.getSlice();
        FsException.check(s.getSliceId() > 0 && s.getSliceId() < ctx.counter(Counters.NEXT_SLICE), Errno.EINVAL);
        FsException.check(s.getLength() > 0, Errno.EINVAL);
        FsException.check((long) s.getOffsetInSlice() + s.getLength() <= Integer.toUnsignedLong(s.getSliceSize()),
                Errno.EINVAL);
        long endInChunk = Integer.toUnsignedLong(s.getPositionInChunk()) + Integer.toUnsignedLong(s.getLength());
        FsException.check(endInChunk <= FsLimits.CHUNK_SIZE_BYTES, Errno.EINVAL);
        long end = Integer.toUnsignedLong(op.getChunkIndex()) * FsLimits.CHUNK_SIZE_BYTES + endInChunk;
        FsException.check(end <= FsLimits.FILE_SIZE_BYTES_MAX, Errno.EFBIG);

        List<SliceRef> before = ctx.chunk(a.getInode(), op.getChunkIndex());
        List<SliceRef> after = new ArrayList<>(before);
        after.add(s);
        if (after.size() > CHUNK_REFS_MAX) {
            after = ChunkLists.resolve(after, false);
        }
        ctx.putChunk(a.getInode(), op.getChunkIndex(), before, after);
        if (end > a.getSize()) {
            ctx.addCounter(Counters.USED_BYTES, end - a.getSize());
            a.setSize(end);
        }
        a.setMtimeNs(ctx.now()).setCtimeNs(ctx.now());
        ctx.changed(a);
        return Replies.attr(a);
    }
}
