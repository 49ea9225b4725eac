package io.mirrorfs.meta.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.proto.ChangelogEntry;
import io.mirrorfs.api.proto.ChangelogServiceGrpc;
import io.mirrorfs.api.proto.FollowRequest;
import io.mirrorfs.api.proto.NodeStatusReply;
import io.mirrorfs.meta.engine.ChangelogRow;
import io.mirrorfs.meta.mirror.TreeDigest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mirror region's three nodes as separate processes ({@link MetaServerMain} with the mirror
 * options), the primary in-process. Fault: kill -9 of the mirror's leader while the primary takes a
 * stream of writes. Proves: a new mirror leader resumes following on its own, the mirror converges on
 * the primary's namespace, and its changelog — read back over a mirror node's own Follow service — is
 * the primary's entry for entry (so no primary entry was applied twice, skipped or reordered); the
 * killed node rejoins and reaches the same state. A failure leaves each node's log under the test's
 * temp directory (printed in the assertion).
 */
class MirrorProcessKillTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String VOLUME = "vol";

    @TempDir
    Path dir;

    @Test
    void killingTheMirrorLeaderMidStreamLosesAndRepeatsNothing() throws Exception {
        MetaGroup primaryGroup = MetaGroup.parse("p-" + System.nanoTime(), "p1=127.0.0.1:" + TestPorts.freePortPair());
        String primaryPeers = String.join(",", primaryGroup.peers().stream().map(MetaPeer::toString).toList());
        java.nio.file.Files.createDirectories(dir.resolve("eu"));
        List<String> mirrorArgs = List.of("--region", "eu", "--mirror-of", primaryPeers,
                "--primary-group", primaryGroup.name(), "--volume", VOLUME);
        try (MetaServer primaryNode = MetaServer.start(new MetaServerConfig("p1", primaryGroup, dir.resolve("p1")));
                RaftMetadataClient primary = RaftMetadataClient.connect(primaryGroup);
                ProcessCluster mirrorCluster = new ProcessCluster(dir.resolve("eu"), 3, mirrorArgs);
                RaftMetadataClient mirror = RaftMetadataClient.connect(mirrorCluster.group())) {
            mirrorCluster.startAll();
            TestWriter writer = new TestWriter(primary);
            TestWriter.ok(writer.format(VOLUME));
            writer.dirWithFiles("first", 10);
            long firstLast = TestWriter.mirrorState(primary).getChangelogLastIndex();
            Await.until("the mirror to start following", WAIT,
                    () -> TestWriter.mirrorState(mirror).getPrimaryIndex() == firstLast);

            Thread writes = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 30; i++) {
                        writer.dirWithFiles("stream" + i, 5);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            String leader = mirrorCluster.awaitLeader(WAIT);
            Await.until("the mirror to be mid-stream", WAIT,
                    () -> TestWriter.mirrorState(mirror).getPrimaryIndex() > firstLast + 20);
            mirrorCluster.kill9(leader);
            writes.join(WAIT.toMillis());
            assertThat(writes.isAlive()).isFalse();

            long last = TestWriter.mirrorState(primary).getChangelogLastIndex();
            Await.until("the mirror (new leader) to apply primary index " + last, WAIT,
                    () -> TestWriter.mirrorState(mirror).getPrimaryIndex() == last);
            String newLeader = mirrorCluster.awaitLeader(WAIT);
            assertThat(newLeader).isNotEqualTo(leader);
            NodeStatusReply status = mirrorCluster.status(newLeader, false);
            assertThat(status.getFollower().getPhase()).isEqualTo("FOLLOWING");
            assertThat(TreeDigest.of(mirror, Duration.ofSeconds(30), 100_000))
                    .isEqualTo(TreeDigest.of(primary, Duration.ofSeconds(30), 100_000));

            List<ChangelogRow> expected = primaryNode.stateMachine().engine().readChangelog(1, 100_000, Long.MAX_VALUE);
            assertThat(followFrom(mirrorCluster.group().peer(newLeader), last))
                    .usingRecursiveFieldByFieldElementComparator().isEqualTo(expected);

            // The killed node restarts and reaches the survivors' state (same digest at the same index).
            mirrorCluster.start(leader);
            Await.until(leader + " to catch up with " + newLeader, WAIT, () -> {
                NodeStatusReply back = mirrorCluster.status(leader, true);
                NodeStatusReply ref = mirrorCluster.status(newLeader, true);
                return back.getAppliedIndex() == ref.getAppliedIndex()
                        && back.getStateDigest().equals(ref.getStateDigest());
            });
        }
    }

    /** The changelog a mirror node serves (its own Follow), read from the start up to {@code lastIndex}. */
    private static List<ChangelogRow> followFrom(MetaPeer node, long lastIndex) throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forAddress(node.host(), node.adminPort()).usePlaintext().build();
        Context.CancellableContext call = Context.current().withCancellation();
        Context previous = call.attach();
        try {
            Iterator<ChangelogEntry> stream = ChangelogServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(60, TimeUnit.SECONDS)
                    .follow(FollowRequest.newBuilder().setVolume(VOLUME).setFromIndex(1).setMirrorName("check")
                            .setFormatVersion(FsLimits.LOG_FORMAT_VERSION).build());
            List<ChangelogRow> rows = new ArrayList<>();
            while (stream.hasNext()) {
                ChangelogEntry e = stream.next();
                rows.add(new ChangelogRow(e.getIndex(), e.getEntry().toByteArray()));
                if (e.getIndex() >= lastIndex) {
                    break;
                }
            }
            return rows;
        } finally {
            call.detach(previous);
            call.cancel(null);
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
