package io.mirrorfs.meta.mirror;

import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.AckReply;
import io.mirrorfs.api.proto.AckRequest;
import io.mirrorfs.api.proto.ChangelogEntry;
import io.mirrorfs.api.proto.ChangelogServiceGrpc;
import io.mirrorfs.api.proto.FollowRequest;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.meta.mirror.MirrorFollowerStatus.Phase;
import java.io.IOException;
import java.util.Iterator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on a mirror region's leader (DESIGN §4): follows the primary's changelog and proposes each
 * entry, as a MirroredOp, into the mirror's own group, in order.
 *
 * <p>Each session asks the mirror group for its primary index P (a linearizable MirrorStateQuery, so
 * it reflects every committed proposal), streams {@code Follow(P + 1)} and pipelines proposals
 * through a {@link ProposalWindow}. Any failure (stream error, failed or refused proposal, mirror
 * unreachable) ends the session; after a capped exponential backoff the next session starts again
 * from the mirror's own primary index, so nothing is skipped and the engine's chain check refuses
 * anything applied already. OUT_OF_RANGE from the primary (entries trimmed) is final:
 * {@link Phase#BOOTSTRAP_NEEDED}. Progress is acked to the primary every {@code ackInterval}.
 *
 * <p>The MetadataClient should send one caller's mutations in order (a RaftMetadataClient with one
 * Raft client): a reordering is safe but costs a refusal and a resync.
 */
public final class MirrorFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MirrorFollower.class);

    private final Channel primary;
    private final MetadataClient mirror;
    private final MirrorFollowerConfig config;
    private final ScheduledExecutorService acker;
    private final Object backoffWait = new Object();
    private final AtomicLong primaryIndexFollowed = new AtomicLong();
    private final AtomicLong primaryLastIndex = new AtomicLong();
    private final AtomicLong proposalsApplied = new AtomicLong();
    private final AtomicLong proposalsRefused = new AtomicLong();
    private final AtomicLong divergentReplies = new AtomicLong();
    private volatile Phase phase = Phase.STOPPED;
    private volatile boolean connected;
    private volatile String lastError;
    private volatile boolean closed;
    private volatile Context.CancellableContext session;
    private Thread loop;

    /**
     * @param primary a channel to any node of the primary region (its admin port, where ChangelogService runs); not closed here
     * @param mirror  a client of this mirror region's own group; not closed here
     */
    public MirrorFollower(Channel primary, MetadataClient mirror, MirrorFollowerConfig config) {
        this.primary = primary;
        this.mirror = mirror;
        this.config = config;
        this.acker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("mirror-ack-" + config.mirrorName()).factory());
    }

    public synchronized void start() {
        if (loop != null || closed) {
            throw new IllegalStateException("a mirror follower starts once");
        }
        loop = Thread.ofPlatform().daemon().name("mirror-follower-" + config.mirrorName()).start(this::run);
        long ackMillis = config.ackInterval().toMillis();
        acker.scheduleWithFixedDelay(this::ackQuietly, ackMillis, ackMillis, TimeUnit.MILLISECONDS);
    }

    public MirrorFollowerStatus status() {
        long followed = primaryIndexFollowed.get();
        long last = Math.max(primaryLastIndex.get(), followed);
        return new MirrorFollowerStatus(phase, connected, followed, last, last - followed, proposalsApplied.get(),
                proposalsRefused.get(), divergentReplies.get(), lastError);
    }

    private void run() {
        long backoffMillis = config.backoffMin().toMillis();
        while (!closed) {
            long appliedBefore = proposalsApplied.get();
            try {
                phase = Phase.CONNECTING;
                followOnce(mirrorPrimaryIndex());
            } catch (BehindRetentionException e) {
                lastError = e.getMessage();
                phase = Phase.BOOTSTRAP_NEEDED;
                LOG.error("mirror '{}' stops following: {}", config.mirrorName(), e.getMessage());
                return;
            } catch (InterruptedException e) {
                if (!closed) {
                    lastError = "interrupted: " + e;
                    LOG.warn("mirror follower '{}' interrupted without close; stopping", config.mirrorName());
                }
                break;
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    break;
                }
                lastError = e.toString();
                LOG.warn("mirror '{}' follow session ended at primary index {}; retrying in {} ms",
                        config.mirrorName(), primaryIndexFollowed.get(), backoffMillis, e);
            }
            if (proposalsApplied.get() > appliedBefore) {
                backoffMillis = config.backoffMin().toMillis(); // the session made progress: not a persistent failure
            }
            phase = Phase.BACKING_OFF;
            if (!pause(backoffMillis)) {
                break;
            }
            backoffMillis = Math.min(backoffMillis * 2, config.backoffMax().toMillis());
        }
        phase = Phase.STOPPED;
    }

    /** The mirror group's own primary index: where the next session resumes. */
    private long mirrorPrimaryIndex() throws IOException, InterruptedException {
        MetaReply reply;
        try {
            reply = mirror.query(MirroredOps.mirrorState()).get(config.rpcTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot read the mirror group's primary index", e);
        }
        if (reply.getErrno() != 0 || !reply.hasMirrorState()) {
            throw new IOException("the mirror group answered its state query with errno " + reply.getErrno());
        }
        long index = reply.getMirrorState().getPrimaryIndex();
        primaryIndexFollowed.accumulateAndGet(index, Math::max);
        return index;
    }

    /** One session: stream from resumeAfter + 1 and propose until something fails (it always ends in an exception). */
    private void followOnce(long resumeAfter) throws IOException, InterruptedException, BehindRetentionException {
        Context.CancellableContext context = Context.current().withCancellation();
        session = context;
        ProposalWindow window = new ProposalWindow(mirror, config.inFlightMax(), resumeAfter, new Counters(),
                failure -> context.cancel(failure));
        Context previous = context.attach();
        try {
            if (closed) {
                throw new IOException("closed");
            }
            FollowRequest request = FollowRequest.newBuilder().setVolume(config.volume()).setFromIndex(resumeAfter + 1)
                    .setMirrorName(config.mirrorName()).setFormatVersion(FsLimits.LOG_FORMAT_VERSION).build();
            Iterator<ChangelogEntry> stream = ChangelogServiceGrpc.newBlockingStub(primary).follow(request);
            LOG.info("mirror '{}' follows the primary from index {}", config.mirrorName(), resumeAfter + 1);
            phase = Phase.FOLLOWING;
            connected = true;
            while (stream.hasNext()) {
                ChangelogEntry entry = stream.next();
                primaryLastIndex.accumulateAndGet(entry.getIndex(), Math::max);
                window.propose(entry);
            }
            throw new IOException("the primary ended the changelog stream");
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.OUT_OF_RANGE) {
                throw new BehindRetentionException("behind the retained changelog: bootstrap from a snapshot ("
                        + e.getStatus().getDescription() + ")");
            }
            IOException proposalFailure = window.failure();
            throw proposalFailure != null ? proposalFailure : new IOException("changelog stream failed: " + e.getStatus(), e);
        } finally {
            connected = false;
            context.detach(previous);
            context.cancel(null);
            // Let outstanding proposals settle, so the next session's state query sees them.
            if (!window.drain(config.drainTimeout())) {
                LOG.warn("mirror '{}': proposals still outstanding after {}; resuming anyway (stale ones are refused)",
                        config.mirrorName(), config.drainTimeout());
            }
        }
    }

    /** Acks progress to the primary; the reply's last index feeds the lag. A failure is logged and recorded, then the next tick retries. */
    private void ackQuietly() {
        try {
            ack();
        } catch (RuntimeException e) {
            lastError = "ack failed: " + e;
            LOG.warn("mirror '{}' could not ack primary index {}", config.mirrorName(), primaryIndexFollowed.get(), e);
        }
    }

    /** One Ack with the mirror's applied primary index (data_watermark is mirror-sync's to report, not ours). */
    void ack() {
        long applied = primaryIndexFollowed.get();
        if (applied == 0) {
            return; // nothing applied yet: an ack of 0 tells the primary nothing
        }
        AckReply reply = ChangelogServiceGrpc.newBlockingStub(primary)
                .withDeadlineAfter(config.rpcTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .ack(AckRequest.newBuilder().setMirrorName(config.mirrorName()).setVolume(config.volume())
                        .setAppliedIndex(applied).build());
        primaryLastIndex.accumulateAndGet(reply.getLastIndex(), Math::max);
    }

    /** Waits before the next session; false when closed meanwhile. */
    private boolean pause(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (backoffWait) {
            long leftNanos;
            while (!closed && (leftNanos = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(backoffWait, leftNanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return !closed;
    }

    /** Stops streaming and proposing; waits (bounded) for the loop. Outstanding proposals may still commit. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        synchronized (backoffWait) {
            backoffWait.notifyAll();
        }
        Context.CancellableContext current = session;
        if (current != null) {
            current.cancel(null);
        }
        acker.shutdownNow();
        Thread running;
        synchronized (this) {
            running = loop;
        }
        if (running != null) {
            running.interrupt();
            running.join(config.drainTimeout().toMillis() + config.rpcTimeout().toMillis());
            if (running.isAlive()) {
                LOG.error("mirror follower '{}' did not stop within the drain and rpc timeouts", config.mirrorName());
            }
        }
        if (!acker.awaitTermination(config.rpcTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.error("mirror follower '{}': ack thread did not stop", config.mirrorName());
        }
        phase = phase == Phase.BOOTSTRAP_NEEDED ? phase : Phase.STOPPED;
    }

    private final class Counters implements ProposalWindow.Listener {
        @Override
        public void applied(long primaryIndex) {
            proposalsApplied.incrementAndGet();
            primaryIndexFollowed.accumulateAndGet(primaryIndex, Math::max);
        }

        @Override
        public void refused(long primaryIndex, long mirrorPrimaryIndex) {
            proposalsRefused.incrementAndGet();
            primaryIndexFollowed.accumulateAndGet(mirrorPrimaryIndex, Math::max);
        }

        @Override
        public void divergent(long primaryIndex, int errno) {
            divergentReplies.incrementAndGet();
            lastError = "primary entry " + primaryIndex + " failed on the mirror with errno " + errno
                    + " although it succeeded on the primary: the namespaces diverge";
            LOG.error("mirror '{}': {}", config.mirrorName(), lastError);
        }
    }

    /** The primary trimmed entries this mirror still needs. */
    static final class BehindRetentionException extends Exception {
        BehindRetentionException(String message) {
            super(message);
        }
    }
}
