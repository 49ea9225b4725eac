package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.DirEntry;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.RmdirOp;
import io.mirrorfs.api.proto.UnlinkOp;

/** unlink and rmdir: remove a name; the inode goes with its last link. */
public final class UnlinkHandler {
    private UnlinkHandler() {}

    public static MetaReply.Builder unlink(OpContext ctx, UnlinkOp op) throws FsException {
        return remove(ctx, op.getParent(), op.getName().toByteArray(), false);
    }

    public static MetaReply.Builder rmdir(OpContext ctx, RmdirOp op) throws FsException {
        return remove(ctx, op.getParent(), op.getName().toByteArray(), true);
    }

    private static MetaReply.Builder remove(OpContext ctx, long parentIno, byte[] name, boolean dir)
            throws FsException {
        Attr.Builder parent = ctx.directory(parentIno);
        Names.validate(name);
        Perms.require(parent, ctx.caller(), Perms.X);
        DirEntry entry = ctx.dentry(parentIno, name);
        FsException.check(entry != null, Errno.ENOENT);
        Perms.require(parent, ctx.caller(), Perms.W | Perms.X);
        Attr.Builder victim = ctx.inode(entry.getInode());
        Perms.requireSticky(parent, victim, ctx.caller());
        boolean isDir = victim.getType() == FileType.DIRECTORY;
        if (dir) {
            FsException.check(isDir, Errno.ENOTDIR);
            FsException.check(ctx.isEmptyDir(victim.getInode()), Errno.ENOTEMPTY);
            parent.setNlink(parent.getNlink() - 1);
        } else {
            FsException.check(!isDir, Errno.EISDIR);
        }
        ctx.deleteDentry(parentIno, name);
        ctx.entriesChanged(parent);
        ctx.dropLink(victim);
        return Replies.ok();
    }
}
