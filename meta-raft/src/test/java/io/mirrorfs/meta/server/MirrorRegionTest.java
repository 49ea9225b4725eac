package io.mirrorfs.meta.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.proto.FenceOp;
import io.mirrorfs.api.proto.FollowPrimaryOp;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.NodeStatusReply;
import io.mirrorfs.api.proto.PromoteOp;
import io.mirrorfs.meta.changelog.RetentionPolicy;
import io.mirrorfs.meta.engine.ChangelogRow;
import io.mirrorfs.meta.engine.NamespaceEngine;
import io.mirrorfs.meta.mirror.TreeDigest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A primary region and mirror regions as real in-process Ratis groups (DESIGN §4, §5): the mirror
 * converges on the primary (same namespace digest on every mirror node, same changelog entry for entry
 * under the primary's indexes, so nothing was applied twice or out of order) through the loss of its
 * leader and a restart of the whole group; it refuses client writes; a mirror of the wrong volume
 * applies nothing and says why; and a switchover (Fence, Promote, FollowPrimary) re-points the
 * followers without a restart.
 */
class MirrorRegionTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String VOLUME = "vol";

    @TempDir
    Path dir;
    private final List<MetaServer> servers = new ArrayList<>();
    private final List<RaftMetadataClient> clients = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        clients.forEach(RaftMetadataClient::close);
        for (MetaServer s : servers) {
            s.close();
        }
    }

    private static MetaGroup group(String name, int nodes) throws Exception {
        List<String> peers = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            peers.add(name + i + "=127.0.0.1:" + TestPorts.freePortPair());
        }
        return MetaGroup.parse(name + "-" + System.nanoTime(), String.join(",", peers));
    }

    private MetaServerConfig config(MetaGroup group, MetaPeer peer) {
        return new MetaServerConfig(peer.id(), group, dir.resolve(group.name()).resolve(peer.id()));
    }

    private List<MetaServer> startAll(List<MetaServerConfig> configs) throws Exception {
        List<MetaServer> started = new ArrayList<>();
        for (MetaServerConfig c : configs) {
            MetaServer s = MetaServer.start(c);
            servers.add(s);
            started.add(s);
        }
        return started;
    }

    private List<MetaServerConfig> mirrorConfigs(MetaGroup group, MirrorSource source) {
        return group.peers().stream().map(p -> config(group, p).withMirrorOf(source)).toList();
    }

    private RaftMetadataClient client(MetaGroup group) {
        RaftMetadataClient c = RaftMetadataClient.connect(group);
        clients.add(c);
        return c;
    }

    private void stop(MetaServer s) throws Exception {
        servers.remove(s);
        s.close();
    }

    private static NamespaceEngine engine(MetaServer s) {
        return s.stateMachine().engine();
    }

    private static MetaServer leaderOf(List<MetaServer> group) throws Exception {
        AtomicReference<MetaServer> leader = new AtomicReference<>();
        Await.until("a leader", WAIT, () -> {
            for (MetaServer s : group) {
                if (s.isLeader()) {
                    leader.set(s);
                    return true;
                }
            }
            return false;
        });
        return leader.get();
    }

    /**
     * The mirror group has applied the primary's last changelog entry, and every given mirror node holds
     * the primary's namespace and its changelog, entry for entry.
     */
    private static void awaitConverged(MetadataClient primary, MetaServer primaryNode, MetadataClient mirror,
                                       List<MetaServer> mirrorNodes) throws Exception {
        long last = TestWriter.mirrorState(primary).getChangelogLastIndex();
        Await.until("the mirror to apply primary index " + last, WAIT,
                () -> TestWriter.mirrorState(mirror).getPrimaryIndex() == last);
        assertThat(TreeDigest.of(mirror, Duration.ofSeconds(30), 100_000))
                .isEqualTo(TreeDigest.of(primary, Duration.ofSeconds(30), 100_000));
        byte[] namespace = engine(primaryNode).namespaceDigest();
        List<ChangelogRow> changelog = engine(primaryNode).readChangelog(1, 100_000, Long.MAX_VALUE);
        for (MetaServer node : mirrorNodes) {
            Await.until(node.config().nodeId() + " to apply primary index " + last, WAIT,
                    () -> engine(node).primaryIndex() == last);
            assertThat(engine(node).namespaceDigest()).as(node.config().nodeId()).isEqualTo(namespace);
            assertThat(engine(node).readChangelog(1, 100_000, Long.MAX_VALUE)).as(node.config().nodeId())
                    .usingRecursiveFieldByFieldElementComparator().isEqualTo(changelog);
        }
    }

    @Test
    void aThreeNodeMirrorConvergesThroughLeaderLossAndAWholeGroupRestart() throws Exception {
        MetaGroup primaryGroup = group("p", 1);
        MetaServer primaryNode = startAll(List.of(config(primaryGroup, primaryGroup.peers().get(0)))).get(0);
        MetaGroup mirrorGroup = group("eu", 3);
        List<MetaServerConfig> mirrorConfigs = mirrorConfigs(mirrorGroup, new MirrorSource("eu", VOLUME, primaryGroup));
        List<MetaServer> mirrorNodes = new ArrayList<>(startAll(mirrorConfigs));
        RaftMetadataClient primary = client(primaryGroup);
        RaftMetadataClient mirror = client(mirrorGroup);
        TestWriter writer = new TestWriter(primary);
        TestWriter.ok(writer.format(VOLUME));
        writer.dirWithFiles("a", 20);
        awaitConverged(primary, primaryNode, mirror, mirrorNodes);

        // Reads and status on the mirror; writes refused.
        MirrorState state = TestWriter.mirrorState(mirror);
        assertThat(state.getRole()).isEqualTo("MIRROR");
        assertThat(state.getEpoch()).isEqualTo(1);
        MetaReply refused = new TestWriter(mirror).mkdirAt(1_000_000, "nope");
        assertThat(Errno.of(refused.getErrno())).isEqualTo(Errno.EROFS);
        assertThat(refused.getChangelogIndex()).isEqualTo(state.getPrimaryIndex());
        MetaServer leader = leaderOf(mirrorNodes);
        Await.until("the leader's follower to report it is caught up", WAIT, () -> {
            NodeStatusReply status = leader.status();
            return status.hasFollower() && status.getFollower().getPhase().equals("FOLLOWING")
                    && status.getFollower().getLagEntries() == 0 && status.getFollower().getLagMillis() == 0;
        });
        assertThat(leader.status().getRegionState().getRole()).isEqualTo("MIRROR");
        for (MetaServer node : mirrorNodes) {
            if (node != leader) {
                assertThat(node.status().hasFollower()).as("only the leader follows").isFalse();
            }
        }

        // The mirror's leader goes away while the primary keeps writing: another node takes over.
        Thread writes = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < 20; i++) {
                    writer.dirWithFiles("during" + i, 5);
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        long before = TestWriter.mirrorState(mirror).getPrimaryIndex();
        Await.until("the mirror to be mid-stream", WAIT, () -> TestWriter.mirrorState(mirror).getPrimaryIndex() > before + 10);
        mirrorNodes.remove(leader);
        stop(leader);
        writes.join(WAIT.toMillis());
        assertThat(writes.isAlive()).isFalse();
        awaitConverged(primary, primaryNode, mirror, mirrorNodes);
        MetaServer newLeader = leaderOf(mirrorNodes);
        assertThat(newLeader.status().getFollower().getPhase()).isEqualTo("FOLLOWING");

        // The old leader comes back as a follower and catches up through Raft.
        MetaServerConfig oldConfig = leader.config();
        mirrorNodes.add(startAll(List.of(oldConfig)).get(0));
        awaitConverged(primary, primaryNode, mirror, mirrorNodes);

        // The whole mirror stops; the primary goes on; the restarted mirror resumes from its own index.
        for (MetaServer node : List.copyOf(mirrorNodes)) {
            stop(node);
        }
        writer.dirWithFiles("while-down", 10);
        mirrorNodes = new ArrayList<>(startAll(mirrorConfigs));
        awaitConverged(primary, primaryNode, mirror, mirrorNodes);
    }

    @Test
    void aMirrorOfTheWrongVolumeAppliesNothingAndSaysWhy() throws Exception {
        MetaGroup primaryGroup = group("p", 1);
        startAll(List.of(config(primaryGroup, primaryGroup.peers().get(0))));
        TestWriter.ok(new TestWriter(client(primaryGroup)).format(VOLUME));
        MetaGroup mirrorGroup = group("eu", 1);
        MetaServer mirrorNode = startAll(mirrorConfigs(mirrorGroup, new MirrorSource("eu", "other", primaryGroup))).get(0);

        Await.until("the follower to report the refusal", WAIT, () -> {
            NodeStatusReply status = mirrorNode.status();
            return status.hasFollower() && status.getFollower().getLastError().contains("'other'");
        });
        NodeStatusReply status = mirrorNode.status();
        assertThat(status.getFollower().getLastError()).contains("INVALID_ARGUMENT").contains("'" + VOLUME + "'");
        assertThat(status.getFollower().getConnected()).isFalse();
        assertThat(status.getRegionState().getRole()).isEqualTo("UNSET");
        assertThat(status.getRegionState().getPrimaryIndex()).isZero();
        assertThat(status.getVolume()).as("nothing applied: not even the format").isEmpty();
        assertThat(engine(mirrorNode).readChangelog(1, 10, Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void aSwitchoverRepointsTheFollowersWithoutARestart() throws Exception {
        MetaGroup aGroup = group("a", 1);
        MetaGroup bGroup = group("b", 1);
        MetaServer aNode = startAll(List.of(config(aGroup, aGroup.peers().get(0)))).get(0);
        MetaServer bNode = startAll(mirrorConfigs(bGroup, new MirrorSource("b", VOLUME, aGroup))).get(0);
        RaftMetadataClient a = client(aGroup);
        RaftMetadataClient b = client(bGroup);
        TestWriter aWriter = new TestWriter(a);
        TestWriter.ok(aWriter.format(VOLUME));
        aWriter.dirWithFiles("before", 10);

        // Fence A; B catches up to A's last entry (the fence itself); promote B.
        MetaReply fenced = TestWriter.ok(aWriter.mutate(MetaRequest.newBuilder().setFence(FenceOp.newBuilder().setEpoch(1))));
        long fencedAt = fenced.getChangelogIndex();
        assertThat(Errno.of(aWriter.mkdirAt(1_000_000, "late").getErrno())).isEqualTo(Errno.EROFS);
        awaitConverged(a, aNode, b, List.of(bNode));
        assertThat(TestWriter.mirrorState(b).getPrimaryIndex()).isEqualTo(fencedAt);
        TestWriter bWriter = new TestWriter(b);
        MetaReply promoted = TestWriter.ok(bWriter.mutate(MetaRequest.newBuilder()
                .setPromote(PromoteOp.newBuilder().setNewEpoch(2).setRegion("b"))));
        assertThat(promoted.getChangelogIndex()).isGreaterThan(fencedAt);
        Await.until("B's follower to stop once B is the primary", WAIT, () -> !bNode.status().hasFollower());

        // A follows B from its own last index, told so through its log: no restart, no new config.
        String bPeers = String.join(",", bGroup.peers().stream().map(MetaPeer::toString).toList());
        TestWriter.ok(aWriter.mutate(MetaRequest.newBuilder().setFollowPrimary(FollowPrimaryOp.newBuilder()
                .setEpoch(2).setPrimaryRegion("b").setResumeAfterIndex(fencedAt).setPrimaryPeers(bPeers)
                .setPrimaryGroup(bGroup.name()))));
        bWriter.dirWithFiles("after", 10);
        awaitConverged(b, bNode, a, List.of());
        MirrorState aState = TestWriter.mirrorState(a);
        assertThat(aState.getRole()).isEqualTo("MIRROR");
        assertThat(aState.getEpoch()).isEqualTo(2);
        assertThat(aState.getPrimaryRegion()).isEqualTo("b");
        NodeStatusReply aStatus = aNode.status();
        assertThat(aStatus.getFollower().getPrimaryRegion()).isEqualTo("b");
        assertThat(Errno.of(aWriter.mkdirAt(1_000_001, "on-a").getErrno())).isEqualTo(Errno.EROFS);
        assertThat(TestWriter.mirrorState(b).getPromotedAtIndex()).isEqualTo(fencedAt);
    }

    @Test
    void aMirrorTrimsItsChangelogOnlyBelowWhatItsSyncServiceAcked() throws Exception {
        MetaGroup primaryGroup = group("p", 1);
        MetaServer primaryNode = startAll(List.of(config(primaryGroup, primaryGroup.peers().get(0)))).get(0);
        MetaGroup mirrorGroup = group("eu", 1);
        // Keep (softly) one entry; trims are run by hand below, not by the 1-hour timer.
        RetentionPolicy keepOne = new RetentionPolicy(Duration.ofDays(1), 1, 1L << 40, 1_000_000, 1L << 41);
        MetaServer mirrorNode = startAll(mirrorConfigs(mirrorGroup, new MirrorSource("eu", VOLUME, primaryGroup)).stream()
                .map(c -> c.withChangelogRetention(keepOne).withChangelogTrimInterval(Duration.ofHours(1))).toList()).get(0);
        RaftMetadataClient primary = client(primaryGroup);
        RaftMetadataClient mirror = client(mirrorGroup);
        TestWriter writer = new TestWriter(primary);
        TestWriter.ok(writer.format(VOLUME));
        writer.dirWithFiles("a", 20);
        awaitConverged(primary, primaryNode, mirror, List.of(mirrorNode));
        Await.until("the mirror node to be its group's leader", WAIT, mirrorNode::isLeader);

        mirrorNode.trimChangelogNow();
        assertThat(engine(mirrorNode).changelogStats().trimmedBelow()).as("sync has not acked: nothing goes").isZero();

        List<ChangelogRow> rows = engine(mirrorNode).readChangelog(1, 1000, Long.MAX_VALUE);
        long acked = rows.get(rows.size() / 2).index();
        io.grpc.ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
                .forAddress("127.0.0.1", mirrorGroup.peers().get(0).adminPort()).usePlaintext().build();
        try {
            io.mirrorfs.api.proto.AckReply reply = io.mirrorfs.api.proto.ChangelogServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
                    .ack(io.mirrorfs.api.proto.AckRequest.newBuilder().setMirrorName(MetaServer.SYNC_ACK_NAME)
                            .setVolume(VOLUME).setAppliedIndex(acked).build());
            assertThat(reply.getLastIndex()).as("a mirror's changelog ends at its primary index")
                    .isEqualTo(TestWriter.mirrorState(mirror).getPrimaryIndex());
        } finally {
            channel.shutdownNow();
        }
        mirrorNode.trimChangelogNow();
        Await.until("the mirror to trim below the sync ack " + acked, WAIT,
                () -> engine(mirrorNode).changelogStats().trimmedBelow() == acked + 1);
        assertThat(engine(mirrorNode).changelogStats().firstIndex()).isGreaterThan(acked);
        assertThat(engine(primaryNode).changelogStats().trimmedBelow()).as("the primary keeps its own").isZero();
    }
}
