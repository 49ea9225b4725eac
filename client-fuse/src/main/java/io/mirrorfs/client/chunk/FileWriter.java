package io.mirrorfs.client.chunk;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.SliceRef;
import io.mirrorfs.client.FsException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * The write buffer of one file (shared by all its open handles). Contiguous writes extend one open
 * slice; anything else seals it and starts another. A sealed slice is committed to metadata only
 * after every one of its blocks is durable in the store, and slices of a file are committed in the
 * order they were written, so a later write always shadows an earlier one. {@link #flush} waits for
 * everything written before it and reports the first failure as an errno.
 */
public final class FileWriter {
    private final long inode;
    private final String volume;
    private final int blockSizeBytes;
    private final BlockUploader uploader;
    private final SliceCommitter committer;
    private final Executor commitExecutor;

    // Guarded by this.
    private OpenSlice current;
    private CompletableFuture<Void> commitTail = CompletableFuture.completedFuture(null);
    private long writtenEndBytes;
    private long uncommittedBytes;
    private FsException failure;

    public FileWriter(long inode, String volume, int blockSizeBytes, BlockUploader uploader, SliceCommitter committer,
                      Executor commitExecutor) {
        this.inode = inode;
        this.volume = volume;
        this.blockSizeBytes = blockSizeBytes;
        this.uploader = uploader;
        this.committer = committer;
        this.commitExecutor = commitExecutor;
    }

    public void write(long offset, byte[] src, int srcOffset, int length) throws FsException {
        if (offset < 0 || length < 0) {
            throw new FsException(Errno.EINVAL, "negative write offset or length");
        }
        if (offset + length > FsLimits.FILE_SIZE_BYTES_MAX || offset + length < 0) {
            throw new FsException(Errno.EFBIG, "write past the largest file size at " + offset);
        }
        synchronized (this) {
            if (failure != null) {
                throw failure;
            }
            try {
                while (length > 0) {
                    int chunk = (int) (offset / FsLimits.CHUNK_SIZE_BYTES);
                    int position = (int) (offset % FsLimits.CHUNK_SIZE_BYTES);
                    if (current == null || !current.continuesAt(chunk, position)) {
                        sealCurrent();
                        current = new OpenSlice(volume, committer.nextSliceId(), chunk, position, blockSizeBytes, uploader);
                    }
                    int n = (int) Math.min(length, current.roomBytes());
                    current.append(src, srcOffset, n);
                    offset += n;
                    srcOffset += n;
                    length -= n;
                    uncommittedBytes += n;
                    writtenEndBytes = Math.max(writtenEndBytes, offset);
                    if (current.roomBytes() == 0) {
                        sealCurrent();
                    }
                }
            } catch (InterruptedIOException e) {
                throw new FsException(Errno.EIO, "interrupted while writing inode " + inode, e);
            }
        }
    }

    /** The end of the furthest byte written through this writer (the file is at least this long). */
    public synchronized long writtenEndBytes() {
        return writtenEndBytes;
    }

    /** After a truncate the file's length is whatever the truncate said, whatever we wrote before. */
    public synchronized void resetWrittenEnd(long lengthBytes) {
        writtenEndBytes = lengthBytes;
    }

    public synchronized boolean hasUncommitted() {
        return uncommittedBytes > 0 || current != null;
    }

    /** Seals the open slice and waits until everything written so far is committed. */
    public void flush() throws FsException {
        CompletableFuture<Void> tail;
        synchronized (this) {
            if (failure != null) {
                throw failure;
            }
            try {
                sealCurrent();
            } catch (InterruptedIOException e) {
                throw new FsException(Errno.EIO, "interrupted while flushing inode " + inode, e);
            }
            tail = commitTail;
        }
        try {
            tail.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FsException(Errno.EIO, "interrupted while flushing inode " + inode, e);
        } catch (ExecutionException e) {
            FsException error = asFsException(e.getCause());
            synchronized (this) {
                if (failure == null) {
                    failure = error;
                }
                throw failure;
            }
        }
    }

    private FsException asFsException(Throwable cause) {
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof FsException fs) {
            return fs;
        }
        return new FsException(Errno.EIO, "write of inode " + inode + " failed: " + cause, cause);
    }

    private void sealCurrent() throws InterruptedIOException {
        assert Thread.holdsLock(this);
        OpenSlice slice = current;
        current = null;
        if (slice == null) {
            return;
        }
        List<CompletableFuture<Integer>> blocks = slice.seal();
        int length = slice.lengthBytes();
        if (length == 0) {
            return;
        }
        CompletableFuture<Void> allDurable = CompletableFuture.allOf(blocks.toArray(new CompletableFuture<?>[0]));
        // Chained on the previous commit: slices of one file reach metadata in write order.
        commitTail = commitTail.thenCombine(allDurable, (ignored, alsoIgnored) -> null)
                .thenAcceptAsync(ignored -> commit(slice, length, blocks), commitExecutor);
    }

    private void commit(OpenSlice slice, int length, List<CompletableFuture<Integer>> blocks) {
        SliceRef.Builder ref = SliceRef.newBuilder()
                .setSliceId(slice.sliceId)
                .setSliceSize(length)
                .setOffsetInSlice(0)
                .setLength(length)
                .setPositionInChunk(slice.positionInChunk);
        for (CompletableFuture<Integer> crc : blocks) {
            ref.addBlockCrc32C(crc.join()); // all complete: allOf succeeded
        }
        try {
            committer.commit(inode, slice.chunkIndex, ref.build());
        } catch (FsException e) {
            throw new CompletionException(e);
        }
        synchronized (this) {
            uncommittedBytes -= length;
            assert uncommittedBytes >= 0;
        }
    }
}
