package io.mirrorfs.client.vfs;

import io.mirrorfs.api.Errno;
import io.mirrorfs.client.FsException;
import io.mirrorfs.client.chunk.FileWriter;
import io.mirrorfs.client.chunk.ReadPattern;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Open file handles and the write buffer of each open file. A file's {@link FileWriter} lives while
 * any handle of the file is open and is shared by them, so writes through two descriptors of one
 * file are ordered in one buffer.
 */
final class FileTable {
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final ConcurrentHashMap<Long, OpenFile> handles = new ConcurrentHashMap<>();
    /** inode → (writer, open count). Guarded by itself. */
    private final Map<Long, Opened> opened = new HashMap<>();
    private final long readaheadBytesFirst;
    private final long readaheadBytesMax;

    private static final class Opened {
        final FileWriter writer;
        int count;

        Opened(FileWriter writer) {
            this.writer = writer;
        }
    }

    FileTable(long readaheadBytesFirst, long readaheadBytesMax) {
        this.readaheadBytesFirst = readaheadBytesFirst;
        this.readaheadBytesMax = readaheadBytesMax;
    }

    long open(long inode, int flags, boolean keepPageCache, LongFunction<FileWriter> newWriter) {
        synchronized (opened) {
            opened.computeIfAbsent(inode, i -> new Opened(newWriter.apply(i))).count++;
        }
        long fh = nextHandle.getAndIncrement();
        handles.put(fh, new OpenFile(inode, flags, keepPageCache, new ReadPattern(readaheadBytesFirst, readaheadBytesMax)));
        return fh;
    }

    OpenFile handle(long fh) throws FsException {
        OpenFile f = handles.get(fh);
        if (f == null) {
            throw new FsException(Errno.EBADF, "no open file " + fh);
        }
        return f;
    }

    /** The write buffer of an open file, or null when the file is not open here. */
    FileWriter writer(long inode) {
        synchronized (opened) {
            Opened o = opened.get(inode);
            return o == null ? null : o.writer;
        }
    }

    /** Closes a handle; returns the file's writer if this was its last handle (to flush), else null. */
    OpenFile close(long fh) throws FsException {
        OpenFile f = handles.remove(fh);
        if (f == null) {
            throw new FsException(Errno.EBADF, "no open file " + fh);
        }
        return f;
    }

    /** Drops one open count of the inode; the writer is forgotten with the last one. */
    void release(long inode) {
        synchronized (opened) {
            Opened o = opened.get(inode);
            assert o != null && o.count > 0 : "release of unopened inode " + inode;
            if (--o.count == 0) {
                opened.remove(inode);
            }
        }
    }

    int openHandles() {
        return handles.size();
    }
}
