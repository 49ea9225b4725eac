package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;

/**
 * An operation's validation failed: the operation is refused with this errno and its pending rows
 * are dropped. Thrown only inside the engine; never crosses the engine's public API.
 */
public final class FsException extends Exception {
    private final Errno errno;

    public FsException(Errno errno) {
        super(errno.name(), null, false, false);
        assert errno != Errno.OK;
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }

    /** Throws {@code errno} unless the condition holds. */
    public static void check(boolean condition, Errno errno) throws FsException {
        if (!condition) {
            throw new FsException(errno);
        }
    }
}
