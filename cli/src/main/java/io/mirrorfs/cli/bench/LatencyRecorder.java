package io.mirrorfs.cli.bench;

import java.util.Arrays;

/** Latencies of one worker in one phase: bounded array of nanos (samples beyond the cap are counted, not kept). */
final class LatencyRecorder {
    static final int SAMPLES_MAX = 1 << 21;

    private long[] nanos = new long[1024];
    private int kept;
    private long count;
    private long errors;

    void record(long latencyNanos) {
        count++;
        if (kept == SAMPLES_MAX) {
            return;
        }
        if (kept == nanos.length) {
            nanos = Arrays.copyOf(nanos, Math.min(SAMPLES_MAX, nanos.length * 2));
        }
        nanos[kept++] = latencyNanos;
    }

    void error() {
        errors++;
    }

    long count() {
        return count;
    }

    long errors() {
        return errors;
    }

    /** Merges several workers' samples, sorted. */
    static long[] sortedSamples(Iterable<LatencyRecorder> recorders) {
        int total = 0;
        for (LatencyRecorder r : recorders) {
            total += r.kept;
        }
        long[] all = new long[total];
        int at = 0;
        for (LatencyRecorder r : recorders) {
            System.arraycopy(r.nanos, 0, all, at, r.kept);
            at += r.kept;
        }
        Arrays.sort(all);
        return all;
    }

    static double percentileMillis(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }
}
