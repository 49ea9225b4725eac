package io.mirrorfs.client.chunk;

import io.mirrorfs.api.BlockKey;
import io.mirrorfs.api.FsLimits;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A slice being written: bytes appended at increasing positions inside one chunk. Each block is
 * uploaded as soon as it is full; the last, partial one when the slice is sealed. The block buffer
 * grows with the data, so a small file costs what it holds, not a whole block.
 */
final class OpenSlice {
    private static final int BUFFER_BYTES_FIRST = 64 * 1024;

    final String volume;
    final long sliceId;
    final int chunkIndex;
    final int positionInChunk;
    private final int blockSizeBytes;
    private final BlockUploader uploader;
    private final List<CompletableFuture<Integer>> blockCrcs = new ArrayList<>();
    private byte[] buffer = new byte[0];
    private int bufferedBytes;
    private int lengthBytes;
    private boolean sealed;

    OpenSlice(String volume, long sliceId, int chunkIndex, int positionInChunk, int blockSizeBytes, BlockUploader uploader) {
        assert positionInChunk >= 0 && positionInChunk < FsLimits.CHUNK_SIZE_BYTES;
        this.volume = volume;
        this.sliceId = sliceId;
        this.chunkIndex = chunkIndex;
        this.positionInChunk = positionInChunk;
        this.blockSizeBytes = blockSizeBytes;
        this.uploader = uploader;
    }

    /** Whether a write at (chunk, position) continues this slice. */
    boolean continuesAt(int chunk, int position) {
        return !sealed && chunk == chunkIndex && position == positionInChunk + lengthBytes;
    }

    int lengthBytes() {
        return lengthBytes;
    }

    /** Room left before the slice would cross its chunk's end. */
    long roomBytes() {
        return FsLimits.CHUNK_SIZE_BYTES - positionInChunk - lengthBytes;
    }

    void append(byte[] src, int offset, int length) throws InterruptedIOException {
        assert !sealed && length <= roomBytes();
        while (length > 0) {
            int n = Math.min(length, blockSizeBytes - bufferedBytes);
            ensureCapacity(bufferedBytes + n);
            System.arraycopy(src, offset, buffer, bufferedBytes, n);
            bufferedBytes += n;
            lengthBytes += n;
            offset += n;
            length -= n;
            if (bufferedBytes == blockSizeBytes) {
                uploadBuffered();
            }
        }
    }

    private void ensureCapacity(int needed) {
        if (needed <= buffer.length) {
            return;
        }
        int size = Math.max(buffer.length, BUFFER_BYTES_FIRST);
        while (size < needed) {
            size = Math.min(blockSizeBytes, size * 2);
        }
        buffer = Arrays.copyOf(buffer, size);
    }

    private void uploadBuffered() throws InterruptedIOException {
        byte[] block = bufferedBytes == buffer.length ? buffer : Arrays.copyOf(buffer, bufferedBytes);
        BlockKey key = new BlockKey(volume, sliceId, blockCrcs.size(), bufferedBytes);
        blockCrcs.add(uploader.upload(key, block));
        buffer = new byte[0];
        bufferedBytes = 0;
    }

    /** Uploads the partial last block; returns the futures of every block's CRC, in block order. */
    List<CompletableFuture<Integer>> seal() throws InterruptedIOException {
        assert !sealed;
        sealed = true;
        if (bufferedBytes > 0) {
            uploadBuffered();
        }
        buffer = null;
        assert blockCrcs.size() == BlockKey.blockCount(lengthBytes, blockSizeBytes);
        return List.copyOf(blockCrcs);
    }
}
