package io.mirrorfs.store.wrap;

import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * Caps the bytes a store moves (puts and reads together) to {@code bytesPerSecond} on average, with
 * bursts up to {@code burstBytes}. A put waits before sending; a read is charged after it returns
 * (its size is not known before), which delays the next operation instead. Waits are bounded by the
 * size of one object at the configured rate.
 */
public final class BandwidthLimitedStore extends InterceptingStore {

    private final long bytesPerSecond;
    private final long burstBytes;
    private final Object lock = new Object();
    /** Tokens in bytes; negative after a read overdraws the bucket. */
    private double tokens;
    private long lastRefillNanos = System.nanoTime();

    public BandwidthLimitedStore(ObjectStore inner, long bytesPerSecond, long burstBytes) {
        super(inner);
        if (bytesPerSecond <= 0 || burstBytes <= 0) {
            throw new IllegalArgumentException("bandwidth and burst must be positive");
        }
        this.bytesPerSecond = bytesPerSecond;
        this.burstBytes = burstBytes;
        this.tokens = burstBytes;
    }

    @Override
    protected <T> T call(Op op, String key, long bytesOut, IoCall<T> call) throws IOException {
        if (bytesOut > 0) {
            charge(bytesOut);
        } else {
            charge(0); // wait out any debt left by earlier reads
        }
        T result = call.run();
        long in = bytesIn(result);
        if (in > 0) {
            synchronized (lock) {
                refill();
                tokens -= in;
            }
        }
        return result;
    }

    private void refill() {
        long now = System.nanoTime();
        tokens = Math.min(burstBytes, tokens + (now - lastRefillNanos) * (double) bytesPerSecond / 1e9);
        lastRefillNanos = now;
    }

    private void charge(long bytes) throws InterruptedIOException {
        long waitNanos;
        synchronized (lock) {
            refill();
            tokens -= bytes;
            waitNanos = tokens >= 0 ? 0 : (long) (-tokens * 1e9 / bytesPerSecond);
        }
        if (waitNanos > 0) {
            try {
                java.util.concurrent.TimeUnit.NANOSECONDS.sleep(waitNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while rate limiting");
            }
        }
    }
}
