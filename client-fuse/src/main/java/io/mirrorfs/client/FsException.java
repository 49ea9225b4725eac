package io.mirrorfs.client;

import io.mirrorfs.api.Errno;

/**
 * A POSIX error on its way from the metadata or data path to the FUSE boundary, where (and only
 * where) it becomes {@code -errno}. Carries no stack trace when it is an ordinary namespace answer
 * (ENOENT on lookup is not exceptional), but keeps one when it wraps a real failure.
 */
public final class FsException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Errno errno;

    public FsException(Errno errno, String message) {
        super(message, null, false, false);
        this.errno = errno;
    }

    public FsException(Errno errno, String message, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }

    public static FsException of(Errno errno) {
        return new FsException(errno, errno.name());
    }
}
