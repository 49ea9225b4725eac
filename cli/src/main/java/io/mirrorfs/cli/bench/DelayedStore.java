package io.mirrorfs.cli.bench;

import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.wrap.InterceptingStore;
import io.mirrorfs.store.wrap.Op;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The primary's store as the mirror region's sync service sees it across the inter-region link:
 * every request waits one round trip (twice the one-way delay) before it runs. The transfer time of
 * the bytes is not modelled here; the sync service's own bandwidth limit is what bounds it.
 */
final class DelayedStore extends InterceptingStore {
    private final long roundTripNanos;
    private final AtomicLong requests = new AtomicLong();

    DelayedStore(ObjectStore inner, Duration oneWay) {
        super(inner);
        if (oneWay.isNegative()) {
            throw new IllegalArgumentException("delay must be >= 0: " + oneWay);
        }
        this.roundTripNanos = 2 * oneWay.toNanos();
    }

    /** Requests that crossed the link so far. */
    long requests() {
        return requests.get();
    }

    @Override
    protected <T> T call(Op op, String key, long bytesOut, IoCall<T> call) throws IOException {
        requests.incrementAndGet();
        if (roundTripNanos > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(roundTripNanos); // the injected link latency itself
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(op + " " + key + " interrupted while crossing the delayed link");
            }
        }
        return call.run();
    }
}
