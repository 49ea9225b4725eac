package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.RemoveXattrOp;
import io.mirrorfs.api.proto.SetXattrOp;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.Keys;

/** setxattr and removexattr. Changing an xattr needs write permission and moves ctime. */
public final class XattrHandler {
    private XattrHandler() {}

    /** Empty is EINVAL, longer than 255 bytes is ERANGE (Linux's answers). */
    public static void validateName(byte[] name) throws FsException {
        FsException.check(name.length > 0, Errno.EINVAL);
        FsException.check(name.length <= FsLimits.XATTR_NAME_BYTES_MAX, Errno.ERANGE);
    }

    public static MetaReply.Builder set(OpContext ctx, SetXattrOp op) throws FsException {
        Attr.Builder a = ctx.inode(op.getInode());
        byte[] name = op.getName().toByteArray();
        validateName(name);
        FsException.check(op.getValue().size() <= FsLimits.XATTR_VALUE_BYTES_MAX, Errno.E2BIG);
        int flags = op.getFlags();
        FsException.check((flags & ~3) == 0 && flags != 3, Errno.EINVAL);
        Perms.require(a, ctx.caller(), Perms.W);
        byte[] key = Keys.xattr(a.getInode(), name);
        boolean exists = ctx.tx().get(Cf.XATTRS, key) != null;
        FsException.check(!exists || (flags & FsLimits.XATTR_CREATE) == 0, Errno.EEXIST);
        FsException.check(exists || (flags & FsLimits.XATTR_REPLACE) == 0, Errno.ENODATA);
        ctx.tx().put(Cf.XATTRS, key, op.getValue().toByteArray());
        a.setCtimeNs(ctx.now());
        ctx.changed(a);
        return Replies.ok();
    }

    public static MetaReply.Builder remove(OpContext ctx, RemoveXattrOp op) throws FsException {
        Attr.Builder a = ctx.inode(op.getInode());
        byte[] name = op.getName().toByteArray();
        validateName(name);
        Perms.require(a, ctx.caller(), Perms.W);
        byte[] key = Keys.xattr(a.getInode(), name);
        FsException.check(ctx.tx().get(Cf.XATTRS, key) != null, Errno.ENODATA);
        ctx.tx().delete(Cf.XATTRS, key);
        a.setCtimeNs(ctx.now());
        ctx.changed(a);
        return Replies.ok();
    }
}
