package io.mirrorfs.meta.server;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.proto.NodeStatusReply;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
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
 * and the {@code MetadataAdmin} gRPC service on Raft port + 1.
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
    private final ScheduledExecutorService statsLogger = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meta-stats-logger");
        t.setDaemon(true);
        return t;
    });

    private MetaServer(MetaServerConfig config, MetaStateMachine stateMachine, RaftServer raftServer) {
        this.config = config;
        this.stateMachine = stateMachine;
        this.raftServer = raftServer;
    }

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
                .setStateMachine(stateMachine)
                .setOption(startup)
                .build();
        MetaServer node = new MetaServer(config, stateMachine, raftServer);
        LOG.info("starting metadata node {} of group {} ({}), data {}, storage {}",
                config.nodeId(), group, group.raftGroupId(), config.dataDir(), startup);
        try {
            raftServer.start();
            node.adminServer = NettyServerBuilder
                    .forAddress(new InetSocketAddress(config.self().host(), config.self().adminPort()))
                    .addService(new AdminService(node))
                    .build()
                    .start();
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        node.statsLogger.scheduleAtFixedRate(node::logStageLatencies,
                STATS_LOG_PERIOD_SECONDS, STATS_LOG_PERIOD_SECONDS, TimeUnit.SECONDS);
        LOG.info("metadata node {} serving: raft {}, admin {}", config.nodeId(),
                config.self().raftAddress(), config.self().adminAddress());
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

    public boolean isLeader() throws IOException {
        return division().getInfo().isLeader();
    }

    @Override
    public void close() throws IOException {
        LOG.info("stopping metadata node {}", config.nodeId());
        IOException failure = null;
        statsLogger.shutdownNow();
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
