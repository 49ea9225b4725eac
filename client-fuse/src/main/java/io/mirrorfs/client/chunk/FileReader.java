package io.mirrorfs.client.chunk;

import io.mirrorfs.api.BlockKey;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.client.FsException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads byte ranges of files: resolves each chunk's slice list into visible runs, fetches every
 * block the range needs in parallel (through {@link BlockFetcher}), and copies out exactly the
 * bytes the metadata names; holes read as zeros. Stateless apart from the fetcher: safe for any
 * number of threads.
 */
public final class FileReader {
    private static final Logger log = LoggerFactory.getLogger(FileReader.class);

    private final String volume;
    private final int blockSizeBytes;
    private final SliceSource slices;
    private final BlockFetcher fetcher;

    public FileReader(String volume, int blockSizeBytes, SliceSource slices, BlockFetcher fetcher) {
        this.volume = volume;
        this.blockSizeBytes = blockSizeBytes;
        this.slices = slices;
        this.fetcher = fetcher;
    }

    private record Copy(VisibleRun run, long fileOffset, int blockIndex, CompletableFuture<byte[]> block) {}

    /** Up to {@code length} bytes at {@code offset} of a file of {@code fileSizeBytes}. */
    public byte[] read(long inode, long offset, int length, long fileSizeBytes) throws FsException {
        if (offset < 0 || length < 0) {
            throw new FsException(Errno.EINVAL, "negative read offset or length");
        }
        long end = Math.min(fileSizeBytes, offset + length);
        if (offset >= end) {
            return new byte[0];
        }
        byte[] out = new byte[(int) (end - offset)];
        List<Copy> copies = new ArrayList<>();
        for (VisibleRunAt at : runs(inode, offset, end)) {
            if (at.run().isHole()) {
                continue; // the array is already zero
            }
            forEachBlock(inode, at, (blockIndex, key, crc) ->
                    copies.add(new Copy(at.run(), at.fileOffset(), blockIndex, fetcher.fetch(key, crc))));
        }
        for (Copy c : copies) {
            byte[] block = await(c.block(), inode);
            long blockStartInSlice = (long) c.blockIndex() * blockSizeBytes;
            long runStartInSlice = c.run().offsetInSlice();
            long from = Math.max(blockStartInSlice, runStartInSlice);
            long to = Math.min(blockStartInSlice + block.length, runStartInSlice + c.run().length());
            assert from < to;
            long destination = c.fileOffset() + (from - runStartInSlice) - offset;
            System.arraycopy(block, (int) (from - blockStartInSlice), out, (int) destination, (int) (to - from));
        }
        return out;
    }

    /** Starts fetching the blocks of [offset, end) without waiting; failures surface on the real read. */
    public void prefetch(long inode, long offset, long end, long fileSizeBytes) {
        end = Math.min(end, fileSizeBytes);
        if (offset >= end) {
            return;
        }
        try {
            for (VisibleRunAt at : runs(inode, offset, end)) {
                if (!at.run().isHole()) {
                    forEachBlock(inode, at, (blockIndex, key, crc) -> fetcher.prefetch(key, crc));
                }
            }
        } catch (FsException e) {
            log.debug("readahead of inode {} at {} skipped: {}", inode, offset, e.getMessage());
        }
    }

    private record VisibleRunAt(VisibleRun run, long fileOffset) {}

    private List<VisibleRunAt> runs(long inode, long offset, long end) throws FsException {
        List<VisibleRunAt> result = new ArrayList<>();
        long at = offset;
        while (at < end) {
            int chunk = (int) (at / FsLimits.CHUNK_SIZE_BYTES);
            long chunkStart = chunk * FsLimits.CHUNK_SIZE_BYTES;
            int from = (int) (at - chunkStart);
            int to = (int) Math.min(FsLimits.CHUNK_SIZE_BYTES, end - chunkStart);
            for (VisibleRun run : VisibleRun.resolve(slices.slices(inode, chunk), from, to)) {
                result.add(new VisibleRunAt(run, chunkStart + run.positionInChunk()));
            }
            at = chunkStart + to;
        }
        return result;
    }

    private interface BlockVisitor {
        void visit(int blockIndex, BlockKey key, int crc32c);
    }

    private void forEachBlock(long inode, VisibleRunAt at, BlockVisitor visitor) throws FsException {
        VisibleRun run = at.run();
        int blocks = BlockKey.blockCount(run.sliceSize(), blockSizeBytes);
        if ((long) run.offsetInSlice() + run.length() > run.sliceSize() || run.blockCrcs().size() != blocks) {
            log.error("inode {}: slice {} reference is inconsistent (size {}, {} crcs for {} blocks, run {}+{})",
                    inode, run.sliceId(), run.sliceSize(), run.blockCrcs().size(), blocks, run.offsetInSlice(), run.length());
            throw new FsException(Errno.EIO, "bad slice reference " + run.sliceId());
        }
        int first = run.offsetInSlice() / blockSizeBytes;
        int last = (run.offsetInSlice() + run.length() - 1) / blockSizeBytes;
        for (int b = first; b <= last; b++) {
            int size = BlockKey.blockSize(run.sliceSize(), blockSizeBytes, b);
            visitor.visit(b, new BlockKey(volume, run.sliceId(), b, size), run.blockCrcs().get(b));
        }
    }

    private static byte[] await(CompletableFuture<byte[]> block, long inode) throws FsException {
        try {
            return block.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FsException(Errno.EIO, "interrupted reading inode " + inode, e);
        } catch (ExecutionException e) {
            // The fetcher has logged the object's name; the application gets EIO, never wrong bytes.
            throw new FsException(Errno.EIO, "read of inode " + inode + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
