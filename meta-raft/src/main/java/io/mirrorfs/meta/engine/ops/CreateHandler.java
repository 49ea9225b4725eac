package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.CreateOp;
import io.mirrorfs.api.proto.DirEntry;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.Keys;

/** create, mkdir, mknod and symlink: a new inode under a client-allocated id, and its entry. */
public final class CreateHandler {
    private CreateHandler() {}

    public static MetaReply.Builder apply(OpContext ctx, CreateOp op) throws FsException {
        FileType type = op.getType();
        FsException.check(type != FileType.FILE_TYPE_UNSPECIFIED && type != FileType.UNRECOGNIZED, Errno.EINVAL);
        byte[] target = op.getSymlinkTarget().toByteArray();
        if (type == FileType.SYMLINK) {
            FsException.check(target.length > 0, Errno.ENOENT);
            FsException.check(target.length <= FsLimits.SYMLINK_TARGET_BYTES_MAX, Errno.ENAMETOOLONG);
        }
        Attr.Builder parent = ctx.directory(op.getParent());
        byte[] name = op.getName().toByteArray();
        Names.validate(name);
        Perms.require(parent, ctx.caller(), Perms.X);
        DirEntry existing = ctx.dentry(parent.getInode(), name);
        if (existing != null) {
            // O_CREAT without O_EXCL opens an existing regular file; permission to open is the client's check.
            if (op.getOpenExisting() && type == FileType.REGULAR && existing.getType() == FileType.REGULAR) {
                return Replies.attr(ctx.inode(existing.getInode()));
            }
            throw new FsException(Errno.EEXIST);
        }
        Perms.require(parent, ctx.caller(), Perms.W | Perms.X);
        long ino = op.getInode();
        boolean allocated = ino > FsLimits.ROOT_INODE && ino < ctx.counter(Counters.NEXT_INODE);
        FsException.check(allocated && ctx.inodeOrNull(ino) == null, Errno.EINVAL);
        long inodesMax = ctx.volume().getInodesMax();
        FsException.check(inodesMax == 0 || ctx.counter(Counters.USED_INODES) < inodesMax, Errno.ENOSPC);

        boolean dir = type == FileType.DIRECTORY;
        boolean parentSetgid = (parent.getMode() & Perms.S_ISGID) != 0;
        int mode = type == FileType.SYMLINK ? 0777 : op.getMode() & 07777;
        if (dir && parentSetgid) {
            mode |= Perms.S_ISGID; // BSD group semantics propagate down the tree
        }
        boolean device = type == FileType.CHAR_DEVICE || type == FileType.BLOCK_DEVICE;
        Attr.Builder a = Attr.newBuilder()
                .setInode(ino)
                .setType(type)
                .setMode(mode)
                .setUid(ctx.caller().getUid())
                .setGid(parentSetgid ? parent.getGid() : ctx.caller().getGid())
                .setSize(type == FileType.SYMLINK ? target.length : 0)
                .setNlink(dir ? 2 : 1)
                .setAtimeNs(ctx.now())
                .setMtimeNs(ctx.now())
                .setCtimeNs(ctx.now())
                .setRdev(device ? op.getRdev() : 0)
                .setParent(dir ? parent.getInode() : 0);
        ctx.created(a);
        ctx.putDentry(parent.getInode(), name, a);
        if (type == FileType.SYMLINK) {
            ctx.tx().put(Cf.SYMLINKS, Keys.inode(ino), target);
        }
        if (dir) {
            parent.setNlink(parent.getNlink() + 1);
        }
        ctx.entriesChanged(parent);
        return Replies.attr(a);
    }
}
