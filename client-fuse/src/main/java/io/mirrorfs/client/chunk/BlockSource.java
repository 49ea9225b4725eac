package io.mirrorfs.client.chunk;

import io.mirrorfs.api.BlockKey;
import java.io.IOException;

/**
 * Where {@link BlockFetcher} gets a block it has in neither of its caches. Implementations return
 * only bytes that match the size in the key and the CRC32C from metadata; anything else is a
 * {@link BlockReadException} naming the object, never bytes.
 */
public interface BlockSource {

    /** The verified bytes of {@code key}. */
    byte[] read(BlockKey key, int crc32c) throws IOException;

    /** For messages: the store(s) read from. */
    String describe();

    /** Whether {@code data} is exactly the block the metadata names. */
    static boolean verifies(BlockKey key, byte[] data, int crc32c) {
        return data.length == key.blockSizeBytes() && Crc32c.of(data) == crc32c;
    }

    static BlockReadException mismatch(BlockKey key, String storeUri, byte[] data, int crc32c) {
        return new BlockReadException("block " + key.objectKey() + " in " + storeUri + " failed verification: "
                + data.length + " bytes, crc32c " + Integer.toHexString(Crc32c.of(data)) + ", metadata says "
                + key.blockSizeBytes() + " bytes, crc32c " + Integer.toHexString(crc32c), null);
    }
}
