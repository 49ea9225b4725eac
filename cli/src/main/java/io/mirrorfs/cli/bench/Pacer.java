package io.mirrorfs.cli.bench;

import java.util.concurrent.TimeUnit;

/**
 * Hands out permits at a fixed rate shared by several threads (an open-loop load): a permit is due
 * every {@code 1/rate} seconds; a backlog is capped at {@link #BACKLOG_NANOS_MAX}, so a stall is not
 * followed by an unbounded burst. Rate 0 means unlimited (every request gets a permit).
 */
final class Pacer {
    static final long BACKLOG_NANOS_MAX = TimeUnit.SECONDS.toNanos(1);

    private final long intervalNanos;
    private long nextDueNanos; // guarded by this

    /** {@code perSecond} permits per second; 0 = unlimited. */
    Pacer(double perSecond, long startNanos) {
        if (perSecond < 0 || Double.isNaN(perSecond)) {
            throw new IllegalArgumentException("rate must be >= 0: " + perSecond);
        }
        this.intervalNanos = perSecond == 0 ? 0 : Math.max(1, (long) (1e9 / perSecond));
        this.nextDueNanos = startNanos;
    }

    /** Takes a permit if one is due at {@code nowNanos}. */
    synchronized boolean tryTake(long nowNanos) {
        if (intervalNanos == 0) {
            return true;
        }
        if (nowNanos - nextDueNanos < 0) {
            return false;
        }
        nextDueNanos = Math.max(nextDueNanos, nowNanos - BACKLOG_NANOS_MAX) + intervalNanos;
        return true;
    }

    /** Nanoseconds until the next permit is due (0 if one is due now). */
    synchronized long nanosUntilDue(long nowNanos) {
        return intervalNanos == 0 ? 0 : Math.max(0, nextDueNanos - nowNanos);
    }
}
