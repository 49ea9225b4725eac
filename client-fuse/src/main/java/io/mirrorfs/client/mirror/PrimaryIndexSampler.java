package io.mirrorfs.client.mirror;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Samples of the primary's newest changelog index, taken by one small RPC and shared by every read
 * that can use it. A sample is usable by a read that needs "the primary's state at some time at or
 * after T" when its request was <em>sent</em> at or after T: the primary answers with an index at
 * least as new as at that moment.
 *
 * <p>So a linearizable read (T = its own arrival) never shares a probe already in flight when it
 * arrived; it waits for the next one, which is shared by every read that arrived meanwhile (at most
 * one probe in flight and one queued, whatever the read rate). A bounded read (T = arrival − bound)
 * reuses the newest sample while it is fresh enough.
 */
final class PrimaryIndexSampler {

    /** The primary's newest changelog index as of a probe sent at {@code sentNanos}. */
    record Sample(long sentNanos, long primaryIndex) {}

    private final Supplier<CompletableFuture<Long>> probe;
    private final LongSupplier clock;
    // All guarded by this.
    private Sample latest;
    private CompletableFuture<Sample> inFlight;
    private long inFlightSentNanos;
    private CompletableFuture<Sample> queued;

    PrimaryIndexSampler(Supplier<CompletableFuture<Long>> probe, LongSupplier nanoClock) {
        this.probe = probe;
        this.clock = nanoClock;
    }

    /**
     * A sample whose probe was sent at or after {@code notBeforeNanos}. The returned future is the
     * caller's own (cancelling it does not disturb other readers).
     */
    CompletableFuture<Sample> sentAtOrAfter(long notBeforeNanos) {
        synchronized (this) {
            if (latest != null && latest.sentNanos() - notBeforeNanos >= 0) {
                return CompletableFuture.completedFuture(latest);
            }
            if (inFlight == null) {
                return launch().copy();
            }
            if (inFlightSentNanos - notBeforeNanos >= 0) {
                return inFlight.copy();
            }
            if (queued == null) {
                queued = new CompletableFuture<>();
            }
            return queued.copy();
        }
    }

    /** The newest sample taken, or null. */
    synchronized Sample latest() {
        return latest;
    }

    private CompletableFuture<Sample> launch() {
        assert Thread.holdsLock(this);
        long sent = clock.getAsLong();
        CompletableFuture<Sample> result = new CompletableFuture<>();
        inFlight = result;
        inFlightSentNanos = sent;
        CompletableFuture<Long> reply;
        try {
            reply = probe.get();
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((index, error) -> finished(result, sent, index, error));
        return result;
    }

    private void finished(CompletableFuture<Sample> result, long sent, Long index, Throwable error) {
        Sample sample = error == null ? new Sample(sent, index) : null;
        synchronized (this) {
            if (sample != null && (latest == null || sent - latest.sentNanos() > 0)) {
                latest = sample;
            }
            if (inFlight == result) {
                inFlight = null;
            }
            CompletableFuture<Sample> next = queued;
            queued = null;
            if (next != null) {
                launch().whenComplete((s, e) -> {
                    if (e != null) {
                        next.completeExceptionally(e);
                    } else {
                        next.complete(s);
                    }
                });
            }
        }
        if (sample != null) {
            result.complete(sample);
        } else {
            result.completeExceptionally(error);
        }
    }
}
