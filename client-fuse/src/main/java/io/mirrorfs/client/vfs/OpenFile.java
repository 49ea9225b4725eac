package io.mirrorfs.client.vfs;

import io.mirrorfs.client.chunk.ReadPattern;

/** One open file description: its inode, open flags, page-cache decision and sequential-read state. */
final class OpenFile {
    final long inode;
    final int flags;
    /** Told to the kernel at open: its cached pages of the file are still valid (FUSE keep_cache). */
    final boolean keepPageCache;
    final ReadPattern readPattern;

    OpenFile(long inode, int flags, boolean keepPageCache, ReadPattern readPattern) {
        this.inode = inode;
        this.flags = flags;
        this.keepPageCache = keepPageCache;
        this.readPattern = readPattern;
    }
}
