package io.mirrorfs.client.chunk;

import io.mirrorfs.api.BlockKey;
import io.mirrorfs.store.ObjectStore;
import java.io.IOException;

/** The region's own store, as on a primary mount. */
public final class StoreBlockSource implements BlockSource {
    private final ObjectStore store;

    public StoreBlockSource(ObjectStore store) {
        this.store = store;
    }

    @Override
    public byte[] read(BlockKey key, int crc32c) throws IOException {
        byte[] data = store.get(key.objectKey());
        if (!BlockSource.verifies(key, data, crc32c)) {
            throw BlockSource.mismatch(key, store.uri(), data, crc32c);
        }
        return data;
    }

    @Override
    public String describe() {
        return store.uri();
    }
}
