package io.mirrorfs.sync;

import io.mirrorfs.store.ChecksumMismatchException;
import io.mirrorfs.store.Crc32c;
import io.mirrorfs.store.ObjectInfo;
import io.mirrorfs.store.ObjectNotFoundException;
import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.util.Optional;

/**
 * Copies one block, once: head at the target first (objects are immutable, so a block of the right
 * size there is the block), then read, verify size and CRC32C against the metadata, and put. A corrupt
 * source is never propagated. Memory per copy is one block (at most 4 MiB).
 */
final class BlockCopier {
    enum Result { COPIED, ALREADY_PRESENT, SKIPPED_DELETED }

    private final ObjectStore source;
    private final ObjectStore target;
    private final SliceLiveness liveness;

    BlockCopier(ObjectStore source, ObjectStore target, SliceLiveness liveness) {
        this.source = source;
        this.target = target;
        this.liveness = liveness;
    }

    Result copy(BlockRef block) throws IOException {
        Optional<ObjectInfo> there = target.head(block.objectKey());
        if (there.isPresent() && there.get().sizeBytes() == block.sizeBytes()) {
            return Result.ALREADY_PRESENT;
        }
        return copyOver(block);
    }

    /** Copies without looking at the target first: repair of a block found corrupt there. */
    Result copyOver(BlockRef block) throws IOException {
        String key = block.objectKey();
        byte[] data;
        try {
            data = source.get(key);
        } catch (ObjectNotFoundException e) {
            if (!liveness.stillReferenced(block)) {
                return Result.SKIPPED_DELETED;
            }
            throw e;
        }
        if (block.crcKnown()) {
            Crc32c.verify(source, key, data, block.sizeBytes(), block.crc32c());
        } else if (data.length != block.sizeBytes()) {
            throw new ChecksumMismatchException("size mismatch for " + key + " in " + source.uri() + ": read "
                    + data.length + " bytes, metadata says " + block.sizeBytes());
        }
        target.put(key, data);
        return Result.COPIED;
    }
}
