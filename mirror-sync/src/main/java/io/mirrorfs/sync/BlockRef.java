package io.mirrorfs.sync;

import io.mirrorfs.api.BlockKey;

/**
 * One block a committed slice references, and where it came from: the primary log index of the
 * commit (for the watermark) and the file/chunk (to tell whether it was deleted meanwhile).
 * {@code crcKnown} is false when the commit carried no CRC for this block; then only the size is checked.
 */
public record BlockRef(long primaryIndex, long inode, int chunkIndex, BlockKey key, int sizeBytes, int crc32c,
                       boolean crcKnown) {
    public BlockRef {
        assert primaryIndex > 0 && sizeBytes > 0 && key != null;
    }

    public String objectKey() {
        return key.objectKey();
    }
}
