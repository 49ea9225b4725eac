package io.mirrorfs.meta.server;

import io.grpc.Server;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.meta.changelog.ChangelogService;
import io.mirrorfs.meta.changelog.ChangelogTrimmer;
import io.mirrorfs.meta.changelog.EngineChangelogReader;
import io.mirrorfs.meta.changelog.MirrorAcks;
import io.mirrorfs.meta.engine.region.RegionState;
import io.mirrorfs.api.proto.NodeStatusReply;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One metadata node: a Ratis server (gRPC, on the peer's Raft port) running {@link MetaStateMachine},
 * and on Raft port + 1 the {@code MetadataAdmin} and {@code ChangelogService} gRPC services. Every
 * node serves its group's changelog; the leader trims it by retention every
 * {@link MetaServerConfig#changelogTrimInterval()} (held by the mirrors' acks on a primary, by the sync
 * service's ack, as {@value #SYNC_ACK_NAME}, on a mirror); and a {@link MirrorSupervisor} runs the
 * changelog follower while this node leads a mirror group ({@link MetaServerConfig#withMirrorOf}).
 *
 * <p>Embedding (e.g. {@code mirrorfs up}, FUSE tests): a one-node group
 * <pre>{@code
 * MetaGroup group = MetaGroup.parse("mirrorfs", "n1=127.0.0.1:9860");
 * try (MetaServer server = MetaServer.start(new MetaServerConfig("n1", group, dataDir));
 *      RaftMetadataClient client = RaftMetadataClient.connect(group)) { ... }
 * }</pre>
 * The client waits (within its deadline) for the first election, about a second.
 */
public final class MetaServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetaServer.class);
    private static final long ADMIN_SHUTDOWN_MILLIS = 5_000;
    /** How often the per-stage latencies are logged (only when there was traffic). */
    private static final long STATS_LOG_PERIOD_SECONDS = 10;

    private final MetaServerConfig config;
    private final MetaStateMachine stateMachine;
    private final RaftServer raftServer;
    private Server adminServer;
    private final MirrorAcks acks;
    private final ChangelogService changelog;
    private final MirrorSupervisor mirrorSupervisor;
    /** Leader of a primary only: closes sessions whose mounts stopped heartbeating (releasing their locks). */
    private final SessionExpirer sessionExpirer;
    /** A client of this node's own group, for the leader's changelog trims; opened on first use. */
    private RaftMetadataClient selfClient;
    private final ScheduledExecutorService trimScheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("meta-changelog-trimmer").factory());
    private final ScheduledExecutorService statsLogger = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meta-stats-logger");
        t.setDaemon(true);
        return t;
    });

    private MetaServer(MetaServerConfig config, MetaStateMachine stateMachine, RaftServer raftServer) {
        this.config = config;
        this.stateMachine = stateMachine;
        this.raftServer = raftServer;
        this.acks = new MirrorAcks(this::retentionHolders);
        this.changelog = new ChangelogService(new EngineChangelogReader(stateMachine::engine), acks,
                ChangelogService.Limits.defaults(), System::currentTimeMillis)
                .withBootstrapSource(new io.mirrorfs.meta.changelog.BootstrapSource(stateMachine::engine,
                        config.dataDir().resolve("bootstrap-tmp"), io.mirrorfs.meta.changelog.BootstrapSource.Limits.defaults()));
        stateMachine.setOnApplied(changelog::onApplied);
        this.mirrorSupervisor = new MirrorSupervisor(config, new SupervisedNode());
        this.sessionExpirer = SessionExpirer.forNode(this, this::proposeToSelf);
    }

    /** The acks that hold this group's changelog retention: its mirror regions on a primary, its sync service on a mirror. */
    private Set<String> retentionHolders() {
        RegionState region = regionStateOrNull();
        if (region == null) {
            return Set.of();
        }
        return switch (region.role()) {
            case PRIMARY -> config.changelogMirrors();
            case MIRROR -> Set.of(SYNC_ACK_NAME);
            case UNSET -> config.mirrorOf() != null ? Set.of(SYNC_ACK_NAME) : config.changelogMirrors();
        };
    }

    /** The name the mirror's sync service acks this mirror's changelog as. */
    public static final String SYNC_ACK_NAME = "sync";

    private RegionState regionStateOrNull() {
        try {
            return stateMachine.regionState();
        } catch (IOException e) {
            return null;
        }
    }

    /** What the mirror supervisor reads each poll. */
    private final class SupervisedNode implements MirrorSupervisor.NodeView {
        @Override
        public boolean isReadyLeader() {
            try {
                var info = division().getInfo();
                return info.isLeader() && info.isLeaderReady();
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public RegionState region() {
            return regionStateOrNull();
        }

        @Override
        public String volume() {
            VolumeInfo v = stateMachine.volumeInfo();
            return v == null ? null : v.getVolume();
        }
    }

    /** Leader only: proposes changelog trims by the retention policy (on a follower it does nothing). */
    private void trimChangelogQuietly() {
        try {
            if (!isLeader() || regionStateOrNull() == null) {
                return;
            }
            ChangelogTrimmer trimmer = new ChangelogTrimmer(new EngineChangelogReader(stateMachine::engine), acks,
                    config.changelogRetention(), this::proposeToSelf, () -> System.currentTimeMillis() * 1_000_000L);
            trimmer.runOnce().ifPresent(d -> LOG.info("changelog trim proposed below {}: {}", d.belowIndex(), d.reason()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("changelog trim on {} failed; retrying in {}", config.nodeId(), config.changelogTrimInterval(), e);
        }
    }

    private void proposeToSelf(MetaRequest request) throws IOException {
        RaftMetadataClient client;
        synchronized (this) {
            if (selfClient == null) {
                selfClient = RaftMetadataClient.connect(config.group(), MetadataClientOptions.defaults().withRaftClients(1),
                        config.security());
            }
            client = selfClient;
        }
        try {
            MetaReply reply = client.mutate(request).get(SELF_PROPOSAL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (reply.getErrno() != 0) {
                throw new IOException("the group refused " + request.getOpCase() + " with errno " + reply.getErrno());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted proposing " + request.getOpCase(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("proposing " + request.getOpCase() + " to the own group failed", e);
        }
    }

    private static final long SELF_PROPOSAL_TIMEOUT_SECONDS = 30;

    /**
     * Diagnostics: set to a period in seconds to have Ratis print all its metrics (log worker queueing,
     * fsync, follower append latencies...) to stdout that often. Off by default: it is verbose.
     */
    static final String RATIS_METRICS_CONSOLE_SECONDS_PROPERTY = "mirrorfs.meta.ratisMetricsConsoleSeconds";

    public static MetaServer start(MetaServerConfig config) throws IOException {
        int metricsSeconds = Integer.getInteger(RATIS_METRICS_CONSOLE_SECONDS_PROPERTY, 0);
        if (metricsSeconds > 0) {
            MetricRegistries.global().enableConsoleReporter(TimeDuration.valueOf(metricsSeconds, TimeUnit.SECONDS));
        }
        Files.createDirectories(config.raftDir());
        MetaGroup group = config.group();
        // A node that has never stored this group formats its Raft storage; otherwise it recovers it.
        boolean known = Files.isDirectory(config.raftDir().resolve(group.raftGroupId().getUuid().toString()));
        RaftStorage.StartupOption startup = known ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT;
        SnapshotStore snapshots = new SnapshotStore(config.snapshotDir(), config.snapshotTmpDir());
        MetaStateMachine stateMachine = new MetaStateMachine(config.dbDir(), snapshots, Clock.systemUTC());
        RaftServer raftServer = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(config.nodeId()))
                .setGroup(group.raftGroup())
                .setProperties(RatisTuning.serverProperties(config))
                .setParameters(RatisTuning.serverParameters(config))
                .setStateMachine(stateMachine)
                .setOption(startup)
                .build();
        MetaServer node = new MetaServer(config, stateMachine, raftServer);
        LOG.info("starting metadata node {} of group {} ({}), data {}, storage {}",
                config.nodeId(), group, group.raftGroupId(), config.dataDir(), startup);
        try {
            raftServer.start();
            node.adminServer = config.security()
                    .serverBuilder(new InetSocketAddress(config.self().host(), config.self().adminPort()))
                    .maxInboundMessageSize((int) RatisTuning.MESSAGE_SIZE_MAX.getSize())
                    .addService(new AdminService(node))
                    // Every node serves its group's changelog: a primary's to its mirrors, a mirror's
                    // (in the primary's index space) to its sync service and to mirrors of its own.
                    .addService(node.changelog)
                    .build()
                    .start();
            node.mirrorSupervisor.start(MirrorSupervisor.POLL_DEFAULT);
            node.sessionExpirer.start(SessionExpirer.PERIOD_DEFAULT);
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        node.statsLogger.scheduleAtFixedRate(node::logStageLatencies,
                STATS_LOG_PERIOD_SECONDS, STATS_LOG_PERIOD_SECONDS, TimeUnit.SECONDS);
        long trimMillis = config.changelogTrimInterval().toMillis();
        node.trimScheduler.scheduleWithFixedDelay(node::trimChangelogQuietly, trimMillis, trimMillis, TimeUnit.MILLISECONDS);
        LOG.info("metadata node {} serving: raft {}, admin {} ({})", config.nodeId(),
                config.self().raftAddress(), config.self().adminAddress(), config.security());
        return node;
    }

    private void logStageLatencies() {
        List<String> lines = stateMachine.stats().drain();
        if (!lines.isEmpty()) {
            LOG.info("stage latency over {} s: {}", STATS_LOG_PERIOD_SECONDS, String.join("; ", lines));
        }
    }

    public MetaServerConfig config() {
        return config;
    }

    RaftServer raftServer() {
        return raftServer;
    }

    RaftServer.Division division() throws IOException {
        return raftServer.getDivision(config.group().raftGroupId());
    }

    MetaStateMachine stateMachine() {
        return stateMachine;
    }

    /** This node's status, as the admin service reports it. */
    public NodeStatusReply status() throws IOException {
        return new AdminService(this).status();
    }

    /** The index up to which this node's database has applied the log. */
    public long appliedIndex() {
        return stateMachine.engineAppliedIndex();
    }

    /** SHA-256 over the whole applied state: equal on replicas that applied the same prefix. */
    public byte[] digest() {
        return stateMachine.digest();
    }

    /** The mirror follower running on this node (a mirror group's leader), or null. */
    MirrorSupervisor.SessionStatus mirrorFollower() {
        return mirrorSupervisor.status();
    }

    /** This group's role, epoch and mirror progress as applied on this node. */
    public MirrorState regionState() throws IOException {
        RegionState region = stateMachine.regionState();
        if (region == null) {
            throw new IOException("the state machine of " + config.nodeId() + " is not open");
        }
        return region.toProto();
    }

    /** Only for tests: the changelog trimmer's pass, run now (on the leader). */
    void trimChangelogNow() {
        trimChangelogQuietly();
    }

    public boolean isLeader() throws IOException {
        return division().getInfo().isLeader();
    }

    @Override
    public void close() throws IOException {
        LOG.info("stopping metadata node {}", config.nodeId());
        IOException failure = null;
        statsLogger.shutdownNow();
        trimScheduler.shutdownNow();
        sessionExpirer.close();
        mirrorSupervisor.close();
        synchronized (this) {
            if (selfClient != null) {
                selfClient.close();
                selfClient = null;
            }
        }
        if (adminServer != null) {
            adminServer.shutdownNow();
            try {
                if (!adminServer.awaitTermination(ADMIN_SHUTDOWN_MILLIS, TimeUnit.MILLISECONDS)) {
                    LOG.warn("admin service of {} did not stop within {} ms", config.nodeId(), ADMIN_SHUTDOWN_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            raftServer.close();
        } catch (IOException e) {
            failure = e;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Only for tests: where this node keeps its data. */
    Path dataDir() {
        return config.dataDir();
    }
}
