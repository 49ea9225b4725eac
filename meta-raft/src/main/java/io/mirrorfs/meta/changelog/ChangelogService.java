package io.mirrorfs.meta.changelog;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.AckReply;
import io.mirrorfs.api.proto.AckRequest;
import io.mirrorfs.api.proto.ChangelogEntry;
import io.mirrorfs.api.proto.ChangelogServiceGrpc;
import io.mirrorfs.api.proto.FollowRequest;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.meta.engine.ChangelogRow;
import io.mirrorfs.meta.engine.ChangelogStats;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The changelog mirrors follow (DESIGN §4), served on a primary node's admin gRPC server:
 * {@code Follow} streams retained entries from {@code from_index}, then new ones as they are applied;
 * {@code Ack} records a mirror's progress for retention.
 *
 * <p>Each follower has one thread that reads at most one bounded batch at a time from RocksDB and
 * sends an entry only while gRPC says the stream is ready, so a slow mirror is held back by gRPC flow
 * control and costs at most one batch of memory here. Followers wait for new entries on
 * {@link #onApplied(long)} (call it after each applied entry) or, if nobody calls it, poll.
 *
 * <p>Wiring: {@code serverBuilder.addService(new ChangelogService(new EngineChangelogReader(sm::engine),
 * acks, ChangelogService.Limits.defaults(), System::currentTimeMillis))}.
 */
public final class ChangelogService extends ChangelogServiceGrpc.ChangelogServiceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(ChangelogService.class);

    /**
     * @param followersMax     concurrent Follow streams
     * @param batchEntriesMax  entries read from RocksDB per batch (the per-follower buffer)
     * @param batchBytesMax    bytes read per batch
     * @param pollMillis       longest wait before re-checking for new entries or readiness
     */
    public record Limits(int followersMax, int batchEntriesMax, long batchBytesMax, long pollMillis) {
        public Limits {
            if (followersMax < 1 || batchEntriesMax < 1 || batchBytesMax < 1 || pollMillis < 1 || pollMillis > 10_000) {
                throw new IllegalArgumentException("changelog service limits out of range: " + this);
            }
        }

        public static Limits defaults() {
            return new Limits(64, 256, 8L << 20, 500);
        }
    }

    private final ChangelogReader reader;
    private final MirrorAcks acks;
    private final Limits limits;
    private final LongSupplier clockMillis;
    private final Semaphore followers;
    /** Followers wait on it; onApplied and readiness changes wake them. */
    private final Object wakeup = new Object();

    public ChangelogService(ChangelogReader reader, MirrorAcks acks, Limits limits, LongSupplier clockMillis) {
        this.reader = reader;
        this.acks = acks;
        this.limits = limits;
        this.clockMillis = clockMillis;
        this.followers = new Semaphore(limits.followersMax());
    }

    /** The "applied" hook: the state machine calls it after applying an entry, waking waiting followers. */
    public void onApplied(long index) {
        assert index > 0;
        wake();
    }

    private void wake() {
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
    }

    @Override
    public void follow(FollowRequest request, StreamObserver<ChangelogEntry> observer) {
        Status refused = validate(request.getVolume(), request.getMirrorName(), request.getFormatVersion());
        if (refused == null) {
            refused = checkRetained(request.getMirrorName(), Math.max(1, request.getFromIndex()));
        }
        if (refused != null) {
            observer.onError(refused.asRuntimeException());
            return;
        }
        if (!followers.tryAcquire()) {
            observer.onError(Status.RESOURCE_EXHAUSTED.withDescription("this node already serves "
                    + limits.followersMax() + " changelog followers; try another node of the primary region")
                    .asRuntimeException());
            return;
        }
        ServerCallStreamObserver<ChangelogEntry> call = (ServerCallStreamObserver<ChangelogEntry>) observer;
        Follower follower = new Follower(call, request.getMirrorName(), Math.max(1, request.getFromIndex()));
        call.setOnReadyHandler(this::wake);
        call.setOnCancelHandler(() -> {
            follower.cancelled = true;
            wake();
        });
        Thread.ofVirtual().name("changelog-follow-" + request.getMirrorName()).start(() -> {
            try {
                follower.run();
            } finally {
                followers.release();
            }
        });
    }

    @Override
    public void ack(AckRequest request, StreamObserver<AckReply> observer) {
        Status refused = validate(request.getVolume().isEmpty() ? reader.volume() : request.getVolume(),
                request.getMirrorName(), FsLimits.LOG_FORMAT_VERSION);
        if (refused != null) {
            observer.onError(refused.asRuntimeException());
            return;
        }
        acks.record(request.getMirrorName(), request.getAppliedIndex(), request.getDataWatermark(), clockMillis.getAsLong());
        try {
            ChangelogStats stats = reader.stats();
            observer.onNext(AckReply.newBuilder().setFirstRetainedIndex(stats.firstIndex())
                    .setLastIndex(stats.lastIndex()).build());
            observer.onCompleted();
        } catch (IOException e) {
            observer.onError(Status.UNAVAILABLE.withDescription("cannot read the changelog: " + e.getMessage())
                    .withCause(e).asRuntimeException());
        }
    }

    /** Serves Bootstrap from this source (the node wires it; without one, Bootstrap answers UNIMPLEMENTED). */
    private volatile BootstrapSource bootstrapSource;

    public ChangelogService withBootstrapSource(BootstrapSource source) {
        this.bootstrapSource = source;
        return this;
    }

    @Override
    public void bootstrap(io.mirrorfs.api.proto.BootstrapRequest request,
            StreamObserver<io.mirrorfs.api.proto.BootstrapChunk> observer) {
        BootstrapSource source = bootstrapSource;
        Status refused = source == null ? Status.UNIMPLEMENTED.withDescription("this node serves no bootstrap")
                : validate(request.getVolume(), request.getMirrorName(), request.getFormatVersion());
        if (refused != null) {
            observer.onError(refused.asRuntimeException());
            return;
        }
        source.serve(request.getMirrorName(), observer);
    }

    private Status validate(String volume, String mirror, int formatVersion) {
        String ours = reader.volume();
        if (ours == null) {
            return Status.FAILED_PRECONDITION.withDescription("the primary's volume is not formatted yet");
        }
        if (!ours.equals(volume)) {
            return Status.INVALID_ARGUMENT.withDescription("this primary serves volume '" + ours + "', not '" + volume
                    + "': check the mirror's topology file");
        }
        if (mirror.isEmpty()) {
            return Status.INVALID_ARGUMENT.withDescription("mirror_name is required (the mirror region's name in the topology)");
        }
        if (formatVersion != FsLimits.LOG_FORMAT_VERSION) {
            return Status.FAILED_PRECONDITION.withDescription("mirror '" + mirror + "' speaks log format version "
                    + formatVersion + ", this primary writes version " + FsLimits.LOG_FORMAT_VERSION
                    + ": upgrade the older side first");
        }
        return null;
    }

    /** OUT_OF_RANGE when the entries the follower needs are already trimmed; null when they are retained. */
    private Status checkRetained(String mirror, long fromIndex) {
        try {
            ChangelogStats stats = reader.stats();
            if (fromIndex < stats.trimmedBelow()) {
                return Status.OUT_OF_RANGE.withDescription("mirror '" + mirror + "' asks for primary index " + fromIndex
                        + " but the changelog is trimmed below " + stats.trimmedBelow()
                        + ": behind the retained changelog, bootstrap from a snapshot");
            }
            return null;
        } catch (IOException e) {
            return Status.UNAVAILABLE.withDescription("cannot read the changelog: " + e.getMessage()).withCause(e);
        }
    }

    /** One Follow stream: its own thread is the only one that calls onNext/onError/onCompleted. */
    private final class Follower {
        private final ServerCallStreamObserver<ChangelogEntry> call;
        private final String mirror;
        private long next;
        volatile boolean cancelled;

        Follower(ServerCallStreamObserver<ChangelogEntry> call, String mirror, long fromIndex) {
            this.call = call;
            this.mirror = mirror;
            this.next = fromIndex;
        }

        void run() {
            LOG.info("mirror '{}' follows the changelog from index {}", mirror, next);
            try {
                while (!cancelled) {
                    List<ChangelogRow> batch = reader.read(next, limits.batchEntriesMax(), limits.batchBytesMax());
                    // A trim can overtake a slow follower between batches: it must bootstrap, not skip entries.
                    Status gone = checkRetained(mirror, next);
                    if (gone != null) {
                        call.onError(gone.asRuntimeException());
                        return;
                    }
                    if (batch.isEmpty()) {
                        awaitWakeup();
                        continue;
                    }
                    for (ChangelogRow row : batch) {
                        while (!call.isReady() && !cancelled) {
                            awaitWakeup();
                        }
                        if (cancelled) {
                            break;
                        }
                        call.onNext(ChangelogEntry.newBuilder().setIndex(row.index())
                                .setEntry(LogEntry.parseFrom(row.logEntry())).build());
                        next = row.index() + 1;
                    }
                }
                LOG.info("mirror '{}' stopped following at index {}", mirror, next);
            } catch (IOException e) {
                LOG.warn("changelog stream to mirror '{}' failed at index {}", mirror, next, e);
                call.onError(Status.UNAVAILABLE.withDescription("cannot read the changelog at index " + next + ": "
                        + e.getMessage()).withCause(e).asRuntimeException());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                call.onError(Status.UNAVAILABLE.withDescription("node shutting down").asRuntimeException());
            } catch (RuntimeException e) {
                // Includes a cancelled call racing onNext; log it so nothing fails silently.
                LOG.warn("changelog stream to mirror '{}' ended at index {}", mirror, next, e);
                if (!cancelled) {
                    call.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
                }
            }
        }

        private void awaitWakeup() throws InterruptedException {
            synchronized (wakeup) {
                if (!cancelled) {
                    wakeup.wait(limits.pollMillis());
                }
            }
        }
    }
}
