package io.mirrorfs.cli.bench;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Lag of one mirror figure behind the primary, per primary changelog index: the primary side says
 * when it applied an index ({@link #primaryApplied}, the time its writer got the reply), the mirror
 * side says how far it had got when sampled ({@link #mirrorReached}, the time the sample's reply came
 * back); the lag of an index is the time of the first sample at or past it minus its primary time.
 * Samples are taken every few milliseconds, so the figure is an upper bound by at most one sampling
 * interval plus one local query. Thread-safe; bounded by the indices written and not yet seen.
 */
final class LagTracker {
    /** Bound on indices awaiting the mirror: beyond it the load outruns the mirror by far, and the run says so. */
    static final int PENDING_MAX = 1_000_000;

    /** A summary of the lags recorded so far. */
    record Summary(long count, double p50Millis, double p99Millis, double maxMillis, long pending,
                   double oldestPendingMillis, long dropped) {}

    private final NavigableMap<Long, Long> pending = new TreeMap<>(); // primary index -> primary time (nanos)
    private LatencyRecorder lags = new LatencyRecorder();
    private long seenIndex;
    private long dropped;
    private long highestApplied;
    private long floor; // indices at or below were written before the measurement began

    /** The primary applied {@code index} at {@code atNanos} (System.nanoTime). */
    synchronized void primaryApplied(long index, long atNanos) {
        highestApplied = Math.max(highestApplied, index);
        if (index <= floor) {
            return;
        }
        if (index <= seenIndex) {
            // The mirror showed it before the writer had its reply: no lag observable at this resolution.
            lags.record(0);
            return;
        }
        if (pending.size() >= PENDING_MAX && !pending.containsKey(index)) {
            dropped++;
            return;
        }
        pending.merge(index, atNanos, Math::min);
    }

    /** A mirror sample answered at {@code atNanos} showing the mirror at {@code index}. */
    synchronized void mirrorReached(long index, long atNanos) {
        if (index <= seenIndex) {
            return;
        }
        seenIndex = index;
        Map<Long, Long> reached = pending.headMap(index, true);
        for (long primaryNanos : reached.values()) {
            lags.record(Math.max(0, atNanos - primaryNanos));
        }
        reached.clear();
    }

    /** Starts the measurement afresh (after a warm-up): forgets lags so far and every index written so far. */
    synchronized void reset() {
        lags = new LatencyRecorder();
        pending.clear();
        dropped = 0;
        floor = highestApplied;
    }

    synchronized long pendingCount() {
        return pending.size();
    }

    synchronized Summary summary(long nowNanos) {
        long[] sorted = LatencyRecorder.sortedSamples(java.util.List.of(lags));
        double max = sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6;
        double oldest = pending.isEmpty() ? 0 : (nowNanos - pending.firstEntry().getValue()) / 1e6;
        return new Summary(lags.count(), LatencyRecorder.percentileMillis(sorted, 50),
                LatencyRecorder.percentileMillis(sorted, 99), max, pending.size(), oldest, dropped);
    }
}
