package io.mirrorfs.meta.mirror;

import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.BootstrapChunk;
import io.mirrorfs.api.proto.BootstrapOp;
import io.mirrorfs.api.proto.BootstrapRequest;
import io.mirrorfs.api.proto.BootstrapRow;
import io.mirrorfs.api.proto.ChangelogServiceGrpc;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.meta.engine.ops.BootstrapHandler;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mirror side of a bootstrap (DESIGN §4): a mirror behind the primary's retained changelog
 * streams the primary's namespace rows ({@code ChangelogService.Bootstrap}) and proposes them, as
 * {@code BootstrapOp}s, through its own group, so every replica installs the same rows via its log:
 * BEGIN (clears; repeated until the clear is complete), ROWS (one or more per chunk, each at most
 * {@link Config#proposalBytesMax()}), END (primary_index = snapshot index). Then the follower resumes
 * with {@code Follow(snapshotIndex + 1)}.
 *
 * <p>All proposals of one attempt carry its own request client id; the engine refuses ROWS/END of any
 * other attempt, so a failed attempt's stragglers cannot mix into the next one. Any failure aborts the
 * attempt (IOException); the next attempt starts again with BEGIN. Until an END, the mirror group is
 * visibly bootstrap-required (MirrorState) and refuses MirroredOps.
 */
public final class MirrorBootstrapper {
    private static final Logger LOG = LoggerFactory.getLogger(MirrorBootstrapper.class);

    /**
     * @param proposalTimeout     longest wait for one proposal's reply
     * @param inFlightMax         ROWS proposals outstanding at once (they commute: each key appears once)
     * @param proposalBytesMax    rows per ROWS proposal, in bytes: far below Ratis's entry limits
     *                            (RatisTuning: 32 MB messages, 4 MB appender buffer)
     * @param clearProposalsMax   BEGINs at most for one clear (each deletes up to 4096 rows)
     * @param progressLogInterval how often progress is logged
     */
    public record Config(Duration proposalTimeout, int inFlightMax, int proposalBytesMax, int clearProposalsMax,
                         Duration progressLogInterval) {
        public Config {
            if (proposalTimeout.isNegative() || proposalTimeout.isZero() || inFlightMax < 1 || proposalBytesMax < 1024
                    || proposalBytesMax > (4 << 20) || clearProposalsMax < 1 || progressLogInterval.isNegative()) {
                throw new IllegalArgumentException("mirror bootstrapper config out of range: " + this);
            }
        }

        public static Config defaults() {
            return new Config(Duration.ofSeconds(60), 4, 1 << 20, 1_000_000, Duration.ofSeconds(10));
        }
    }

    private final MetadataClient mirror;
    private final String volume;
    private final String mirrorName;
    private final Config config;
    /** The attempt id: every proposal's request client id. */
    private final RequestIds ids = new RequestIds();
    private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
    private long snapshotIndex;
    private long rows;
    private long bytes;
    private long lastLogNanos = System.nanoTime();

    private MirrorBootstrapper(MetadataClient mirror, String volume, String mirrorName, Config config) {
        this.mirror = mirror;
        this.volume = volume;
        this.mirrorName = mirrorName;
        this.config = config;
    }

    /** {@link #bootstrap(Channel, MetadataClient, String, String, Config)} with the default config. */
    public static long bootstrap(Channel primary, MetadataClient mirrorGroup, String volume, String mirrorName)
            throws IOException {
        return bootstrap(primary, mirrorGroup, volume, mirrorName, Config.defaults());
    }

    /**
     * Installs the primary's namespace into the mirror group and returns the snapshot index: the
     * primary changelog index the mirror now holds (follow from the next one).
     *
     * @param primary     a channel to a primary node's admin port (ChangelogService); not closed here
     * @param mirrorGroup a client of this mirror's own group; not closed here
     * @throws IOException the attempt failed (stream, refusal, timeout); the mirror stays bootstrap-required
     */
    public static long bootstrap(Channel primary, MetadataClient mirrorGroup, String volume, String mirrorName,
            Config config) throws IOException {
        if (volume.isEmpty() || mirrorName.isEmpty()) {
            throw new IllegalArgumentException("volume and mirror name are required");
        }
        return new MirrorBootstrapper(mirrorGroup, volume, mirrorName, config).run(primary);
    }

    private long run(Channel primary) throws IOException {
        long startNanos = System.nanoTime();
        // Cancelling the context ends the stream on every exit, so the primary drops its checkpoint at once.
        Context.CancellableContext call = Context.current().withCancellation();
        Context previous = call.attach();
        try {
            Iterator<BootstrapChunk> stream = ChangelogServiceGrpc.newBlockingStub(primary)
                    .bootstrap(BootstrapRequest.newBuilder().setVolume(volume).setMirrorName(mirrorName)
                            .setFormatVersion(FsLimits.LOG_FORMAT_VERSION).build());
            BootstrapChunk chunk = next(stream, "its first chunk");
            snapshotIndex = chunk.getSnapshotIndex();
            if (snapshotIndex <= 0) {
                throw new IOException("the primary offered a bootstrap at snapshot index " + snapshotIndex);
            }
            LOG.info("mirror '{}' bootstraps volume '{}' from the primary at snapshot index {} (attempt {})",
                    mirrorName, volume, snapshotIndex, Long.toHexString(ids.clientId()));
            clear();
            while (true) {
                if (chunk.getSnapshotIndex() != snapshotIndex) {
                    throw new IOException("the primary switched snapshot index mid-stream: " + chunk.getSnapshotIndex()
                            + " after " + snapshotIndex);
                }
                proposeRows(chunk.getRowsList());
                logProgress(false);
                if (chunk.getLast()) {
                    break;
                }
                chunk = next(stream, "its last chunk");
            }
            while (!inFlight.isEmpty()) {
                awaitOldest();
            }
            MetaReply end = propose(op(BootstrapOp.Phase.END, List.of()));
            check(end, "END");
            logProgress(true);
            LOG.info("mirror '{}' bootstrapped at snapshot index {}: {} rows, {} bytes in {} ms; following from {}",
                    mirrorName, snapshotIndex, rows, bytes, (System.nanoTime() - startNanos) / 1_000_000,
                    snapshotIndex + 1);
            return snapshotIndex;
        } catch (StatusRuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("bootstrap interrupted");
            }
            throw new IOException("the primary's bootstrap stream failed: " + e.getStatus(), e);
        } finally {
            call.detach(previous);
            call.cancel(null);
            // Outstanding proposals of a failed attempt may still commit; the engine refuses them for
            // any later attempt, so they are only dropped here, not awaited.
            inFlight.forEach(p -> p.reply().cancel(false));
        }
    }

    private static BootstrapChunk next(Iterator<BootstrapChunk> stream, String what) throws IOException {
        if (!stream.hasNext()) {
            throw new IOException("the primary ended the bootstrap stream before " + what);
        }
        return stream.next();
    }

    /** BEGIN until the engine says the clear is complete (an empty ROWS is accepted, not EAGAIN). */
    private void clear() throws IOException {
        for (int round = 1; round <= config.clearProposalsMax(); round++) {
            check(propose(op(BootstrapOp.Phase.BEGIN, List.of())), "BEGIN");
            MetaReply probe = propose(op(BootstrapOp.Phase.ROWS, List.of()));
            if (probe.getErrno() == 0) {
                return;
            }
            if (probe.getErrno() != Errno.EAGAIN.code()) {
                check(probe, "ROWS (clear probe)");
            }
            if (round % 100 == 0) {
                LOG.info("mirror '{}' bootstrap: clearing the old namespace, {} rows deleted so far", mirrorName,
                        (long) round * BootstrapHandler.CLEAR_ROWS_MAX);
            }
        }
        throw new IOException("the mirror's old namespace was not cleared after " + config.clearProposalsMax() + " BEGINs");
    }

    /** Splits a chunk into proposals of at most proposalBytesMax and sends them, at most inFlightMax outstanding. */
    private void proposeRows(List<BootstrapRow> chunkRows) throws IOException {
        List<BootstrapRow> batch = new ArrayList<>();
        long batchBytes = 0;
        for (BootstrapRow row : chunkRows) {
            int size = row.getSerializedSize() + 8;
            if (!batch.isEmpty() && (batchBytes + size > config.proposalBytesMax()
                    || batch.size() >= BootstrapHandler.ROWS_PER_OP_MAX)) {
                send(batch, batchBytes);
                batch = new ArrayList<>();
                batchBytes = 0;
            }
            batch.add(row);
            batchBytes += size;
        }
        if (!batch.isEmpty()) {
            send(batch, batchBytes);
        }
    }

    private void send(List<BootstrapRow> batch, long batchBytes) throws IOException {
        while (inFlight.size() >= config.inFlightMax()) {
            awaitOldest();
        }
        inFlight.add(new Pending(mirror.mutate(op(BootstrapOp.Phase.ROWS, batch)), batch.size(), batchBytes));
    }

    private void awaitOldest() throws IOException {
        Pending p = inFlight.peek();
        check(await(p.reply()), "ROWS");
        inFlight.remove();
        rows += p.rows();
        bytes += p.bytes();
    }

    private MetaReply propose(MetaRequest request) throws IOException {
        return await(mirror.mutate(request));
    }

    private MetaReply await(CompletableFuture<MetaReply> reply) throws IOException {
        try {
            return reply.get(config.proposalTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("bootstrap interrupted");
        } catch (ExecutionException e) {
            throw new IOException("proposing to the mirror group failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the mirror group did not answer a bootstrap proposal within " + config.proposalTimeout());
        }
    }

    private void check(MetaReply reply, String phase) throws IOException {
        if (reply.getErrno() != 0) {
            throw new IOException("the mirror group refused bootstrap " + phase + " at snapshot index " + snapshotIndex
                    + " with " + Errno.of(reply.getErrno()) + " (another attempt started, or the group is a live primary)");
        }
    }

    private MetaRequest op(BootstrapOp.Phase phase, List<BootstrapRow> batch) {
        return MetaRequest.newBuilder().setRequestId(ids.next())
                .setBootstrap(BootstrapOp.newBuilder().setPhase(phase).setSnapshotIndex(snapshotIndex)
                        .setVolume(volume).addAllRows(batch))
                .build();
    }

    private void logProgress(boolean force) {
        long now = System.nanoTime();
        if (force || now - lastLogNanos >= config.progressLogInterval().toNanos()) {
            lastLogNanos = now;
            // The stream does not announce its total, so progress is counted, not a percentage.
            LOG.info("mirror '{}' bootstrap at snapshot index {}: {} rows, {} bytes installed", mirrorName,
                    snapshotIndex, rows, bytes);
        }
    }

    private record Pending(CompletableFuture<MetaReply> reply, int rows, long bytes) {}
}
