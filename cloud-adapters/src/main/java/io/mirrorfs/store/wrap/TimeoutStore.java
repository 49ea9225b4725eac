package io.mirrorfs.store.wrap;

import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.StoreException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounds every operation in time: metadata operations by {@code metadataTimeout}; data operations
 * by {@code dataTimeoutBase} plus the time the payload takes at {@code bytesPerSecondMin} (a 4 MiB
 * block on a slow link needs longer than a head). The call runs on a virtual thread which is
 * interrupted on timeout; the caller gets a retryable {@link StoreException} either way.
 */
public final class TimeoutStore extends InterceptingStore {

    private final Duration metadataTimeout;
    private final Duration dataTimeoutBase;
    private final long bytesPerSecondMin;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    public TimeoutStore(ObjectStore inner, Duration metadataTimeout, Duration dataTimeoutBase, long bytesPerSecondMin) {
        super(inner);
        if (bytesPerSecondMin <= 0) {
            throw new IllegalArgumentException("bytesPerSecondMin must be positive");
        }
        this.metadataTimeout = metadataTimeout;
        this.dataTimeoutBase = dataTimeoutBase;
        this.bytesPerSecondMin = bytesPerSecondMin;
    }

    long timeoutMillis(Op op, long bytes) {
        if (!op.movesData()) {
            return metadataTimeout.toMillis();
        }
        // Reads do not know their size up front: budget for the largest block the backend puts in one part.
        long size = op == Op.PUT ? bytes : Math.min(inner.limits().partSizeBytes(), 64L << 20);
        return dataTimeoutBase.toMillis() + size * 1000 / bytesPerSecondMin;
    }

    @Override
    protected <T> T call(Op op, String key, long bytesOut, IoCall<T> call) throws IOException {
        long limit = timeoutMillis(op, bytesOut);
        Future<T> future = executor.submit(call::run);
        try {
            return future.get(limit, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new StoreException(op + " " + key + " in " + inner.uri() + " timed out after " + limit + " ms", true, e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted during " + op + " " + key);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(op + " " + key + " failed", cause);
        }
    }

    @Override
    public void close() throws IOException {
        executor.shutdownNow();
        super.close();
    }
}
