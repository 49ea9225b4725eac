package io.mirrorfs.meta.engine.ops;

import static io.mirrorfs.api.FsLimits.SET_ATIME;
import static io.mirrorfs.api.FsLimits.SET_ATIME_NOW;
import static io.mirrorfs.api.FsLimits.SET_GID;
import static io.mirrorfs.api.FsLimits.SET_MODE;
import static io.mirrorfs.api.FsLimits.SET_MTIME;
import static io.mirrorfs.api.FsLimits.SET_MTIME_NOW;
import static io.mirrorfs.api.FsLimits.SET_SIZE;
import static io.mirrorfs.api.FsLimits.SET_UID;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.SetAttrOp;

/**
 * chmod, chown/chgrp, truncate and utimens. Every permission check runs before any change, so a
 * refused request changes nothing.
 */
public final class SetAttrHandler {
    static final int VALID_ALL = SET_MODE | SET_UID | SET_GID | SET_SIZE | SET_ATIME | SET_MTIME
            | SET_ATIME_NOW | SET_MTIME_NOW;

    private SetAttrHandler() {}

    public static MetaReply.Builder apply(OpContext ctx, SetAttrOp op) throws FsException {
        int valid = op.getValid();
        FsException.check((valid & ~VALID_ALL) == 0, Errno.EINVAL);
        Attr.Builder a = ctx.inode(op.getInode());
        Caller caller = ctx.caller();
        boolean root = Perms.isRoot(caller);
        boolean owner = Perms.isOwnerOrRoot(a, caller);

        if (has(valid, SET_MODE)) {
            FsException.check(owner, Errno.EPERM);
        }
        boolean changesUid = has(valid, SET_UID) && op.getUid() != a.getUid();
        boolean changesGid = has(valid, SET_GID) && op.getGid() != a.getGid();
        if (has(valid, SET_UID)) {
            FsException.check(root || (owner && !changesUid), Errno.EPERM);
        }
        if (has(valid, SET_GID)) {
            FsException.check(root || (owner && (!changesGid || Perms.inGroup(caller, op.getGid()))), Errno.EPERM);
        }
        if (has(valid, SET_SIZE)) {
            Resize.checkResizable(a, op.getSize());
            Perms.require(a, caller, Perms.W);
        }
        if (has(valid, SET_ATIME) || has(valid, SET_MTIME)) {
            FsException.check(owner, Errno.EPERM);
        }
        if (has(valid, SET_ATIME_NOW) || has(valid, SET_MTIME_NOW)) {
            FsException.check(owner || Perms.allowed(a, caller, Perms.W), Errno.EACCES);
        }

        if (has(valid, SET_MODE)) {
            int mode = op.getMode() & 07777;
            if (!root && !Perms.inGroup(caller, a.getGid())) {
                mode &= ~Perms.S_ISGID; // only a group member may make a file setgid to that group
            }
            a.setMode(mode);
        }
        if (has(valid, SET_UID)) {
            a.setUid(op.getUid());
        }
        if (has(valid, SET_GID)) {
            a.setGid(op.getGid());
        }
        if ((has(valid, SET_UID) || has(valid, SET_GID)) && !root && a.getType() == FileType.REGULAR) {
            a.setMode(a.getMode() & ~(Perms.S_ISUID | Perms.S_ISGID));
        }
        if (has(valid, SET_SIZE)) {
            Resize.resize(ctx, a, op.getSize());
        }
        if (has(valid, SET_ATIME_NOW)) {
            a.setAtimeNs(ctx.now());
        } else if (has(valid, SET_ATIME)) {
            a.setAtimeNs(op.getAtimeNs());
        }
        if (has(valid, SET_MTIME_NOW)) {
            a.setMtimeNs(ctx.now());
        } else if (has(valid, SET_MTIME)) {
            a.setMtimeNs(op.getMtimeNs());
        }
        a.setCtimeNs(ctx.now());
        ctx.changed(a);
        return Replies.attr(a);
    }

    private static boolean has(int valid, int bit) {
        return (valid & bit) != 0;
    }
}
