package io.mirrorfs.store;

import java.io.IOException;
import java.util.zip.CRC32C;

/**
 * CRC32C of blocks, and the verified read: the expected size and CRC come from the block's metadata,
 * and a mismatch is an exception, never data.
 */
public final class Crc32c {

    private Crc32c() {}

    public static int of(byte[] data) {
        return of(data, 0, data.length);
    }

    public static int of(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        return (int) crc.getValue();
    }

    /** Throws if {@code data} is not exactly the block metadata describes. */
    public static void verify(ObjectStore store, String key, byte[] data, long expectedSize, int expectedCrc32c)
            throws ChecksumMismatchException {
        if (data.length != expectedSize) {
            throw new ChecksumMismatchException("size mismatch for " + key + " in " + store.uri() + ": read "
                    + data.length + " bytes, metadata says " + expectedSize);
        }
        int actual = of(data);
        if (actual != expectedCrc32c) {
            throw new ChecksumMismatchException(String.format("CRC32C mismatch for %s in %s: read %08x, metadata says %08x",
                    key, store.uri(), actual, expectedCrc32c));
        }
    }

    /** Reads a whole block and verifies it; put a {@code RetryingStore} underneath for transient errors. */
    public static byte[] getVerified(ObjectStore store, String key, long expectedSize, int expectedCrc32c)
            throws IOException {
        byte[] data = store.get(key);
        verify(store, key, data, expectedSize, expectedCrc32c);
        return data;
    }
}
