package io.mirrorfs.meta.mirror;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.ChangelogEntry;
import io.mirrorfs.api.proto.MetaReply;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proposals of one Follow session: each changelog entry becomes a MirroredOp chained to the entry
 * before it, sent in stream order with at most {@code inFlightMax} outstanding. The engine applies a
 * MirroredOp only if it continues the chain, so if the transport reorders two proposals, or one fails
 * and a later one arrives, the later one is refused rather than applied out of order: this window
 * then fails, and the follower resumes from the mirror's own primary index.
 */
final class ProposalWindow {
    private static final Logger LOG = LoggerFactory.getLogger(ProposalWindow.class);

    /** Callbacks into the follower's counters, called from reply threads. */
    interface Listener {
        void applied(long primaryIndex);

        void refused(long primaryIndex, long mirrorPrimaryIndex);

        void divergent(long primaryIndex, int errno);
    }

    private final MetadataClient mirror;
    private final int inFlightMax;
    private final Semaphore permits;
    private final Listener listener;
    private final Consumer<Throwable> onFailure;
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private long lastProposed;
    private long proposed;
    /** Primary index → the primary's time_ns of each entry proposed and not yet answered (for lag in time). */
    private final java.util.concurrent.ConcurrentSkipListMap<Long, Long> outstandingTimeNs =
            new java.util.concurrent.ConcurrentSkipListMap<>();

    /**
     * @param resumeAfter the mirror's primary index when the session started: the first proposal's predecessor
     * @param onFailure   called once, on the first failed or refused proposal (the follower cancels the stream)
     */
    ProposalWindow(MetadataClient mirror, int inFlightMax, long resumeAfter, Listener listener, Consumer<Throwable> onFailure) {
        this.mirror = mirror;
        this.inFlightMax = inFlightMax;
        this.permits = new Semaphore(inFlightMax);
        this.lastProposed = resumeAfter;
        this.listener = listener;
        this.onFailure = onFailure;
    }

    /** Sends the next entry once a slot is free; throws the window's failure if a proposal already failed. */
    void propose(ChangelogEntry entry) throws IOException, InterruptedException {
        if (entry.getIndex() <= lastProposed) {
            throw new IOException("the primary streamed index " + entry.getIndex() + " after " + lastProposed
                    + ": changelog indexes must increase");
        }
        permits.acquire();
        IOException failed = failure.get();
        if (failed != null) {
            permits.release();
            throw failed;
        }
        long primaryIndex = entry.getIndex();
        long previous = lastProposed;
        lastProposed = primaryIndex;
        proposed++;
        outstandingTimeNs.put(primaryIndex, entry.getEntry().getTimeNs());
        mirror.mutate(MirroredOps.mirrored(previous, entry)).whenComplete((reply, error) -> {
            try {
                onReply(primaryIndex, reply, error);
            } finally {
                outstandingTimeNs.remove(primaryIndex);
                permits.release();
            }
        });
    }

    private void onReply(long primaryIndex, MetaReply reply, Throwable error) {
        if (error != null) {
            fail(new IOException("proposing primary entry " + primaryIndex + " to the mirror group failed", error));
        } else if (reply.getErrno() != 0 && reply.hasMirrorState()) {
            long at = reply.getMirrorState().getPrimaryIndex();
            listener.refused(primaryIndex, at);
            fail(new IOException("the mirror group refused primary entry " + primaryIndex + ": it is at primary index "
                    + at + " (an earlier proposal failed or was reordered); resuming from there"));
        } else if (reply.getErrno() != 0) {
            // The engine recorded the entry as applied (its primary index moved) but the op failed where it
            // succeeded on the primary: carrying on keeps the mirror live; the status makes it loud.
            listener.divergent(primaryIndex, reply.getErrno());
            listener.applied(primaryIndex);
        } else {
            listener.applied(primaryIndex);
        }
    }

    private void fail(IOException e) {
        if (failure.compareAndSet(null, e)) {
            LOG.warn("mirror proposals stop: {}", e.getMessage());
            onFailure.accept(e);
        }
    }

    /** The primary's time_ns of the oldest entry still outstanding, or 0 when none is. */
    long oldestOutstandingTimeNs() {
        var oldest = outstandingTimeNs.firstEntry();
        return oldest == null ? 0 : oldest.getValue();
    }

    /** The first failure, or null. */
    IOException failure() {
        return failure.get();
    }

    long proposedCount() {
        return proposed;
    }

    /** Waits until no proposal is outstanding, at most {@code timeout}; true when drained. */
    boolean drain(Duration timeout) throws InterruptedException {
        if (permits.tryAcquire(inFlightMax, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            permits.release(inFlightMax);
            return true;
        }
        return false;
    }
}
