package io.mirrorfs.sync;

import io.grpc.Server;
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
 * The running sync service of one mirror region (DESIGN §4, §5), what {@code mirrorfs sync start} runs:
 * <ol>
 *   <li>waits until the region's metadata answers and is formatted (its first mirrored entry);</li>
 *   <li>starts a {@link BlockSyncService} whose watermark is committed into the region's own group
 *       ({@link MetadataWatermarkSink}) and which asks the region's metadata whether a block missing at
 *       the source was deleted ({@link MetadataSliceLiveness});</li>
 *   <li>then, in a loop that looks at the region's state each time round:
 *     <ul>
 *       <li>a <b>primary</b> region (promoted, or primary in the topology file) has nothing to copy: the
 *           daemon idles, says so once, and asks again every {@code rolePoll};</li>
 *       <li>a mirror copies from the store of the region it follows ({@link SourceSelector}; re-chosen
 *           when a failover re-points it), following its own changelog from the resume index
 *           ({@link ChangelogFeed}) and acking the published watermark to it ({@link ChangelogAcker});</li>
 *       <li>when the changelog no longer holds the resume index (the region bootstrapped from a
 *           snapshot, or trimmed past it), a {@link FullPass} copies what the namespace references and
 *           following resumes above the index the walk was consistent with.</li>
 *     </ul></li>
 * </ol>
 * While following, a watch every {@code rolePoll} makes the feed yield when the role, the followed
 * region, or the index space changed. Status is served as SyncAdmin gRPC and as Prometheus text when
 * addresses are configured. The daemon closes the stores it opened, never the target it was given.
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

    /**
     * What the daemon is doing. SYNCING: following the changelog (a full pass's copies may still run);
     * FULL_PASS: walking the namespace; PRIMARY_IDLE: the region is a primary, nothing to copy;
     * WAITING_FOR_SOURCE: no store to copy from (status says why).
     */
    public enum Phase {
        WAITING_FOR_METADATA, WAITING_FOR_FORMAT, SYNCING, FULL_PASS, PRIMARY_IDLE, WAITING_FOR_SOURCE, FAILED, CLOSED
    }

    private final SyncDaemonConfig config;
    private final ObjectStore target;
    private final StoreOpener opener;
    private final SourceSelector selector;
    private final SwitchableStore source = new SwitchableStore();
    private final RegionChannels channels;
    private final ScheduledExecutorService ticker;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Server statusServer;
    private MetricsHttpServer metricsServer;
    private Thread runner;

    // Set by the runner thread once known; read by status calls and the ticker.
    private volatile Phase phase = Phase.WAITING_FOR_METADATA;
    private volatile String waitingFor = "";
    private volatile String failure = "";
    private volatile String volume = "";
    private volatile String sourceUri = "";
    /** The region whose store is the source (topology mode), or "" when not chosen by region. */
    private volatile String sourceRegion = "";
    private volatile RaftMetadataClient client;
    private volatile MirrorMetadata mirror;
    private volatile BlockSyncService sync;
    private volatile ChangelogFeed feed;
    private volatile ChangelogAcker acker;
    private volatile boolean closed;
    private String lastLogged = "";

    private SyncDaemon(SyncDaemonConfig config, ObjectStore target, StoreOpener opener) {
        this.config = config;
        this.target = target;
        this.opener = opener;
        this.selector = new SourceSelector(config.sourceStoreUri(), config.regionStores());
        this.channels = new RegionChannels(config.mirrorGroup(), config.security());
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
                statusServer = config.security().serverBuilder(address)
                        .addService(new SyncStatusService(this::status)).build().start();
            } catch (IOException e) {
                throw new IOException("cannot serve sync status on " + address + ": " + e.getMessage(), e);
            }
            LOG.info("sync of region '{}' serves its status (SyncAdmin) on {}:{} ({})", config.region(),
                    address.getHostString(), statusServer.getPort(), config.security());
        }
        if (config.metricsAddress().isPresent()) {
            metricsServer = MetricsHttpServer.start(config.metricsAddress().get(),
                    () -> SyncStatusReport.prometheus(status(), copying()));
            LOG.info("sync of region '{}' serves Prometheus metrics on http://{}:{}{}", config.region(),
                    config.metricsAddress().get().getHostString(), metricsServer.port(), MetricsHttpServer.PATH);
        }
    }

    private boolean copying() {
        Phase now = phase;
        return now == Phase.SYNCING || now == Phase.FULL_PASS;
    }

    private void run() {
        try {
            client = RaftMetadataClient.connect(config.mirrorGroup(), MetadataClientOptions.defaults()
                    .withDeadline(config.rpcTimeout()).withRaftClients(1), config.security());
            mirror = new MirrorMetadata(client, config.mirrorGroup().name(), config.rpcTimeout());
            VolumeInfo info = awaitFormatted(mirror);
            volume = info.getVolume();
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
            LOG.info("sync of region '{}' (volume '{}') into {} resumes from primary index {}", config.region(), volume,
                    target.uri(), resume);
            syncLoop(service, info);
        } catch (InterruptedIOException e) {
            LOG.debug("sync of region '{}' interrupted while starting", config.region());
        } catch (InterruptedException e) {
            LOG.debug("sync of region '{}' interrupted", config.region());
        } catch (IOException | RuntimeException e) {
            fail(e.getMessage(), e);
        } finally {
            stopped.countDown();
        }
    }

    /** Looks at the region, then idles, walks or follows; again until closed. */
    private void syncLoop(BlockSyncService service, VolumeInfo info) throws InterruptedException {
        boolean fullPassNeeded = false;
        boolean wasIdle = false;
        FullPass fullPass = new FullPass(config.region(), mirror, volume, info.getBlockSizeBytes());
        while (!closed) {
            try {
                MirrorState state = mirror.mirrorState();
                if ("PRIMARY".equals(state.getRole())) {
                    idleWhilePrimary(state);
                    wasIdle = true;
                    continue;
                }
                if (wasIdle) {
                    wasIdle = false;
                    LOG.info("region '{}' is a mirror again (epoch {}, following '{}'): sync resumes", config.region(),
                            state.getEpoch(), state.getPrimaryRegion());
                    service.republish();
                }
                if (state.getBootstrapRequired()) {
                    // Its namespace is being replaced: the changelog sync followed no longer applies.
                    fullPassNeeded = true;
                    await(Phase.WAITING_FOR_METADATA, "region '" + config.region() + "' is bootstrapping from its"
                            + " primary: a full pass follows once it is done", config.waitPoll());
                    continue;
                }
                if (state.getPrimaryIndex() < service.highestSubmitted()) {
                    fullPassNeeded = true; // the index space went back: entries above it are new ones
                }
                chooseSource(state, info);
                if (fullPassNeeded) {
                    phase = Phase.FULL_PASS;
                    fullPassNeeded = !fullPass.run(service, index -> waitingFor = "full pass: walking the namespace"
                            + " at primary index " + index);
                    waitingFor = "";
                    continue;
                }
                phase = Phase.SYNCING;
                waitingFor = "";
                lastLogged = "";
                if (feed.run() == ChangelogFeed.Outcome.BEHIND_RETAINED) {
                    fullPassNeeded = true;
                }
            } catch (SourceSelector.SourceUnknownException e) {
                await(Phase.WAITING_FOR_SOURCE, "region '" + config.region() + "' has no store to copy from: "
                        + e.getMessage(), config.rolePoll());
            } catch (InterruptedIOException e) {
                throw new InterruptedException(e.getMessage());
            } catch (IOException e) {
                await(phase == Phase.FULL_PASS ? Phase.FULL_PASS : Phase.WAITING_FOR_METADATA, "region '"
                        + config.region() + "': " + e.getMessage(), config.waitPoll());
            }
        }
    }

    private void idleWhilePrimary(MirrorState state) throws InterruptedException {
        String note = "region '" + config.region() + "' is primary now: nothing to copy (epoch " + state.getEpoch()
                + ")";
        if (phase != Phase.PRIMARY_IDLE) {
            LOG.info("{}; asking again every {} ms whether it is a mirror", note, config.rolePoll().toMillis());
            lastLogged = note;
        }
        phase = Phase.PRIMARY_IDLE;
        waitingFor = note;
        pause(config.rolePoll());
    }

    /** Records what the daemon waits for (logged once per distinct reason) and pauses before looking again. */
    private void await(Phase waitingPhase, String reason, Duration poll) throws InterruptedException {
        phase = waitingPhase;
        waitingFor = reason;
        if (!reason.equals(lastLogged)) {
            LOG.info("{}", reason);
            lastLogged = reason;
        }
        pause(poll);
    }

    private void pause(Duration poll) throws InterruptedException {
        if (!closed) {
            Thread.sleep(poll.toMillis()); // a poll interval, not a wait for something to settle
        }
    }

    /**
     * Opens the store to copy from if it is not the one in use (first time, or the mirror now follows
     * another region), and swaps it in under the copier.
     */
    private void chooseSource(MirrorState state, VolumeInfo info)
            throws IOException, SourceSelector.SourceUnknownException {
        SourceSelector.Choice choice = selector.choose(state, info.getStoreUri());
        String region = config.regionStores().map(s -> s.followed(state.getPrimaryRegion())).orElse("");
        if (choice.uri().equals(sourceUri) && source.current() != null) {
            sourceRegion = region;
            return;
        }
        ObjectStore opened = opener.open(choice.uri());
        if (opened.uri().equals(target.uri())) {
            closeQuietly(opened);
            throw new SourceSelector.SourceUnknownException("the source chosen (" + choice.why() + ") is this"
                    + " region's own store " + target.uri() + ": pass --topology FILE so sync copies from the"
                    + " primary it follows, or --source-store URI");
        }
        ObjectStore previous = source.switchTo(opened);
        String was = sourceUri;
        sourceUri = choice.uri();
        sourceRegion = region;
        if (previous == null) {
            LOG.info("sync of region '{}' copies from {} ({})", config.region(), opened.uri(), choice.why());
        } else {
            LOG.info("sync of region '{}' now copies from {} ({}); was {}", config.region(), opened.uri(),
                    choice.why(), was);
            closeQuietly(previous);
        }
    }

    private static void closeQuietly(ObjectStore store) {
        try {
            store.close();
        } catch (IOException e) {
            LOG.warn("closing store {} failed", store.uri(), e);
        }
    }

    private void fail(String message, Exception unexpected) {
        if (closed) {
            return;
        }
        failure = message;
        phase = Phase.FAILED;
        LOG.error("sync of region '{}' stopped: {}", config.region(), message, unexpected);
    }

    /**
     * Polls until the group answers and has a volume. A mirror is formatted by its first mirrored entry
     * (the primary's FormatOp), which can take a while on a fresh deployment, hence the wait. A primary
     * is formatted too: the loop then idles while it is one.
     */
    private VolumeInfo awaitFormatted(MirrorMetadata metadata) throws InterruptedException {
        while (!closed) {
            try {
                Optional<VolumeInfo> info = metadata.volume();
                if (info.isPresent()) {
                    return info.get();
                }
                await(Phase.WAITING_FOR_FORMAT, "waiting for region '" + config.region() + "' to be formatted (its"
                        + " first mirrored entry from the primary): is its metadata following the primary?",
                        config.waitPoll());
            } catch (InterruptedIOException e) {
                throw new InterruptedException(e.getMessage());
            } catch (IOException e) {
                await(Phase.WAITING_FOR_METADATA, "waiting for the metadata group '" + config.mirrorGroup()
                        + "' of region '" + config.region() + "' to answer: " + e.getMessage(), config.waitPoll());
            }
        }
        throw new InterruptedException("closed");
    }

    private void scheduleTicks() {
        long ack = config.ackInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::ackQuietly, ack, ack, TimeUnit.MILLISECONDS);
        long progress = config.progressInterval().toMillis();
        ticker.scheduleWithFixedDelay(new ProgressLog(), progress, progress, TimeUnit.MILLISECONDS);
        long role = config.rolePoll().toMillis();
        ticker.scheduleWithFixedDelay(this::watchRegion, role, role, TimeUnit.MILLISECONDS);
    }

    /**
     * While following: makes the feed yield to the loop when the region is no longer what it was
     * following as (a primary now, bootstrapping, its index space went back, or following another
     * region whose store is the source), so the loop idles, walks, or switches the source.
     */
    private void watchRegion() {
        if (phase != Phase.SYNCING) {
            return;
        }
        MirrorState state;
        try {
            state = mirror.mirrorState();
        } catch (IOException e) {
            LOG.debug("sync of region '{}': role check failed: {}", config.region(), e.getMessage());
            return; // the feed reports an unreachable region itself
        }
        String why = null;
        if ("PRIMARY".equals(state.getRole())) {
            why = "the region is primary now";
        } else if (state.getBootstrapRequired()) {
            why = "the region is bootstrapping";
        } else if (state.getPrimaryIndex() < sync.highestSubmitted()) {
            why = "the region's primary index went back to " + state.getPrimaryIndex();
        } else if (selector.followsThePrimary() && config.regionStores().isPresent()
                && !config.regionStores().get().followed(state.getPrimaryRegion()).equals(sourceRegion)) {
            why = "the region follows '" + config.regionStores().get().followed(state.getPrimaryRegion()) + "' now";
        }
        if (why != null && phase == Phase.SYNCING) {
            LOG.info("sync of region '{}' stops following its changelog: {}", config.region(), why);
            feed.yieldToDaemon();
        }
    }

    private void ackQuietly() {
        if (phase == Phase.PRIMARY_IDLE) {
            return; // a primary's retention is held by its mirrors, not by this service
        }
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
            if (!copying()) {
                return; // waiting and idle phases log their reason when it changes
            }
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
                            + " copied {} blocks at {} MiB/s, poison {}{}{}{}", config.region(), s.watermark(),
                    s.publishedWatermark(), s.highestSubmitted(), s.blocksPending(),
                    String.format("%.1f", s.bytesPending() / (double) (1 << 20)), s.oldestPendingAgeMillis() / 1000,
                    s.blocksCopied(), String.format("%.2f", mibPerSecond), s.poison().size(),
                    s.fullPass().running() ? "; full pass: " + s.fullPass().blocksDone() + " of "
                            + s.fullPass().blocksTotal() + " blocks" : "",
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
        String note = waitingFor;
        if (now == Phase.FAILED) {
            return reply.setLastError(failure).setWatermarkHeldBy("sync stopped: " + failure).build();
        }
        if (service == null) {
            return reply.setLastError(note).setWatermarkHeldBy(note.isEmpty() ? "starting" : note).build();
        }
        SyncStatusReply built = SyncStatusReport.reply(reply, service.stats());
        switch (now) {
            case PRIMARY_IDLE:
                // Not an error: a publish refused while the role changed is history once idle.
                return built.toBuilder().setWatermarkHeldBy(note).clearLastError().build();
            case WAITING_FOR_METADATA, WAITING_FOR_FORMAT, WAITING_FOR_SOURCE:
                return built.toBuilder().setWatermarkHeldBy(note).setLastError(note).build();
            case FULL_PASS:
                return note.isEmpty() ? built : built.toBuilder().setWatermarkHeldBy(note).build();
            default:
                break;
        }
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
        try {
            source.close();
        } catch (IOException e) {
            LOG.warn("closing source store {} failed", sourceUri, e);
        }
        LOG.info("sync of region '{}' stopped", config.region());
    }
}
