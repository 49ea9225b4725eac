package io.mirrorfs.api;

/**
 * The one list of POSIX errors mirrorfs reports. Replies carry {@link #code()}; the FUSE adapter
 * turns it into {@code -code} at the kernel boundary and nowhere else. Codes are Linux's.
 */
public enum Errno {
    OK(0),
    EPERM(1),
    ENOENT(2),
    EIO(5),
    E2BIG(7),
    EBADF(9),
    EAGAIN(11),
    ENOMEM(12),
    EACCES(13),
    EBUSY(16),
    EEXIST(17),
    EXDEV(18),
    /** The volume is not formatted yet: every operation but FormatOp is refused. */
    ENODEV(19),
    ENOTDIR(20),
    EISDIR(21),
    EINVAL(22),
    EFBIG(27),
    ENOSPC(28),
    EROFS(30),
    EMLINK(31),
    ERANGE(34),
    EDEADLK(35),
    ENAMETOOLONG(36),
    ENOLCK(37),
    ENOSYS(38),
    ENOTEMPTY(39),
    ELOOP(40),
    ENODATA(61),
    EOVERFLOW(75),
    ENOTSUP(95),
    ESTALE(116);

    private static final Errno[] BY_CODE = new Errno[128];

    static {
        for (Errno e : values()) {
            BY_CODE[e.code] = e;
        }
    }

    private final int code;

    Errno(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The errno for a code from a reply; an unknown code is reported as EIO rather than lost. */
    public static Errno of(int code) {
        if (code >= 0 && code < BY_CODE.length && BY_CODE[code] != null) {
            return BY_CODE[code];
        }
        return EIO;
    }
}
