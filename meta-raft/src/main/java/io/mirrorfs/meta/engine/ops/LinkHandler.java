package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.LinkOp;
import io.mirrorfs.api.proto.MetaReply;

/** link: a new name for an existing non-directory inode. */
public final class LinkHandler {
    /** Links per inode, as ext4 bounds them. */
    public static final int LINKS_MAX = 65_000;

    private LinkHandler() {}

    public static MetaReply.Builder apply(OpContext ctx, LinkOp op) throws FsException {
        Attr.Builder a = ctx.inode(op.getInode());
        Attr.Builder parent = ctx.directory(op.getNewParent());
        byte[] name = op.getNewName().toByteArray();
        Names.validate(name);
        Perms.require(parent, ctx.caller(), Perms.X);
        FsException.check(ctx.dentry(parent.getInode(), name) == null, Errno.EEXIST);
        Perms.require(parent, ctx.caller(), Perms.W | Perms.X);
        FsException.check(a.getType() != FileType.DIRECTORY, Errno.EPERM);
        FsException.check(a.getNlink() < LINKS_MAX, Errno.EMLINK);
        a.setNlink(a.getNlink() + 1).setCtimeNs(ctx.now());
        ctx.changed(a);
        ctx.putDentry(parent.getInode(), name, a);
        ctx.entriesChanged(parent);
        return Replies.attr(a);
    }
}
