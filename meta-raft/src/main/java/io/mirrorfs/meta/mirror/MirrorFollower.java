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
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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

    private final List<Channel> primaries;
    private final Bootstrapper bootstrapper;
    private final AtomicInteger currentPrimary = new AtomicInteger();
    private final MetadataClient mirror;
    private final MirrorFollowerConfig config;
    private final ScheduledExecutorService acker;
    private final Object backoffWait = new Object();
    private final AtomicLong primaryIndexFollowed = new AtomicLong();
    private final AtomicLong primaryLastIndex = new AtomicLong();
    /** When the primary last answered (stream opened, an entry, an ack reply); 0 = never. */
    private final AtomicLong lastHeardMillis = new AtomicLong();
    private final AtomicLong proposalsApplied = new AtomicLong();
    private final AtomicLong proposalsRefused = new AtomicLong();
    private final AtomicLong divergentReplies = new AtomicLong();
    private volatile Phase phase = Phase.STOPPED;
    private volatile boolean connected;
    private volatile String lastError;
    private volatile boolean closed;
    private volatile Context.CancellableContext session;
    private volatile ProposalWindow window;
    /** The last refusal logged at ERROR, so a misconfigured mirror logs it once, not every backoff. */
    private volatile String refusalLogged;
    private Thread loop;

    /**
     * @param primary a channel to any node of the primary region (its admin port, where ChangelogService runs); not closed here
     * @param mirror  a client of this mirror region's own group; not closed here
     */
    public MirrorFollower(Channel primary, MetadataClient mirror, MirrorFollowerConfig config) {
        this(List.of(primary), mirror, config, null);
    }

    /**
     * Copies the primary's namespace into the mirror group through its log and returns the primary
     * index it reflects (MirrorBootstrapper.bootstrap fits).
     */
    @FunctionalInterface
    public interface Bootstrapper {
        long bootstrap(Channel primary, MetadataClient mirror, String volume, String mirrorName)
                throws IOException, InterruptedException;
    }

    /**
     * @param primaries    channels to the primary region's nodes (admin ports); a failed session moves to the next
     * @param bootstrapper run when the mirror is behind the primary's retained changelog (or holds
     *                     divergent entries); null: stop in {@link Phase#BOOTSTRAP_NEEDED} instead
     */
    public MirrorFollower(List<Channel> primaries, MetadataClient mirror, MirrorFollowerConfig config,
                          Bootstrapper bootstrapper) {
        if (primaries.isEmpty()) {
            throw new IllegalArgumentException("a mirror follower needs at least one primary node");
        }
        this.primaries = List.copyOf(primaries);
        this.bootstrapper = bootstrapper;
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
        ProposalWindow w = window;
        long oldestNs = w == null ? 0 : w.oldestOutstandingTimeNs();
        long now = System.currentTimeMillis();
        long lagMillis = oldestNs == 0 ? 0 : Math.max(0, now - oldestNs / 1_000_000);
        long heard = lastHeardMillis.get();
        long silentMillis = heard == 0 ? 0 : now - heard;
        if (silentMillis > 2 * config.ackInterval().toMillis()) {
            // Acks get an answer every ackInterval while the primary is reachable. Cut off, the mirror
            // cannot see what it misses: it is as stale as the time since the primary last answered
            // (a bound, not 0 — "caught up" would be a lie an operator acts on).
            lagMillis = Math.max(lagMillis, silentMillis);
        }
        return new MirrorFollowerStatus(phase, connected, followed, last, last - followed, proposalsApplied.get(),
                proposalsRefused.get(), divergentReplies.get(), lastError, lagMillis);
    }

    /** The primary node the current session talks to. */
    private Channel primary() {
        return primaries.get(Math.floorMod(currentPrimary.get(), primaries.size()));
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
                if (bootstrapper == null) {
                    LOG.error("mirror '{}' stops following: {}", config.mirrorName(), e.getMessage());
                    return;
                }
                if (bootstrap(e.getMessage())) {
                    backoffMillis = config.backoffMin().toMillis();
                    continue;
                }
            } catch (RefusedByPrimaryException e) {
                if (closed) {
                    break;
                }
                lastError = e.getMessage();
                if (!e.getMessage().equals(refusalLogged)) {
                    refusalLogged = e.getMessage();
                    LOG.error("mirror '{}' is refused by the primary and applies nothing: {}. Fix the mirror's"
                            + " --volume / topology (or upgrade the older side); it retries every {} until then",
                            config.mirrorName(), e.getMessage(), config.backoffMax());
                }
                backoffMillis = config.backoffMax().toMillis();
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
            currentPrimary.incrementAndGet(); // the next session tries the next primary node
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

    /** One bootstrap attempt; true when it completed (following resumes at once). */
    private boolean bootstrap(String why) {
        phase = Phase.BOOTSTRAPPING;
        LOG.warn("mirror '{}' bootstraps from the primary's namespace: {}", config.mirrorName(), why);
        try {
            long at = bootstrapper.bootstrap(primary(), mirror, config.volume(), config.mirrorName());
            primaryIndexFollowed.accumulateAndGet(at, Math::max);
            LOG.info("mirror '{}' bootstrapped at primary index {}; following from there", config.mirrorName(), at);
            lastError = null;
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (IOException | RuntimeException e) {
            lastError = "bootstrap failed: " + e.getMessage();
            phase = Phase.BOOTSTRAP_NEEDED;
            LOG.error("mirror '{}': bootstrap failed; retrying after a pause", config.mirrorName(), e);
            return false;
        }
    }

    /** The mirror group's own primary index: where the next session resumes. */
    private long mirrorPrimaryIndex() throws IOException, InterruptedException, BehindRetentionException {
        MetaReply reply;
        try {
            reply = mirror.query(MirroredOps.mirrorState()).get(config.rpcTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot read the mirror group's primary index", e);
        }
        if (reply.getErrno() != 0 || !reply.hasMirrorState()) {
            throw new IOException("the mirror group answered its state query with errno " + reply.getErrno());
        }
        if (reply.getMirrorState().getBootstrapRequired()) {
            throw new BehindRetentionException("this group holds entries the primary does not have (it was a primary"
                    + " after the new primary's promotion point): its namespace must be replaced by a bootstrap");
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
        this.window = window;
        Context previous = context.attach();
        try {
            if (closed) {
                throw new IOException("closed");
            }
            FollowRequest request = FollowRequest.newBuilder().setVolume(config.volume()).setFromIndex(resumeAfter + 1)
                    .setMirrorName(config.mirrorName()).setFormatVersion(FsLimits.LOG_FORMAT_VERSION).build();
            Iterator<ChangelogEntry> stream = ChangelogServiceGrpc.newBlockingStub(primary()).follow(request);
            LOG.info("mirror '{}' follows the primary from index {}", config.mirrorName(), resumeAfter + 1);
            phase = Phase.FOLLOWING;
            connected = true;
            while (stream.hasNext()) {
                ChangelogEntry entry = stream.next();
                lastHeardMillis.set(System.currentTimeMillis());
                primaryLastIndex.accumulateAndGet(entry.getIndex(), Math::max);
                window.propose(entry);
            }
            throw new IOException("the primary ended the changelog stream");
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.OUT_OF_RANGE) {
                throw new BehindRetentionException("behind the retained changelog: bootstrap from a snapshot ("
                        + e.getStatus().getDescription() + ")");
            }
            if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT
                    || (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION
                        && String.valueOf(e.getStatus().getDescription()).contains("format version"))) {
                throw new RefusedByPrimaryException(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
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
        AckReply reply = ChangelogServiceGrpc.newBlockingStub(primary())
                .withDeadlineAfter(config.rpcTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .ack(AckRequest.newBuilder().setMirrorName(config.mirrorName()).setVolume(config.volume())
                        .setAppliedIndex(applied).build());
        lastHeardMillis.set(System.currentTimeMillis());
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

    /** The primary refuses this follower outright (wrong volume, incompatible format): a configuration error. */
    static final class RefusedByPrimaryException extends IOException {
        RefusedByPrimaryException(String message) {
            super(message);
        }
    }

    /** The primary trimmed entries this mirror still needs. */
    static final class BehindRetentionException extends Exception {
        BehindRetentionException(String message) {
            super(message);
        }
    }
}
