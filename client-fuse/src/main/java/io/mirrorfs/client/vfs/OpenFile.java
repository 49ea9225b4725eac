package io.mirrorfs.client.vfs;

import io.mirrorfs.client.chunk.ReadPattern;

/** One open file description: its inode, open flags and its own sequential-read state. */
final class OpenFile {
    final long inode;
    final int flags;
    final ReadPattern readPattern;

    OpenFile(long inode, int flags, ReadPattern readPattern) {
        this.inode = inode;
        this.flags = flags;
        this.readPattern = readPattern;
    }
}
