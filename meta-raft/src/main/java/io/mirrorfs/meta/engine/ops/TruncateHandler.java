package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.TruncateOp;

/** truncate: needs write permission, like SetAttr's size. */
public final class TruncateHandler {
    private TruncateHandler() {}

    public static MetaReply.Builder apply(OpContext ctx, TruncateOp op) throws FsException {
        Attr.Builder a = ctx.inode(op.getInode());
        Resize.checkResizable(a, op.getLength());
        Perms.require(a, ctx.caller(), Perms.W);
        Resize.resize(ctx, a, op.getLength());
        return Replies.attr(a);
    }
}
