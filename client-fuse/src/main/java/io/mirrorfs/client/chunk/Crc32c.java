package io.mirrorfs.client.chunk;

import java.util.zip.CRC32C;

/** The block checksum kept in metadata (DESIGN §2): CRC32C of the whole block object. */
public final class Crc32c {
    private Crc32c() {}

    public static int of(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        return (int) crc.getValue();
    }

    public static int of(byte[] data) {
        return of(data, 0, data.length);
    }
}
