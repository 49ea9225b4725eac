package io.mirrorfs.meta.server;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.net.ChannelSecurity;
import io.mirrorfs.meta.engine.region.RegionState;
import io.mirrorfs.meta.mirror.MirrorBootstrapper;
import io.mirrorfs.meta.mirror.MirrorFollower;
import io.mirrorfs.meta.mirror.MirrorFollowerConfig;
import io.mirrorfs.meta.mirror.MirrorFollowerStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link MirrorFollower} on this node exactly while it should (DESIGN §4, §5): while the node
 * is its group's (ready) leader and the group's role is MIRROR, or UNSET with a {@link MirrorSource}
 * configured. The primary followed is the one the group's own state names (a FollowPrimaryOp's
 * primary_peers/primary_group), else the configured source. A short poll reconciles: losing
 * leadership, a PromoteOp, or a FollowPrimaryOp naming other peers stops (and, where it applies,
 * restarts) the follower within one poll period, without a node restart.
 */
final class MirrorSupervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MirrorSupervisor.class);
    static final Duration POLL_DEFAULT = Duration.ofMillis(250);

    /** What this node reads each poll; implemented by MetaServer. */
    interface NodeView {
        /** The group's leader, with every earlier term's entries applied here. */
        boolean isReadyLeader();

        /** The group's state as applied on this node, or null when unavailable (starting, installing a snapshot). */
        RegionState region();

        /** The volume name applied here, or null before format. */
        String volume();
    }

    /** Whom to follow, as whom. Equal targets mean the running follower can stay. */
    record Target(MetaGroup primary, String primaryRegion, String volume, String mirrorName) {}

    private final MetaServerConfig config;
    private final NodeView node;
    private final ScheduledExecutorService poller;
    private Target target;
    private Session session;
    private boolean closed;
    private String lastWarning;

    /** The running follower's progress and whom it follows. */
    record SessionStatus(MirrorFollowerStatus follower, String primaryRegion) {}

    MirrorSupervisor(MetaServerConfig config, NodeView node) {
        this.config = config;
        this.node = node;
        this.poller = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("mirror-supervisor-" + config.nodeId()).factory());
    }

    void start(Duration poll) {
        poller.scheduleWithFixedDelay(this::reconcileQuietly, 0, poll.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The follower running on this node, or null when none runs. */
    SessionStatus status() {
        Session s;
        synchronized (this) {
            s = session;
        }
        return s == null ? null : new SessionStatus(s.follower.status(), s.target.primaryRegion());
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            LOG.warn("mirror supervisor of {}: reconcile failed; retrying next poll", config.nodeId(), e);
        }
    }

    synchronized void reconcile() {
        if (closed) {
            return;
        }
        Target wanted = desired();
        if (Objects.equals(wanted, target)) {
            return;
        }
        stopSession();
        target = wanted;
        if (wanted != null) {
            session = Session.start(config.group(), wanted, config.security());
        }
    }

    private Target desired() {
        if (!node.isReadyLeader()) {
            return null;
        }
        RegionState region = node.region();
        if (region == null || region.role() == RegionState.Role.PRIMARY) {
            return null;
        }
        MirrorSource configured = config.mirrorOf();
        if (region.role() == RegionState.Role.UNSET) {
            return configured == null ? null : fromConfig(configured);
        }
        String mirrorName = configured != null ? configured.regionName() : config.group().name();
        if (!region.primaryPeers().isEmpty()) {
            String volume = configured != null ? configured.volume() : node.volume();
            if (volume == null) {
                warnOnce("mirror group " + config.group().name() + " has no volume yet and no --volume: cannot follow");
                return null;
            }
            String groupName = region.primaryGroup().isEmpty() ? MetaGroup.DEFAULT_NAME : region.primaryGroup();
            return new Target(MetaGroup.parse(groupName, region.primaryPeers()), region.primaryRegion(), volume, mirrorName);
        }
        if (configured == null) {
            warnOnce("group " + config.group().name() + " is a mirror but knows no primary to follow: start it with"
                    + " --mirror-of (or --topology), or send a FollowPrimaryOp naming the primary's peers");
            return null;
        }
        return fromConfig(configured);
    }

    private static Target fromConfig(MirrorSource source) {
        return new Target(source.primary(), "", source.volume(), source.regionName());
    }

    private void warnOnce(String warning) {
        if (!warning.equals(lastWarning)) {
            lastWarning = warning;
            LOG.warn(warning);
        }
    }

    private void stopSession() {
        Session s = session;
        session = null;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            stopSession();
            target = null;
        }
        poller.shutdownNow();
        try {
            if (!poller.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("mirror supervisor of {} did not stop within 5 s", config.nodeId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One follower with the channels and the client it owns. */
    private static final class Session {
        final Target target;
        final List<ManagedChannel> channels;
        final RaftMetadataClient client;
        final MirrorFollower follower;

        private Session(Target target, List<ManagedChannel> channels, RaftMetadataClient client, MirrorFollower follower) {
            this.target = target;
            this.channels = channels;
            this.client = client;
            this.follower = follower;
        }

        /** {@code security}: this node's, used toward the primary too (one CA per deployment). */
        static Session start(MetaGroup ownGroup, Target target, ChannelSecurity security) {
            List<ManagedChannel> channels = new ArrayList<>();
            for (MetaPeer peer : target.primary().peers()) {
                channels.add(security.channelBuilder(peer.host(), peer.adminPort())
                        .maxInboundMessageSize((int) RatisTuning.MESSAGE_SIZE_MAX.getSize()).build());
            }
            // One Raft client: the follower's proposals then reach the leader in the order they were sent.
            RaftMetadataClient client = RaftMetadataClient.connect(ownGroup, MetadataClientOptions.defaults().withRaftClients(1),
                    security);
            MirrorFollowerConfig followerConfig = new MirrorFollowerConfig(target.volume(), target.mirrorName(), 64,
                    Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(10),
                    Duration.ofSeconds(10));
            List<Channel> primaries = new ArrayList<>(channels);
            MirrorFollower follower = new MirrorFollower(primaries, client, followerConfig, MirrorBootstrapper::bootstrap);
            follower.start();
            LOG.info("mirror '{}' follows {} (region '{}', volume '{}')", target.mirrorName(), target.primary(),
                    target.primaryRegion(), target.volume());
            return new Session(target, channels, client, follower);
        }

        void close() {
            LOG.info("mirror '{}' stops following {}", target.mirrorName(), target.primary());
            try {
                follower.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            client.close();
            for (ManagedChannel c : channels) {
                c.shutdownNow();
            }
        }
    }
}
