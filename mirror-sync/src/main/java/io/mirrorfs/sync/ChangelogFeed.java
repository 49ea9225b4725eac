package io.mirrorfs.sync;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.proto.ChangelogEntry;
import io.mirrorfs.api.proto.ChangelogServiceGrpc;
import io.mirrorfs.api.proto.FollowRequest;
import io.mirrorfs.api.proto.LogEntry;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the mirror region's own applied changelog (primary-index order) into the block sync. Any
 * node of the region serves it; a failed or ended session moves to the next node after a capped
 * exponential backoff (reset once a session delivers entries), and every session resumes from what
 * the sync has already been handed, so an entry is never skipped (the sync ignores re-fed ones).
 *
 * <p>{@link #run()} returns, rather than retrying, when the entries sync needs are no longer retained
 * (OUT_OF_RANGE: the region bootstrapped, or trimmed past the resume index): the daemon then runs a
 * full pass. It also returns when the daemon asks it to {@link #yieldToDaemon() yield} (the region's
 * role or primary changed).
 */
final class ChangelogFeed {
    private static final Logger LOG = LoggerFactory.getLogger(ChangelogFeed.class);
    /** The mirror name sync follows (and acks) as: the region's retention keeps what it has not acked. */
    static final String MIRROR_NAME = "sync";

    /** Why {@link #run()} returned. */
    enum Outcome {
        /** {@link #close()} was called (or the thread was interrupted). */
        CLOSED,
        /** The region's changelog no longer holds the resume index: only a full pass can catch up. */
        BEHIND_RETAINED,
        /** The daemon asked the feed to stop following for now ({@link #yieldToDaemon()}). */
        YIELDED
    }

    /** Where entries go: the block sync service. */
    interface Consumer {
        /** The first primary index still needed. */
        long resumeFrom();

        void submit(long primaryIndex, LogEntry entry) throws InterruptedException;
    }

    private final RegionChannels channels;
    private final String volume;
    private final String region;
    private final Consumer consumer;
    private final Duration backoffMin;
    private final Duration backoffMax;
    private final Object pauseLock = new Object();
    private volatile boolean closed;
    /** Set by {@link #yieldToDaemon()}, consumed when run() returns YIELDED (so a yield before run() is not lost). */
    private volatile boolean yieldRequested;
    private volatile Context.CancellableContext session;
    private volatile String connectedTo = "";
    private volatile String lastError = "";
    private volatile long lastIndexReceived;

    ChangelogFeed(RegionChannels channels, String volume, String region, Consumer consumer, Duration backoffMin,
                  Duration backoffMax) {
        this.channels = channels;
        this.volume = volume;
        this.region = region;
        this.consumer = consumer;
        this.backoffMin = backoffMin;
        this.backoffMax = backoffMax;
    }

    /** Follows until closed, until the resume index is no longer retained, or until asked to yield. */
    Outcome run() {
        List<MetaPeer> peers = channels.peers();
        int next = 0;
        long backoffMillis = backoffMin.toMillis();
        Outcome outcome = Outcome.CLOSED;
        while (!closed) {
            if (yieldRequested) {
                yieldRequested = false;
                outcome = Outcome.YIELDED;
                break;
            }
            MetaPeer peer = peers.get(next % peers.size());
            long before = lastIndexReceived;
            try {
                followOnce(peer);
            } catch (InterruptedException e) {
                break;
            } catch (StatusRuntimeException e) {
                if (closed) {
                    break;
                }
                if (yieldRequested && e.getStatus().getCode() == Status.Code.CANCELLED) {
                    continue; // our own cancellation: the loop head returns YIELDED
                }
                lastError = describe(peer, e.getStatus());
                if (e.getStatus().getCode() == Status.Code.OUT_OF_RANGE) {
                    LOG.info("sync of region '{}': {}", region, lastError);
                    outcome = Outcome.BEHIND_RETAINED;
                    connectedTo = "";
                    break;
                }
                if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                    LOG.error("sync of region '{}': {}", region, lastError);
                } else {
                    LOG.warn("sync of region '{}': {}; trying the next node in {} ms", region, lastError, backoffMillis);
                }
            }
            connectedTo = "";
            if (yieldRequested) {
                continue;
            }
            if (lastIndexReceived > before) {
                backoffMillis = backoffMin.toMillis();
            }
            next++;
            if (!pause(backoffMillis)) {
                break;
            }
            backoffMillis = Math.min(backoffMillis * 2, backoffMax.toMillis());
        }
        connectedTo = "";
        LOG.info("sync of region '{}' stopped following its changelog at primary index {} ({})", region,
                lastIndexReceived, outcome);
        return outcome;
    }

    private void followOnce(MetaPeer peer) throws InterruptedException {
        long from = consumer.resumeFrom();
        Context.CancellableContext context = Context.current().withCancellation();
        session = context;
        Context previous = context.attach();
        try {
            if (closed || yieldRequested) {
                return;
            }
            FollowRequest request = FollowRequest.newBuilder().setVolume(volume).setFromIndex(from)
                    .setMirrorName(MIRROR_NAME).setFormatVersion(FsLimits.LOG_FORMAT_VERSION).build();
            Iterator<ChangelogEntry> stream = ChangelogServiceGrpc.newBlockingStub(channels.channel(peer)).follow(request);
            LOG.info("sync of region '{}' asks node {} for the changelog from primary index {}", region, peer, from);
            connectedTo = peer.toString();
            while (stream.hasNext()) {
                ChangelogEntry entry = stream.next();
                lastIndexReceived = Math.max(lastIndexReceived, entry.getIndex());
                consumer.submit(entry.getIndex(), entry.getEntry());
                if (!lastError.isEmpty()) {
                    lastError = "";
                }
            }
            lastError = "node " + peer + " ended the changelog stream";
            LOG.info("sync of region '{}': {}", region, lastError);
        } finally {
            context.detach(previous);
            context.cancel(null);
        }
    }

    private String describe(MetaPeer peer, Status status) {
        String detail = (status.getDescription() != null ? status.getDescription() : "")
                + (status.getCause() != null ? " (" + status.getCause().getMessage() + ")" : "");
        return switch (status.getCode()) {
            case OUT_OF_RANGE -> "the region's changelog no longer holds the entries sync needs (" + detail
                    + "): the region bootstrapped or trimmed past them; a full pass over the namespace catches up";
            case INVALID_ARGUMENT -> "node " + peer + " refused the changelog stream: " + detail;
            case UNAVAILABLE -> "node " + peer + " is unreachable (" + detail + ")";
            default -> "changelog stream from node " + peer + " failed: " + status.getCode() + " " + detail;
        };
    }

    private boolean pause(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (pauseLock) {
            long left;
            while (!closed && !yieldRequested && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(pauseLock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return !closed;
    }

    String connectedTo() {
        return connectedTo;
    }

    String lastError() {
        return lastError;
    }

    long lastIndexReceived() {
        return lastIndexReceived;
    }

    /**
     * Ends the current stream and makes {@link #run()} return YIELDED (now, or at once when next called
     * if it is not running), so the daemon can look at the region again (role, primary, bootstrap).
     */
    void yieldToDaemon() {
        yieldRequested = true;
        synchronized (pauseLock) {
            pauseLock.notifyAll();
        }
        Context.CancellableContext current = session;
        if (current != null) {
            current.cancel(null);
        }
    }

    /** Ends the current stream and the loop (the caller joins the thread running {@link #run()}). */
    void close() {
        closed = true;
        synchronized (pauseLock) {
            pauseLock.notifyAll();
        }
        Context.CancellableContext current = session;
        if (current != null) {
            current.cancel(null);
        }
    }
}
