package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.proto.AttrOrBuilder;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.FileType;

/** POSIX permission checks against the caller the request carries (never the server's identity). */
public final class Perms {
    public static final int R = 4;
    public static final int W = 2;
    public static final int X = 1;

    public static final int S_ISUID = 04000;
    public static final int S_ISGID = 02000;
    public static final int S_ISVTX = 01000;

    private Perms() {}

    public static boolean isRoot(Caller caller) {
        return caller.getUid() == 0;
    }

    public static boolean inGroup(Caller caller, int gid) {
        return caller.getGid() == gid || caller.getGroupsList().contains(gid);
    }

    /**
     * Whether {@code caller} may access {@code attr} with {@code mask} (R|W|X). Root passes every check
     * except execute on a non-directory, which needs at least one x bit set (as Linux does).
     */
    public static boolean allowed(AttrOrBuilder attr, Caller caller, int mask) {
        assert (mask & ~7) == 0;
        int mode = attr.getMode();
        if (isRoot(caller)) {
            return (mask & X) == 0 || attr.getType() == FileType.DIRECTORY || (mode & 0111) != 0;
        }
        int bits;
        if (caller.getUid() == attr.getUid()) {
            bits = (mode >> 6) & 7;
        } else if (inGroup(caller, attr.getGid())) {
            bits = (mode >> 3) & 7;
        } else {
            bits = mode & 7;
        }
        return (bits & mask) == mask;
    }

    public static void require(AttrOrBuilder attr, Caller caller, int mask) throws FsException {
        FsException.check(allowed(attr, caller, mask), Errno.EACCES);
    }

    /** In a sticky directory only root, the directory's owner, or the entry's owner may remove or rename it. */
    public static void requireSticky(AttrOrBuilder dir, AttrOrBuilder victim, Caller caller) throws FsException {
        if ((dir.getMode() & S_ISVTX) == 0 || isRoot(caller)) {
            return;
        }
        FsException.check(caller.getUid() == dir.getUid() || caller.getUid() == victim.getUid(), Errno.EPERM);
    }

    public static boolean isOwnerOrRoot(AttrOrBuilder attr, Caller caller) {
        return isRoot(caller) || caller.getUid() == attr.getUid();
    }
}
