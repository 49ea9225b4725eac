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
 */
final class ChangelogFeed {
    private static final Logger LOG = LoggerFactory.getLogger(ChangelogFeed.class);
    /** The mirror name sync follows (and acks) as: the region's retention keeps what it has not acked. */
    static final String MIRROR_NAME = "sync";

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

    /** Follows until {@link #close()}; returns only then (or when interrupted). */
    void run() {
        List<MetaPeer> peers = channels.peers();
        int next = 0;
        long backoffMillis = backoffMin.toMillis();
        while (!closed) {
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
                lastError = describe(peer, e.getStatus());
                boolean operatorNeeded = e.getStatus().getCode() == Status.Code.OUT_OF_RANGE
                        || e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT;
                if (operatorNeeded) {
                    LOG.error("sync of region '{}': {}", region, lastError);
                } else {
                    LOG.warn("sync of region '{}': {}; trying the next node in {} ms", region, lastError, backoffMillis);
                }
            }
            connectedTo = "";
            if (lastIndexReceived > before) {
                backoffMillis = backoffMin.toMillis();
            }
            next++;
            if (!pause(backoffMillis)) {
                break;
            }
            backoffMillis = Math.min(backoffMillis * 2, backoffMax.toMillis());
        }
        LOG.info("sync of region '{}' stopped following its changelog at primary index {}", region, lastIndexReceived);
    }

    private void followOnce(MetaPeer peer) throws InterruptedException {
        long from = consumer.resumeFrom();
        Context.CancellableContext context = Context.current().withCancellation();
        session = context;
        Context previous = context.attach();
        try {
            if (closed) {
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
                    + "); blocks of the trimmed entries were never checked: run `mirrorfs sync verify --repair`"
                    + " for this region, then raise the region's changelog retention";
            case INVALID_ARGUMENT -> "node " + peer + " refused the changelog stream: " + detail;
            case UNAVAILABLE -> "node " + peer + " is unreachable (" + detail + ")";
            default -> "changelog stream from node " + peer + " failed: " + status.getCode() + " " + detail;
        };
    }

    private boolean pause(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (pauseLock) {
            long left;
            while (!closed && (left = deadline - System.nanoTime()) > 0) {
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
