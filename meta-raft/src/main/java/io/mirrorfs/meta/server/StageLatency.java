package io.mirrorfs.meta.server;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free latency histogram for one stage of the write path (e.g. "prepare to apply"), cheap
 * enough to stay on in production: one atomic increment per sample. Buckets are powers of two of
 * microseconds, so percentiles are upper bounds within a factor of two — enough to see which stage
 * holds the time, which is all it is for.
 */
final class StageLatency {
    /** Bucket i holds samples in [2^(i-1), 2^i) µs; the last bucket is open-ended (> 2^30 µs ≈ 18 min). */
    private static final int BUCKETS = 32;

    private final String name;
    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray sumMicros = new AtomicLongArray(1);

    StageLatency(String name) {
        this.name = name;
    }

    void record(long nanos) {
        long micros = Math.max(0, nanos / 1_000);
        int bucket = Math.min(BUCKETS - 1, 64 - Long.numberOfLeadingZeros(micros));
        counts.incrementAndGet(bucket);
        sumMicros.addAndGet(0, micros);
    }

    /** Reads and clears the histogram; null when nothing was recorded since the last call. */
    Summary drain() {
        long[] taken = new long[BUCKETS];
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            taken[i] = counts.getAndSet(i, 0);
            total += taken[i];
        }
        long sum = sumMicros.getAndSet(0, 0);
        if (total == 0) {
            return null;
        }
        return new Summary(name, total, sum / total, upperBoundMicros(taken, total, 0.50), upperBoundMicros(taken, total, 0.99));
    }

    private static long upperBoundMicros(long[] counts, long total, double quantile) {
        long rank = (long) Math.ceil(quantile * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return 1L << i;
            }
        }
        return Long.MAX_VALUE;
    }

    record Summary(String stage, long count, long meanMicros, long p50MicrosAtMost, long p99MicrosAtMost) {
        @Override
        public String toString() {
            return String.format("%s n=%d mean=%.2fms p50<=%.2fms p99<=%.2fms", stage, count,
                    meanMicros / 1e3, p50MicrosAtMost / 1e3, p99MicrosAtMost / 1e3);
        }
    }
}
