package io.mirrorfs.store;

import java.io.IOException;
import java.util.Optional;

/**
 * Copies one block from one store to another for mirror sync, a block at a time: memory is bounded by
 * {@code objectSizeBytesMax} (blocks are at most 4 MiB). The bytes are verified against the size and
 * CRC32C from metadata before they are written, and the destination's size is checked after, so a
 * corrupt source is never propagated.
 */
public final class CrossStoreCopier {

    public enum Outcome { COPIED, ALREADY_PRESENT }

    private final long objectSizeBytesMax;

    public CrossStoreCopier(long objectSizeBytesMax) {
        if (objectSizeBytesMax <= 0 || objectSizeBytesMax > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("objectSizeBytesMax out of range: " + objectSizeBytesMax);
        }
        this.objectSizeBytesMax = objectSizeBytesMax;
    }

    /**
     * Makes {@code key} exist in {@code destination} with the given size and CRC. An object of the
     * right size already there is trusted (objects are immutable and were verified when written).
     */
    public Outcome copy(ObjectStore source, ObjectStore destination, String key, long expectedSize, int expectedCrc32c)
            throws IOException {
        if (expectedSize > objectSizeBytesMax) {
            throw new StoreException("block " + key + " of " + expectedSize + " bytes exceeds the copier's bound of "
                    + objectSizeBytesMax, false);
        }
        Optional<ObjectInfo> existing = destination.head(key);
        if (existing.isPresent() && existing.get().sizeBytes() == expectedSize) {
            return Outcome.ALREADY_PRESENT;
        }
        byte[] data = Crc32c.getVerified(source, key, expectedSize, expectedCrc32c);
        destination.put(key, data);
        ObjectInfo written = destination.head(key).orElseThrow(() -> new StoreException(
                "block " + key + " missing from " + destination.uri() + " right after put", true));
        if (written.sizeBytes() != expectedSize) {
            throw new ChecksumMismatchException("block " + key + " in " + destination.uri() + " has "
                    + written.sizeBytes() + " bytes after put, expected " + expectedSize);
        }
        return Outcome.COPIED;
    }
}
