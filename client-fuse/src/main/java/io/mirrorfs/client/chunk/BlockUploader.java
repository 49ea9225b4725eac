package io.mirrorfs.client.chunk;

import io.mirrorfs.api.BlockKey;
import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads blocks in parallel on a bounded pool, with a bound on the bytes queued or in flight: a
 * writer that outruns the store blocks in {@link #upload} (back-pressure) instead of filling the
 * heap. Transient store errors are retried a bounded number of times.
 */
public final class BlockUploader {
    private static final Logger log = LoggerFactory.getLogger(BlockUploader.class);
    private static final int ATTEMPTS_MAX = 4;
    private static final long BACKOFF_MILLIS_FIRST = 50;

    private final ObjectStore store;
    private final ExecutorService uploadPool;
    private final int inFlightBytesMax;
    private final Semaphore inFlightBytes;

    public BlockUploader(ObjectStore store, ExecutorService uploadPool, int inFlightBytesMax) {
        if (inFlightBytesMax <= 0) {
            throw new IllegalArgumentException("in-flight budget must be positive: " + inFlightBytesMax);
        }
        this.store = store;
        this.uploadPool = uploadPool;
        this.inFlightBytesMax = inFlightBytesMax;
        this.inFlightBytes = new Semaphore(inFlightBytesMax);
    }

    /**
     * Schedules the upload of one block, waiting while the in-flight budget is used up. The future
     * completes with the block's CRC32C once the store has the object durably.
     */
    public CompletableFuture<Integer> upload(BlockKey key, byte[] data) throws InterruptedIOException {
        assert data.length == key.blockSizeBytes() : "block size " + data.length + " != key " + key;
        int permits = Math.min(data.length, inFlightBytesMax);
        try {
            inFlightBytes.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for upload budget");
        }
        CompletableFuture<Integer> done = new CompletableFuture<>();
        try {
            uploadPool.execute(() -> {
                try {
                    putWithRetries(key.objectKey(), data);
                    done.complete(Crc32c.of(data));
                } catch (IOException | RuntimeException e) {
                    log.error("upload of block {} to {} failed: {}", key.objectKey(), store.uri(), e.toString());
                    done.completeExceptionally(e);
                } finally {
                    inFlightBytes.release(permits);
                }
            });
        } catch (RuntimeException rejected) {
            inFlightBytes.release(permits);
            done.completeExceptionally(rejected);
        }
        return done;
    }

    private void putWithRetries(String objectKey, byte[] data) throws IOException {
        long backoffMillis = BACKOFF_MILLIS_FIRST;
        for (int attempt = 1; ; attempt++) {
            try {
                store.put(objectKey, data);
                return;
            } catch (IOException e) {
                if (attempt >= ATTEMPTS_MAX) {
                    throw e;
                }
                log.warn("upload of {} failed (attempt {}/{}), retrying: {}", objectKey, attempt, ATTEMPTS_MAX, e.toString());
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted between upload retries of " + objectKey);
                }
                backoffMillis *= 4;
            }
        }
    }
}
