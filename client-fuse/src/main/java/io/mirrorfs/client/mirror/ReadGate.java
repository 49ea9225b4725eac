package io.mirrorfs.client.mirror;

import io.mirrorfs.api.Errno;
import io.mirrorfs.client.FsException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when a metadata read may be served by the mirror group (DESIGN §4) and waits, bounded,
 * until it may. All indexes are primary changelog indexes.
 *
 * <ul>
 *   <li>every mode: the mirror must have reached this mount's session floor — the highest index it
 *       has written (forwarded mutations' replies) or observed (mirror replies). That is
 *       read-your-writes and monotonic reads, and all {@code session} does;
 *   <li>{@code linearizable}: also the primary's newest index from a probe sent after the read
 *       arrived ({@link PrimaryIndexSampler}: shared by the reads arriving meanwhile);
 *   <li>{@code bounded:d}: also the primary's newest index from a probe sent at or after
 *       {@code arrival − d} (a sample is reused while younger than d).
 * </ul>
 * A wait longer than {@code waitMax} fails the read with EIO and logs how far behind the mirror is.
 */
public final class ReadGate {
    private static final Logger log = LoggerFactory.getLogger(ReadGate.class);
    /** Real-time slice of one wait, so a deadline on an injected clock is noticed promptly. */
    private static final long WAIT_SLICE_MILLIS = 20;

    private final ConsistencyMode mode;
    private final PrimaryIndexSampler primary;
    private final MirrorProgress mirror;
    private final LongSupplier clock;
    private final long waitNanosMax;
    private final AtomicLong sessionFloor = new AtomicLong();

    ReadGate(ConsistencyMode mode, PrimaryIndexSampler primary, MirrorProgress mirror, LongSupplier nanoClock,
             long waitMillisMax) {
        if (waitMillisMax < 1) {
            throw new IllegalArgumentException("waitMillisMax must be positive: " + waitMillisMax);
        }
        this.mode = mode;
        this.primary = primary;
        this.mirror = mirror;
        this.clock = nanoClock;
        this.waitNanosMax = TimeUnit.MILLISECONDS.toNanos(waitMillisMax);
    }

    public ConsistencyMode mode() {
        return mode;
    }

    /** Blocks until a read may be served; returns the primary index its answer must reflect. */
    public long awaitReadable() throws FsException {
        long arrival = clock.getAsLong();
        long deadline = arrival + waitNanosMax;
        long target = sessionFloor.get();
        long notBefore = switch (mode) {
            case ConsistencyMode.Linearizable l -> arrival;
            case ConsistencyMode.Bounded b -> arrival - b.staleness().toNanos();
            case ConsistencyMode.Session s -> Long.MIN_VALUE;
        };
        if (notBefore != Long.MIN_VALUE) {
            PrimaryIndexSampler.Sample sample = await(primary.sentAtOrAfter(notBefore), arrival, deadline, target,
                    "the primary's newest index");
            target = Math.max(target, sample.primaryIndex());
        }
        if (mirror.applied() < target) {
            await(mirror.reached(target), arrival, deadline, target, "the mirror to apply primary index " + target);
        }
        return target;
    }

    /** A forwarded mutation was acknowledged at this changelog index: the mount must read it back. */
    public void wrote(long changelogIndex) {
        sessionFloor.accumulateAndGet(changelogIndex, Math::max);
    }

    /** A mirror reply reflected this primary index: later reads may not go back before it. */
    public void observed(long primaryIndex) {
        sessionFloor.accumulateAndGet(primaryIndex, Math::max);
        mirror.observe(primaryIndex);
    }

    public long sessionFloor() {
        return sessionFloor.get();
    }

    /** The highest primary index the mirror is known to have applied. */
    public long mirrorApplied() {
        return mirror.applied();
    }

    private <T> T await(CompletableFuture<T> future, long arrival, long deadline, long target, String waitingFor)
            throws FsException {
        try {
            while (true) {
                long remaining = deadline - clock.getAsLong();
                if (remaining <= 0) {
                    future.cancel(false);
                    throw timedOut(arrival, target, waitingFor);
                }
                try {
                    return future.get(Math.min(TimeUnit.NANOSECONDS.toMillis(remaining) + 1, WAIT_SLICE_MILLIS),
                            TimeUnit.MILLISECONDS);
                } catch (TimeoutException slice) {
                    // not yet: look at the deadline again
                }
            }
        } catch (InterruptedException e) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw new FsException(Errno.EIO, "interrupted waiting for the mirror", e);
        } catch (ExecutionException e) {
            log.warn("{} read cannot learn the primary's or mirror's progress: {}", mode, e.getCause().toString());
            throw new FsException(Errno.EIO, mode + " read: cannot learn the primary's or the mirror's progress: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    private FsException timedOut(long arrival, long target, String waitingFor) {
        long applied = mirror.applied();
        PrimaryIndexSampler.Sample latest = primary.latest();
        String message = String.format("%s read waited %d ms for %s; the mirror is at primary index %d, the read needs"
                        + " at least %d (%d entries behind%s)", mode, TimeUnit.NANOSECONDS.toMillis(clock.getAsLong() - arrival),
                waitingFor, applied, target, Math.max(0, target - applied),
                latest == null ? "" : "; primary's newest known index " + latest.primaryIndex());
        log.warn(message);
        return new FsException(Errno.EIO, message);
    }
}
