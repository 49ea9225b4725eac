package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.DirEntry;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.RenameOp;

/** rename, with RENAME_NOREPLACE and RENAME_EXCHANGE. Never EXDEV: one volume is one namespace. */
public final class RenameHandler {
    /** Bound on the walk up from a directory to the root (a deeper tree is refused with ELOOP). */
    static final int DEPTH_MAX = 100_000;

    private RenameHandler() {}

    public static MetaReply.Builder apply(OpContext ctx, RenameOp op) throws FsException {
        int flags = op.getFlags();
        boolean exchange = (flags & FsLimits.RENAME_EXCHANGE) != 0;
        boolean noReplace = (flags & FsLimits.RENAME_NOREPLACE) != 0;
        FsException.check((flags & ~3) == 0 && !(exchange && noReplace), Errno.EINVAL);
        Attr.Builder srcParent = ctx.directory(op.getParent());
        Attr.Builder dstParent = ctx.directory(op.getNewParent());
        byte[] name = op.getName().toByteArray();
        byte[] newName = op.getNewName().toByteArray();
        Names.validate(name);
        Names.validate(newName);
        Perms.require(srcParent, ctx.caller(), Perms.X);
        Perms.require(dstParent, ctx.caller(), Perms.X);
        DirEntry srcEntry = ctx.dentry(srcParent.getInode(), name);
        FsException.check(srcEntry != null, Errno.ENOENT);
        DirEntry dstEntry = ctx.dentry(dstParent.getInode(), newName);
        FsException.check(!exchange || dstEntry != null, Errno.ENOENT);
        Attr.Builder src = ctx.inode(srcEntry.getInode());
        Attr.Builder dst = dstEntry == null ? null : ctx.inode(dstEntry.getInode());
        if (dst != null && dst.getInode() == src.getInode()) {
            return Replies.ok(); // POSIX: renaming a link onto a link of the same inode does nothing
        }
        FsException.check(!noReplace || dst == null, Errno.EEXIST);
        Perms.require(srcParent, ctx.caller(), Perms.W | Perms.X);
        Perms.require(dstParent, ctx.caller(), Perms.W | Perms.X);
        Perms.requireSticky(srcParent, src, ctx.caller());
        if (dst != null) {
            Perms.requireSticky(dstParent, dst, ctx.caller());
        }
        boolean srcDir = src.getType() == FileType.DIRECTORY;
        boolean dstDir = dst != null && dst.getType() == FileType.DIRECTORY;
        boolean moves = srcParent.getInode() != dstParent.getInode();
        if (srcDir) {
            FsException.check(!isSelfOrAncestor(ctx, src.getInode(), dstParent.getInode()), Errno.EINVAL);
            if (moves) {
                Perms.require(src, ctx.caller(), Perms.W); // its ".." changes
            }
        }
        if (exchange && dstDir) {
            FsException.check(!isSelfOrAncestor(ctx, dst.getInode(), srcParent.getInode()), Errno.EINVAL);
            if (moves) {
                Perms.require(dst, ctx.caller(), Perms.W);
            }
        }
        if (exchange) {
            exchange(ctx, srcParent, name, src, dstParent, newName, dst);
        } else {
            if (dst != null) {
                FsException.check(!srcDir || dstDir, Errno.ENOTDIR);
                FsException.check(srcDir || !dstDir, Errno.EISDIR);
                FsException.check(!dstDir || ctx.isEmptyDir(dst.getInode()), Errno.ENOTEMPTY);
                if (dstDir) {
                    dstParent.setNlink(dstParent.getNlink() - 1);
                }
                ctx.dropLink(dst);
            }
            ctx.deleteDentry(srcParent.getInode(), name);
            ctx.putDentry(dstParent.getInode(), newName, src);
            if (srcDir && moves) {
                moveDir(src, srcParent, dstParent);
            }
        }
        src.setCtimeNs(ctx.now());
        ctx.changed(src);
        ctx.entriesChanged(srcParent);
        ctx.entriesChanged(dstParent);
        return Replies.ok();
    }

    private static void exchange(OpContext ctx, Attr.Builder srcParent, byte[] name, Attr.Builder src,
            Attr.Builder dstParent, byte[] newName, Attr.Builder dst) {
        ctx.putDentry(srcParent.getInode(), name, dst);
        ctx.putDentry(dstParent.getInode(), newName, src);
        if (srcParent.getInode() != dstParent.getInode()) {
            if (src.getType() == FileType.DIRECTORY) {
                moveDir(src, srcParent, dstParent);
            }
            if (dst.getType() == FileType.DIRECTORY) {
                moveDir(dst, dstParent, srcParent);
            }
        }
        dst.setCtimeNs(ctx.now());
        ctx.changed(dst);
    }

    /** A directory's ".." moves from one parent to the other, and with it one link. */
    private static void moveDir(Attr.Builder dir, Attr.Builder from, Attr.Builder to) {
        from.setNlink(from.getNlink() - 1);
        to.setNlink(to.getNlink() + 1);
        dir.setParent(to.getInode());
    }

    /** Whether {@code ancestor} is {@code dir} or one of its ancestors (walking ".." up to the root). */
    static boolean isSelfOrAncestor(OpContext ctx, long ancestor, long dir) throws FsException {
        long current = dir;
        for (int depth = 0; depth < DEPTH_MAX; depth++) {
            if (current == ancestor) {
                return true;
            }
            if (current == FsLimits.ROOT_INODE) {
                return false;
            }
            current = ctx.inode(current).getParent();
        }
        throw new FsException(Errno.ELOOP);
    }
}
