package io.mirrorfs.store.wrap;

import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts per operation: calls, errors, bytes sent and received, and a latency histogram with
 * power-of-two microsecond buckets (bucket i holds latencies in [2^(i-1), 2^i) µs). Plain counters,
 * cheap to update from many threads; {@link #snapshot()} copies them.
 */
public final class MetricsStore extends InterceptingStore {

    /** 2^31 µs ≈ 36 min: everything slower lands in the last bucket. */
    public static final int LATENCY_BUCKETS = 32;

    private static final class Counters {
        final LongAdder calls = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder bytesOut = new LongAdder();
        final LongAdder bytesIn = new LongAdder();
        final LongAdder[] latency = new LongAdder[LATENCY_BUCKETS];

        Counters() {
            for (int i = 0; i < LATENCY_BUCKETS; i++) {
                latency[i] = new LongAdder();
            }
        }
    }

    /** A copy of one operation's counters. */
    public record OpStats(long calls, long errors, long bytesOut, long bytesIn, long[] latencyMicrosLog2Buckets) {
        /** An upper bound of the q-quantile latency in microseconds (bucket resolution), 0 if no calls. */
        public long latencyMicrosQuantileUpper(double q) {
            long total = 0;
            for (long c : latencyMicrosLog2Buckets) {
                total += c;
            }
            if (total == 0) {
                return 0;
            }
            long rank = (long) Math.ceil(q * total);
            long seen = 0;
            for (int i = 0; i < latencyMicrosLog2Buckets.length; i++) {
                seen += latencyMicrosLog2Buckets[i];
                if (seen >= rank) {
                    return 1L << i;
                }
            }
            return Long.MAX_VALUE;
        }
    }

    private final Map<Op, Counters> counters = new EnumMap<>(Op.class);

    public MetricsStore(ObjectStore inner) {
        super(inner);
        for (Op op : Op.values()) {
            counters.put(op, new Counters());
        }
    }

    @Override
    protected <T> T call(Op op, String key, long bytesOut, IoCall<T> call) throws IOException {
        Counters c = counters.get(op);
        long start = System.nanoTime();
        boolean ok = false;
        try {
            T result = call.run();
            c.bytesIn.add(bytesIn(result));
            ok = true;
            return result;
        } finally {
            long micros = (System.nanoTime() - start) / 1000;
            c.calls.increment();
            c.bytesOut.add(bytesOut);
            if (!ok) {
                c.errors.increment();
            }
            int bucket = Math.min(LATENCY_BUCKETS - 1, 64 - Long.numberOfLeadingZeros(micros));
            c.latency[bucket].increment();
        }
    }

    public Map<Op, OpStats> snapshot() {
        Map<Op, OpStats> out = new EnumMap<>(Op.class);
        counters.forEach((op, c) -> {
            long[] buckets = new long[LATENCY_BUCKETS];
            for (int i = 0; i < LATENCY_BUCKETS; i++) {
                buckets[i] = c.latency[i].sum();
            }
            out.put(op, new OpStats(c.calls.sum(), c.errors.sum(), c.bytesOut.sum(), c.bytesIn.sum(), buckets));
        });
        return out;
    }
}
