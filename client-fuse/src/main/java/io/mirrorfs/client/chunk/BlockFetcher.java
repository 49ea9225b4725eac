package io.mirrorfs.client.chunk;

import io.mirrorfs.api.BlockKey;
import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every block read goes: a bounded in-memory LRU of blocks (shared by concurrent readers and
 * by readahead, so a block is fetched once), then the disk cache, then the {@link BlockSource} (the object store, or on a mirror mount the
 * mirror's store with the primary's as fallback). Every block
 * is verified against the size in its key and the CRC32C from metadata before anyone sees it; a
 * block that does not verify is an error naming the object, never bytes.
 */
public final class BlockFetcher {
    private static final Logger log = LoggerFactory.getLogger(BlockFetcher.class);

    private final BlockSource source;
    private final DiskBlockCache diskCache; // may be null: no disk cache
    private final ExecutorService fetchPool;
    private final long memoryBytesMax;
    /** Access-ordered; in-flight fetches count with their expected size. Guarded by {@code this}. */
    private final LinkedHashMap<String, Entry> memory = new LinkedHashMap<>(256, 0.75f, true);
    private long memoryBytes;

    private record Entry(CompletableFuture<byte[]> block, int sizeBytes) {}

    public BlockFetcher(ObjectStore store, DiskBlockCache diskCache, ExecutorService fetchPool, long memoryBytesMax) {
        this(new StoreBlockSource(store), diskCache, fetchPool, memoryBytesMax);
    }

    public BlockFetcher(BlockSource source, DiskBlockCache diskCache, ExecutorService fetchPool, long memoryBytesMax) {
        this.source = source;
        this.diskCache = diskCache;
        this.fetchPool = fetchPool;
        this.memoryBytesMax = memoryBytesMax;
    }

    /** The verified bytes of a block; shared with any fetch of the same key already running. */
    public CompletableFuture<byte[]> fetch(BlockKey key, int crc32c) {
        String objectKey = key.objectKey();
        CompletableFuture<byte[]> mine;
        synchronized (this) {
            Entry existing = memory.get(objectKey);
            if (existing != null) {
                return existing.block();
            }
            mine = new CompletableFuture<>();
            memory.put(objectKey, new Entry(mine, key.blockSizeBytes()));
            memoryBytes += key.blockSizeBytes();
            evictOverBudget();
        }
        try {
            fetchPool.execute(() -> load(key, objectKey, crc32c, mine));
        } catch (RuntimeException rejected) {
            forget(objectKey, mine);
            mine.completeExceptionally(new BlockReadException("cannot schedule read of " + objectKey, rejected));
        }
        return mine;
    }

    /** Starts a fetch whose result only warms the caches. */
    public void prefetch(BlockKey key, int crc32c) {
        fetch(key, crc32c);
    }

    /** Seeds the memory cache with a block just written, so reading one's own writes costs no GET. */
    public void offer(BlockKey key, byte[] data) {
        synchronized (this) {
            if (memory.containsKey(key.objectKey())) {
                return;
            }
            memory.put(key.objectKey(), new Entry(CompletableFuture.completedFuture(data), data.length));
            memoryBytes += data.length;
            evictOverBudget();
        }
    }

    private void load(BlockKey key, String objectKey, int crc32c, CompletableFuture<byte[]> result) {
        try {
            result.complete(readVerified(key, objectKey, crc32c));
        } catch (IOException | RuntimeException e) {
            forget(objectKey, result);
            log.error("block {} unreadable: {}", objectKey, e.toString());
            result.completeExceptionally(e instanceof BlockReadException ? e
                    : new BlockReadException("block " + objectKey + " unreadable: " + e, e));
        }
    }

    private byte[] readVerified(BlockKey key, String objectKey, int crc32c) throws IOException {
        if (diskCache != null) {
            byte[] cached = diskCache.get(objectKey);
            if (cached != null) {
                if (verifies(key, cached, crc32c)) {
                    return cached;
                }
                log.warn("disk cache entry {} failed verification; dropping it and reading the store", objectKey);
                diskCache.invalidate(objectKey);
            }
        }
        byte[] data = source.read(key, crc32c);
        if (diskCache != null) {
            try {
                diskCache.put(objectKey, data);
            } catch (IOException e) {
                // The read itself succeeded; a full or broken cache disk must not fail it.
                log.warn("could not cache block {} on disk: {}", objectKey, e.toString());
            }
        }
        return data;
    }

    private static boolean verifies(BlockKey key, byte[] data, int crc32c) {
        return BlockSource.verifies(key, data, crc32c);
    }

    private synchronized void forget(String objectKey, CompletableFuture<byte[]> which) {
        Entry e = memory.get(objectKey);
        if (e != null && e.block() == which) {
            memory.remove(objectKey);
            memoryBytes -= e.sizeBytes();
        }
    }

    private void evictOverBudget() {
        assert Thread.holdsLock(this);
        Iterator<Map.Entry<String, Entry>> it = memory.entrySet().iterator();
        while (memoryBytes > memoryBytesMax && it.hasNext()) {
            Entry oldest = it.next().getValue();
            // Evicting an in-flight fetch only drops it from the cache; its waiters still get it.
            memoryBytes -= oldest.sizeBytes();
            it.remove();
        }
    }

    public synchronized long memoryBytes() {
        return memoryBytes;
    }
}
