package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.FileType;

/** Truncation shared by TruncateOp and SetAttrOp's size. */
final class Resize {
    private Resize() {}

    static void checkResizable(Attr.Builder a, long length) throws FsException {
        FsException.check(a.getType() != FileType.DIRECTORY, Errno.EISDIR);
        FsException.check(a.getType() == FileType.REGULAR, Errno.EINVAL);
        FsException.check(length >= 0 && length <= FsLimits.FILE_SIZE_BYTES_MAX, Errno.EFBIG);
    }

    /** Down drops the data past {@code length}; up only moves the size (the gap reads as zeros). */
    static void resize(OpContext ctx, Attr.Builder a, long length) {
        if (length < a.getSize()) {
            ctx.dropChunksFrom(a.getInode(), length);
        }
        ctx.addCounter(Counters.USED_BYTES, length - a.getSize());
        a.setSize(length).setMtimeNs(ctx.now()).setCtimeNs(ctx.now());
        ctx.changed(a);
    }
}
