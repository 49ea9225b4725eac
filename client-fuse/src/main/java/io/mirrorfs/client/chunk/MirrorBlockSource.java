package io.mirrorfs.client.chunk;

import io.mirrorfs.api.BlockKey;
import io.mirrorfs.store.ObjectNotFoundException;
import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blocks on a mirror mount (DESIGN §4): the mirror region's own store first; a block the sync
 * service has not copied yet (missing), or whose copy does not verify, is read from the primary's
 * store. Reads never wait for sync.
 *
 * <p>No data-watermark check is needed for correctness: objects are immutable and every copy is
 * verified against the CRC32C in metadata, so a block present in the mirror's store and verifying
 * is exactly the block the metadata names. The watermark would only save the one GET that misses.
 *
 * <p>With {@code keepFetched}, a block read from the primary is also written to the mirror's store
 * — only when the mirror's store does not have the key (the object store contract forbids
 * overwriting; a corrupt mirror copy is left for the sync service's verify/repair and reported).
 */
public final class MirrorBlockSource implements BlockSource {
    private static final Logger log = LoggerFactory.getLogger(MirrorBlockSource.class);

    private final ObjectStore mirrorStore;
    private final Supplier<ObjectStore> primaryStore;
    private final boolean keepFetched;
    private final LongAdder fromPrimary = new LongAdder();
    private final LongAdder kept = new LongAdder();

    /** {@code primaryStore} is asked per read: after a failover the primary's store is another one. */
    public MirrorBlockSource(ObjectStore mirrorStore, Supplier<ObjectStore> primaryStore, boolean keepFetched) {
        this.mirrorStore = mirrorStore;
        this.primaryStore = primaryStore;
        this.keepFetched = keepFetched;
    }

    @Override
    public byte[] read(BlockKey key, int crc32c) throws IOException {
        String objectKey = key.objectKey();
        boolean missingHere;
        try {
            byte[] local = mirrorStore.get(objectKey);
            if (BlockSource.verifies(key, local, crc32c)) {
                return local;
            }
            log.error("{}", BlockSource.mismatch(key, mirrorStore.uri(), local, crc32c).getMessage()
                    + "; reading the primary's copy (the mirror copy is left for sync verify/repair)");
            missingHere = false;
        } catch (ObjectNotFoundException e) {
            missingHere = true;
        }
        ObjectStore primary = primaryStore.get();
        byte[] data = primary.get(objectKey);
        if (!BlockSource.verifies(key, data, crc32c)) {
            throw BlockSource.mismatch(key, primary.uri(), data, crc32c);
        }
        fromPrimary.increment();
        if (missingHere && keepFetched) {
            keep(objectKey, data);
        }
        return data;
    }

    private void keep(String objectKey, byte[] data) {
        try {
            // The sync service may have copied it meanwhile: never write over an existing object.
            if (mirrorStore.head(objectKey).isEmpty()) {
                mirrorStore.put(objectKey, data);
                kept.increment();
            }
        } catch (IOException e) {
            // The read already has verified bytes; a failed local copy only costs a later GET.
            log.warn("could not keep block {} in {}: {}", objectKey, mirrorStore.uri(), e.toString());
        }
    }

    /** Blocks read from the primary's store so far. */
    public long blocksFromPrimary() {
        return fromPrimary.sum();
    }

    /** Blocks written into the mirror's store after a read from the primary. */
    public long blocksKept() {
        return kept.sum();
    }

    @Override
    public String describe() {
        return mirrorStore.uri() + " (else " + primaryStore.get().uri() + ")";
    }
}
