package io.mirrorfs.client.mirror;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far the mirror region has followed the primary (its applied primary index), as this mount
 * knows it, and the waits for it to get further. Polling is shared: while any read waits, one
 * MirrorStateQuery goes to the mirror group per poll interval, whatever the number of waiting reads;
 * with no one waiting nothing is polled. Every mirror reply's changelog_index also moves it.
 */
final class MirrorProgress {
    private static final Logger log = LoggerFactory.getLogger(MirrorProgress.class);

    private record Waiter(long target, CompletableFuture<Long> reached) {}

    private final Supplier<CompletableFuture<Long>> probe;
    private final ScheduledExecutorService scheduler;
    private final long pollIntervalMillis;
    private final int waitersMax;
    private final AtomicLong applied = new AtomicLong();
    /** Guarded by this. */
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>(Comparator.comparingLong(Waiter::target));
    private boolean polling;

    MirrorProgress(Supplier<CompletableFuture<Long>> probe, ScheduledExecutorService scheduler, long pollIntervalMillis,
                   int waitersMax) {
        if (pollIntervalMillis < 1 || waitersMax < 1) {
            throw new IllegalArgumentException("poll interval and waiter bound must be positive");
        }
        this.probe = probe;
        this.scheduler = scheduler;
        this.pollIntervalMillis = pollIntervalMillis;
        this.waitersMax = waitersMax;
    }

    /** The highest primary index the mirror is known to have applied. */
    long applied() {
        return applied.get();
    }

    /** Whether a poll loop is running (only while reads wait). */
    synchronized boolean isPolling() {
        return polling;
    }

    /** The mirror was seen at {@code primaryIndex} (a reply or a poll). */
    void observe(long primaryIndex) {
        release(applied.accumulateAndGet(primaryIndex, Math::max));
    }

    /**
     * Completes (with the applied index) once the mirror has applied {@code target}. The future is the
     * caller's own: cancel it when giving up.
     */
    CompletableFuture<Long> reached(long target) {
        long now = applied.get();
        if (now >= target) {
            return CompletableFuture.completedFuture(now);
        }
        Waiter w = new Waiter(target, new CompletableFuture<>());
        boolean startPolling;
        synchronized (this) {
            waiters.removeIf(x -> x.reached().isDone());
            if (waiters.size() >= waitersMax) {
                return CompletableFuture.failedFuture(new IllegalStateException(
                        "more than " + waitersMax + " reads waiting for the mirror"));
            }
            waiters.add(w);
            startPolling = !polling;
            polling = true;
        }
        if (startPolling) {
            pollOnce();
        }
        release(applied.get()); // an observe() may have raced with the registration
        return w.reached();
    }

    private void release(long now) {
        List<Waiter> done = new ArrayList<>();
        synchronized (this) {
            while (!waiters.isEmpty() && (waiters.peek().target() <= now || waiters.peek().reached().isDone())) {
                done.add(waiters.poll());
            }
        }
        for (Waiter w : done) {
            w.reached().complete(now);
        }
    }

    private void pollOnce() {
        CompletableFuture<Long> reply;
        try {
            reply = probe.get();
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((index, error) -> {
            if (error == null) {
                observe(index);
            } else {
                log.debug("mirror progress poll failed: {}", error.toString());
            }
            synchronized (this) {
                waiters.removeIf(x -> x.reached().isDone());
                if (waiters.isEmpty()) {
                    polling = false;
                    return;
                }
            }
            try {
                scheduler.schedule(this::pollOnce, pollIntervalMillis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                synchronized (this) {
                    polling = false;
                }
            }
        });
    }
}
