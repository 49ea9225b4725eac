package io.mirrorfs.sync;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.metrics.MetricsHttpServer;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.SyncStatusReply;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running sync service of one mirror region (DESIGN §4), what {@code mirrorfs sync start} runs:
 * <ol>
 *   <li>waits until the mirror's metadata answers and is formatted (its first mirrored entry), and
 *       refuses a region whose group is a primary;</li>
 *   <li>opens the source store (the volume's recorded store, i.e. the primary's, unless overridden) and
 *       starts a {@link BlockSyncService} whose watermark is committed into the mirror's own group
 *       ({@link MetadataWatermarkSink}) and which asks the mirror's metadata whether a block missing at
 *       the source was deleted ({@link MetadataSliceLiveness});</li>
 *   <li>follows the region's own changelog from the resume index ({@link ChangelogFeed}), acks the
 *       published watermark to it ({@link ChangelogAcker}), and logs progress.</li>
 * </ol>
 * Status is served as SyncAdmin gRPC and as Prometheus text when addresses are configured. The daemon
 * closes the stores it opened, never the target it was given.
 */
public final class SyncDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncDaemon.class);
    private static final long JOIN_MILLIS = 15_000;
    /** A quiet service still logs a line this many progress intervals apart. */
    private static final int IDLE_LOG_EVERY = 12;

    /** Opens the source store from a URI (ObjectStores::open in a deployment). */
    @FunctionalInterface
    public interface StoreOpener {
        ObjectStore open(String uri) throws IOException;
    }

    public enum Phase { WAITING_FOR_METADATA, WAITING_FOR_FORMAT, SYNCING, FAILED, CLOSED }

    private final SyncDaemonConfig config;
    private final ObjectStore target;
    private final StoreOpener opener;
    private final RegionChannels channels;
    private final ScheduledExecutorService ticker;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Server statusServer;
    private MetricsHttpServer metricsServer;
    private Thread runner;

    // Set by the runner thread once known; read by status calls.
    private volatile Phase phase = Phase.WAITING_FOR_METADATA;
    private volatile String waitingFor = "";
    private volatile String failure = "";
    private volatile String volume = "";
    private volatile String sourceUri = "";
    private volatile RaftMetadataClient client;
    private volatile ObjectStore source;
    private volatile BlockSyncService sync;
    private volatile ChangelogFeed feed;
    private volatile ChangelogAcker acker;
    private volatile boolean closed;

    private SyncDaemon(SyncDaemonConfig config, ObjectStore target, StoreOpener opener) {
        this.config = config;
        this.target = target;
        this.opener = opener;
        this.channels = new RegionChannels(config.mirrorGroup());
        this.ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("sync-ticker-" + config.region()).factory());
    }

    /**
     * Starts the endpoints (a port in use fails here, before anything else runs) and the sync thread,
     * which waits for the mirror's metadata in the background.
     *
     * @param target the mirror region's store; not closed by the daemon
     */
    public static SyncDaemon start(SyncDaemonConfig config, ObjectStore target, StoreOpener sourceOpener)
            throws IOException {
        SyncDaemon daemon = new SyncDaemon(config, target, sourceOpener);
        try {
            daemon.startEndpoints();
        } catch (IOException | RuntimeException e) {
            daemon.close();
            throw e;
        }
        daemon.runner = Thread.ofPlatform().name("sync-" + config.region()).start(daemon::run);
        return daemon;
    }

    private void startEndpoints() throws IOException {
        if (config.statusAddress().isPresent()) {
            InetSocketAddress address = config.statusAddress().get();
            try {
                statusServer = NettyServerBuilder.forAddress(address)
                        .addService(new SyncStatusService(this::status)).build().start();
            } catch (IOException e) {
                throw new IOException("cannot serve sync status on " + address + ": " + e.getMessage(), e);
            }
            LOG.info("sync of region '{}' serves its status (SyncAdmin) on {}:{}", config.region(),
                    address.getHostString(), statusServer.getPort());
        }
        if (config.metricsAddress().isPresent()) {
            metricsServer = MetricsHttpServer.start(config.metricsAddress().get(),
                    () -> SyncStatusReport.prometheus(status(), phase == Phase.SYNCING));
            LOG.info("sync of region '{}' serves Prometheus metrics on http://{}:{}{}", config.region(),
                    config.metricsAddress().get().getHostString(), metricsServer.port(), MetricsHttpServer.PATH);
        }
    }

    private void run() {
        try {
            client = RaftMetadataClient.connect(config.mirrorGroup(), MetadataClientOptions.defaults()
                    .withDeadline(config.rpcTimeout()).withRaftClients(1));
            MirrorMetadata mirror = new MirrorMetadata(client, config.mirrorGroup().name(), config.rpcTimeout());
            VolumeInfo info = awaitFormattedMirror(mirror);
            volume = info.getVolume();
            String uri = config.sourceStoreUri().orElse(info.getStoreUri());
            if (uri.isEmpty()) {
                throw new SyncRefusedException("volume '" + volume + "' records no store URI, so sync does not know"
                        + " where to copy from: pass --source-store URI (the primary region's store)");
            }
            sourceUri = uri;
            source = opener.open(uri);
            SyncConfig syncConfig = config.copy().toSyncConfig(volume, info.getBlockSizeBytes());
            BlockSyncService service = new BlockSyncService(syncConfig, source, target,
                    new MetadataSliceLiveness(mirror), new MetadataWatermarkSink(mirror), System::currentTimeMillis);
            sync = service;
            long resume = service.start();
            feed = new ChangelogFeed(channels, volume, config.region(), new ChangelogFeed.Consumer() {
                @Override
                public long resumeFrom() {
                    return service.highestSubmitted() + 1;
                }

                @Override
                public void submit(long primaryIndex, LogEntry entry) throws InterruptedException {
                    service.submit(primaryIndex, entry);
                }
            }, config.followBackoffMin(), config.followBackoffMax());
            acker = new ChangelogAcker(channels, volume, config.region(), service::publishedWatermark, config.rpcTimeout());
            scheduleTicks();
            phase = Phase.SYNCING;
            LOG.info("sync of region '{}' (volume '{}') copies {} -> {} from primary index {}", config.region(), volume,
                    uri, target.uri(), resume);
            if (!closed) {
                feed.run();
            }
        } catch (InterruptedIOException e) {
            LOG.debug("sync of region '{}' interrupted while starting", config.region());
        } catch (InterruptedException e) {
            LOG.debug("sync of region '{}' interrupted", config.region());
        } catch (SyncRefusedException e) {
            fail(e.getMessage(), null);
        } catch (IOException | RuntimeException e) {
            fail(e.getMessage(), e);
        } finally {
            stopped.countDown();
        }
    }

    private void fail(String message, Exception unexpected) {
        if (closed) {
            return;
        }
        failure = message;
        phase = Phase.FAILED;
        if (unexpected == null) {
            LOG.error("sync of region '{}' refused to run: {}", config.region(), message);
        } else {
            LOG.error("sync of region '{}' stopped: {}", config.region(), message, unexpected);
        }
    }

    /**
     * Polls until the group answers and has a volume. A mirror is formatted by its first mirrored entry
     * (the primary's FormatOp), which can take a while on a fresh deployment, hence the wait.
     */
    private VolumeInfo awaitFormattedMirror(MirrorMetadata mirror)
            throws InterruptedException, SyncRefusedException {
        String lastLogged = "";
        while (!closed) {
            String waiting;
            try {
                MirrorState state = mirror.mirrorState();
                refuseIfPrimary(state);
                Optional<VolumeInfo> info = mirror.volume();
                if (info.isPresent()) {
                    refuseIfPrimary(mirror.mirrorState()); // a group formatted directly is a primary
                    return info.get();
                }
                phase = Phase.WAITING_FOR_FORMAT;
                waiting = "waiting for region '" + config.region() + "' to be formatted (its first mirrored entry"
                        + " from the primary): is its metadata following the primary?";
            } catch (IOException e) {
                if (e instanceof InterruptedIOException) {
                    throw new InterruptedException(e.getMessage());
                }
                phase = Phase.WAITING_FOR_METADATA;
                waiting = "waiting for the metadata group '" + config.mirrorGroup() + "' of region '" + config.region()
                        + "' to answer: " + e.getMessage();
            }
            waitingFor = waiting;
            if (!waiting.equals(lastLogged)) {
                LOG.info("{}", waiting);
                lastLogged = waiting;
            }
            Thread.sleep(config.waitPoll().toMillis()); // a poll interval, not a wait for something to settle
        }
        throw new InterruptedException("closed");
    }

    private void refuseIfPrimary(MirrorState state) throws SyncRefusedException {
        if ("PRIMARY".equals(state.getRole())) {
            throw new SyncRefusedException("region '" + config.region() + "' is a primary (epoch " + state.getEpoch()
                    + "): sync runs on mirror regions, copying from the primary's store into the mirror's");
        }
    }

    private void scheduleTicks() {
        long ack = config.ackInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::ackQuietly, ack, ack, TimeUnit.MILLISECONDS);
        long progress = config.progressInterval().toMillis();
        ticker.scheduleWithFixedDelay(new ProgressLog(), progress, progress, TimeUnit.MILLISECONDS);
    }

    private void ackQuietly() {
        try {
            acker.ackAll();
        } catch (RuntimeException e) {
            LOG.warn("sync of region '{}': ack round failed", config.region(), e);
        }
    }

    /** Logs watermark, pending work and copy rate when something changed, and now and then when idle. */
    private final class ProgressLog implements Runnable {
        private long lastBytes;
        private long lastWatermark = -1;
        private long lastPending = -1;
        private long lastNanos = System.nanoTime();
        private int quietTicks;

        @Override
        public void run() {
            SyncStats s = sync.stats();
            long now = System.nanoTime();
            double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
            double mibPerSecond = (s.bytesCopied() - lastBytes) / seconds / (1 << 20);
            boolean changed = s.watermark() != lastWatermark || s.blocksPending() != lastPending
                    || s.bytesCopied() != lastBytes;
            lastBytes = s.bytesCopied();
            lastWatermark = s.watermark();
            lastPending = s.blocksPending();
            lastNanos = now;
            if (!changed && ++quietTicks < IDLE_LOG_EVERY) {
                return;
            }
            quietTicks = 0;
            LOG.info("sync of region '{}': watermark {} (published {}), newest {}, pending {} blocks / {} MiB (oldest {} s),"
                            + " copied {} blocks at {} MiB/s, poison {}{}{}", config.region(), s.watermark(),
                    s.publishedWatermark(), s.highestSubmitted(), s.blocksPending(),
                    String.format("%.1f", s.bytesPending() / (double) (1 << 20)), s.oldestPendingAgeMillis() / 1000,
                    s.blocksCopied(), String.format("%.2f", mibPerSecond), s.poison().size(),
                    s.watermarkHeldBy().isEmpty() ? "" : "; held by: " + s.watermarkHeldBy(),
                    feed.connectedTo().isEmpty() ? "; not connected: " + feed.lastError() : "");
        }
    }

    /** The status as SyncAdmin reports it, in every phase. */
    public SyncStatusReply status() {
        SyncStatusReply.Builder reply = SyncStatusReply.newBuilder().setRegion(config.region()).setVolume(volume)
                .setSourceStore(sourceUri).setTargetStore(target.uri());
        BlockSyncService service = sync;
        Phase now = phase;
        if (now == Phase.FAILED) {
            reply.setLastError(failure).setWatermarkHeldBy("sync stopped: " + failure);
        } else if (service == null) {
            reply.setLastError(waitingFor).setWatermarkHeldBy(waitingFor.isEmpty() ? "starting" : waitingFor);
        }
        if (service == null) {
            return reply.build();
        }
        SyncStatusReply built = SyncStatusReport.reply(reply, service.stats());
        ChangelogFeed f = feed;
        if (built.getLastError().isEmpty() && f != null && f.connectedTo().isEmpty() && !f.lastError().isEmpty()) {
            return built.toBuilder().setLastError(f.lastError()).build();
        }
        return built;
    }

    public Phase phase() {
        return phase;
    }

    /** The copier's figures once syncing. */
    public Optional<SyncStats> stats() {
        BlockSyncService service = sync;
        return service == null ? Optional.empty() : Optional.of(service.stats());
    }

    /** Waits until the sync thread ends (failure or close); true if it did within the timeout. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The SyncAdmin port (the chosen one when configured with port 0). */
    public int statusPort() {
        if (statusServer == null) {
            throw new IllegalStateException("no status address configured");
        }
        return statusServer.getPort();
    }

    public int metricsPort() {
        if (metricsServer == null) {
            throw new IllegalStateException("no metrics address configured");
        }
        return metricsServer.port();
    }

    /**
     * Stops following, publishes what is already copied (so a restart redoes as little as possible),
     * and closes everything the daemon opened. Copies in flight are abandoned and redone, head first,
     * after the next start.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ChangelogFeed f = feed;
        if (f != null) {
            f.close();
        }
        ticker.shutdownNow();
        if (runner != null) {
            runner.interrupt();
            try {
                runner.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (runner.isAlive()) {
                LOG.error("sync thread of region '{}' did not stop within {} ms", config.region(), JOIN_MILLIS);
            }
        }
        BlockSyncService service = sync;
        if (service != null) {
            service.close();
        }
        phase = Phase.CLOSED;
        if (statusServer != null) {
            statusServer.shutdownNow();
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        channels.close();
        if (client != null) {
            client.close();
        }
        ObjectStore opened = source;
        if (opened != null) {
            try {
                opened.close();
            } catch (IOException e) {
                LOG.warn("closing source store {} failed", opened.uri(), e);
            }
        }
        LOG.info("sync of region '{}' stopped", config.region());
    }

    /** Sync cannot run for this region as configured: an operator has to change something. */
    static final class SyncRefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        SyncRefusedException(String message) {
            super(message);
        }
    }
}
