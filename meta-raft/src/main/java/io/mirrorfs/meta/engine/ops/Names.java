package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;

/** What a directory entry name may be. */
public final class Names {
    private Names() {}

    /** Too long is ENAMETOOLONG; empty, ".", "..", or containing '/' or NUL is EINVAL. */
    public static void validate(byte[] name) throws FsException {
        FsException.check(name.length > 0, Errno.EINVAL);
        FsException.check(name.length <= FsLimits.NAME_BYTES_MAX, Errno.ENAMETOOLONG);
        FsException.check(!isDot(name) && !isDotDot(name), Errno.EINVAL);
        for (byte b : name) {
            FsException.check(b != '/' && b != 0, Errno.EINVAL);
        }
    }

    public static boolean isDot(byte[] name) {
        return name.length == 1 && name[0] == '.';
    }

    public static boolean isDotDot(byte[] name) {
        return name.length == 2 && name[0] == '.' && name[1] == '.';
    }
}
