package io.mirrorfs.client.mirror;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.client.FsException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata side of a mirror mount, behind the ordinary {@link MetadataClient} interface so the
 * VFS and gateway are the same as on a primary mount: reads go to the mirror region's group once
 * the {@link ReadGate} allows; mutations (and with them id allocation, sessions, locks) go to the
 * primary through the {@link PrimaryRouter}; lock queries go to the primary too (locks live there).
 *
 * <p>A read whose reply reflects an older primary index than the gate required (possible only if
 * the mirror group went back, e.g. a bootstrap) is retried through the gate, not served. Errors
 * the application must see (EIO for a consistency wait that timed out, EROFS when no primary takes
 * a write) come back as a reply errno, so the gateway reports them as that errno.
 *
 * <p>Blocking waits run on virtual threads: a FUSE thread waits on the future with the gateway's
 * own deadline, as for any metadata call.
 */
public final class MirrorMetadataClient implements MetadataClient {
    private static final Logger log = LoggerFactory.getLogger(MirrorMetadataClient.class);
    /** Gate passes per read before giving up when replies keep reflecting less than required. */
    private static final int READ_ATTEMPTS_MAX = 16;

    private final MetadataClient mirror;
    private final PrimaryRouter router;
    private final ReadGate gate;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService waits = Executors.newVirtualThreadPerTaskExecutor();
    private final AutoCloseable[] owned;

    private MirrorMetadataClient(MetadataClient mirror, PrimaryRouter router, ReadGate gate,
                                 ScheduledExecutorService scheduler, AutoCloseable[] owned) {
        this.mirror = mirror;
        this.router = router;
        this.gate = gate;
        this.scheduler = scheduler;
        this.owned = owned;
    }

    /**
     * A mirror mount's metadata client. {@code owned} are closed with it (the Raft clients the caller
     * opened for the mirror and the candidate primaries).
     */
    public static MirrorMetadataClient create(MetadataClient mirror, PrimaryRouter router, MirrorMountConfig config,
                                              AutoCloseable... owned) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mirrorfs-mirror-progress");
            t.setDaemon(true);
            return t;
        });
        MirrorProgress progress = new MirrorProgress(() -> mirror.query(PrimaryRouter.stateQuery()).thenApply(r -> {
            if (r.getErrno() != 0 || !r.hasMirrorState()) {
                throw new CompletionException(new IllegalStateException("mirror answered MirrorStateQuery with errno "
                        + r.getErrno()));
            }
            // On a mirror changelog_last_index = its primary index; after a promotion it is its own newest.
            return r.getMirrorState().getChangelogLastIndex();
        }), scheduler, config.pollIntervalMillis(), config.waitingReadsMax());
        PrimaryIndexSampler sampler = new PrimaryIndexSampler(router::newestChangelogIndex, System::nanoTime);
        ReadGate gate = new ReadGate(config.consistency(), sampler, progress, System::nanoTime, config.readWaitMillisMax());
        return new MirrorMetadataClient(mirror, router, gate, scheduler, owned);
    }

    public ReadGate gate() {
        return gate;
    }

    public PrimaryRouter router() {
        return router;
    }

    @Override
    public CompletableFuture<MetaReply> mutate(MetaRequest request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                MetaReply reply = router.mutate(request);
                // A primary that never was promoted has changelog index = Raft index; a server that
                // does not fill changelog_index yet still gives read-your-writes through that.
                gate.wrote(reply.getChangelogIndex() != 0 ? reply.getChangelogIndex() : reply.getIndex());
                return reply;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            } catch (ExecutionException e) {
                throw new CompletionException(e.getCause());
            }
        }, waits);
    }

    @Override
    public CompletableFuture<MetaReply> query(MetaQuery query) {
        if (query.getQueryCase() == MetaQuery.QueryCase.GETLOCK) {
            return router.queryPrimary(query);
        }
        return CompletableFuture.supplyAsync(() -> gatedRead(query), waits);
    }

    /** Mirror mounts serve every read through the gate; a caller's minimum index only raises it. */
    @Override
    public CompletableFuture<MetaReply> queryAtLeast(MetaQuery query, long minIndex) {
        return query(query);
    }

    private MetaReply gatedRead(MetaQuery query) {
        try {
            for (int attempt = 1; ; attempt++) {
                long required = gate.awaitReadable();
                MetaReply reply = mirror.query(query).get();
                long reflected = reply.getChangelogIndex();
                if (reflected == 0 || reflected >= required) {
                    gate.observed(reflected);
                    return reply;
                }
                if (attempt >= READ_ATTEMPTS_MAX) {
                    log.warn("mirror replies keep reflecting primary index {} < required {}", reflected, required);
                    return MetaReply.newBuilder().setErrno(Errno.EIO.code()).build();
                }
            }
        } catch (FsException e) {
            return MetaReply.newBuilder().setErrno(e.errno().code()).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        }
    }

    @Override
    public void close() {
        waits.shutdownNow();
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", c, e.toString());
            }
        }
    }
}
