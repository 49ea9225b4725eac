package io.mirrorfs.meta.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.net.LoopbackPorts;
import io.mirrorfs.api.proto.BootstrapOp;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.TrimChangelogOp;
import io.mirrorfs.meta.engine.NamespaceEngine;
import io.mirrorfs.meta.server.MetaServer;
import io.mirrorfs.meta.server.MetaServerConfig;
import io.mirrorfs.meta.server.MirrorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A primary MetaServer whose changelog is trimmed, and a mirror MetaServer started late: the mirror
 * cannot follow from index 1, so its leader bootstraps through ChangelogService.Bootstrap (a real
 * checkpoint on the primary, BootstrapOps through the mirror's own Raft log), then follows; its
 * namespace equals the primary's at the same index. A half-installed mirror (a BEGIN with nothing
 * after it) bootstraps again rather than following from half a namespace.
 */
class MirrorBootstrapEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String VOLUME = "vol";
    private static final String MIRROR = "eu";

    @TempDir
    Path dir;
    private MetaServer primaryServer;
    private MetaServer mirrorServer;
    private RaftMetadataClient primaryClient;
    private RaftMetadataClient mirrorClient;

    @AfterEach
    void stopAll() throws Exception {
        closeAll(mirrorClient, mirrorServer, primaryClient, primaryServer);
    }

    @Test
    void lateMirrorBootstrapsThenFollowsAndMatchesThePrimary() throws Exception {
        MetaGroup primaryGroup = MetaGroup.parse("primary-" + System.nanoTime(), "p1=127.0.0.1:" + freePortPair());
        primaryServer = MetaServer.start(new MetaServerConfig("p1", primaryGroup, dir.resolve("p1"))
                .withChangelogMirrors(Set.of(MIRROR)));
        primaryClient = RaftMetadataClient.connect(primaryGroup);
        Workload work = new Workload(primaryClient, 3);
        work.format(VOLUME);
        work.run(200);
        // Retention: drop everything retained so far (as the trimmer does past its hard cap).
        MetaReply trim = primaryClient.mutate(MetaRequest.newBuilder()
                .setRequestId(RequestId.newBuilder().setClientId(91).setSeq(1))
                .setTrimChangelog(TrimChangelogOp.newBuilder().setBelowIndex(Long.MAX_VALUE).setReason("test")).build())
                .get(30, TimeUnit.SECONDS);
        assertThat(trim.getErrno()).isZero();
        long trimmedAt = primaryState().getChangelogLastIndex();

        MetaGroup mirrorGroup = MetaGroup.parse("mirror-" + System.nanoTime(), "m1=127.0.0.1:" + freePortPair());
        mirrorServer = MetaServer.start(new MetaServerConfig("m1", mirrorGroup, dir.resolve("m1"))
                .withMirrorOf(new MirrorSource(MIRROR, VOLUME, primaryGroup)));
        mirrorClient = RaftMetadataClient.connect(mirrorGroup, MetadataClientOptions.defaults().withRaftClients(1));
        awaitCaughtUp("the late mirror to bootstrap and reach the primary");
        assertThat(mirrorState().getPrimaryIndex()).isGreaterThanOrEqualTo(trimmedAt);

        work.run(100); // entries after the snapshot arrive through Follow
        awaitCaughtUp("the mirror to follow the primary after its bootstrap");
        assertThat(TreeDigest.of(mirrorClient, WAIT, 100_000)).isEqualTo(TreeDigest.of(primaryClient, WAIT, 100_000));

        // A half-installed mirror (this BEGIN's attempt never sends rows) must not follow from there.
        MetaReply begin = mirrorClient.mutate(MetaRequest.newBuilder()
                .setRequestId(RequestId.newBuilder().setClientId(92).setSeq(1))
                .setBootstrap(BootstrapOp.newBuilder().setPhase(BootstrapOp.Phase.BEGIN).setSnapshotIndex(1)
                        .setVolume(VOLUME)).build()).get(30, TimeUnit.SECONDS);
        assertThat(Errno.of(begin.getErrno())).isEqualTo(Errno.OK);
        work.run(50);
        awaitCaughtUp("the half-installed mirror to bootstrap again and catch up");

        long primaryLast = primaryState().getChangelogLastIndex();
        MirrorState mirror = mirrorState();
        assertThat(mirror.getPrimaryIndex()).isEqualTo(primaryLast);
        assertThat(mirror.getRole()).isEqualTo("MIRROR");
        assertThat(mirror.getBootstrapRequired()).isFalse();
        Path primaryDb = dir.resolve("p1").resolve("db");
        Path mirrorDb = dir.resolve("m1").resolve("db");
        closeAll(mirrorClient, mirrorServer, primaryClient, primaryServer);
        mirrorClient = null;
        mirrorServer = null;
        primaryClient = null;
        primaryServer = null;
        // The engines agree byte for byte at the same primary index (read after both servers stopped).
        try (NamespaceEngine p = NamespaceEngine.open(primaryDb); NamespaceEngine m = NamespaceEngine.open(mirrorDb)) {
            assertThat(m.namespaceDigest()).isEqualTo(p.namespaceDigest());
            assertThat(m.changelogStats().trimmedBelow()).as("the mirror's changelog starts after its snapshot")
                    .isGreaterThan(trimmedAt);
        }
        try (Stream<Path> left = Files.list(dir.resolve("p1").resolve("bootstrap-tmp"))) {
            assertThat(left.toList()).as("bootstrap checkpoints left on the primary").isEmpty();
        }
    }

    private void awaitCaughtUp(String what) throws Exception {
        await(what, () -> {
            MirrorState m = mirrorState();
            return m.getRole().equals("MIRROR") && !m.getBootstrapRequired()
                    && m.getPrimaryIndex() == primaryState().getChangelogLastIndex();
        });
    }

    private MirrorState primaryState() throws Exception {
        return primaryClient.query(MirroredOps.mirrorState()).get(30, TimeUnit.SECONDS).getMirrorState();
    }

    private MirrorState mirrorState() throws Exception {
        return mirrorClient.query(MirroredOps.mirrorState()).get(30, TimeUnit.SECONDS).getMirrorState();
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(50); // polling interval of a deadline-bounded wait
        }
        AssertionError failure = new AssertionError("timed out after " + WAIT + " waiting for " + what);
        if (last != null) {
            failure.initCause(last);
        }
        throw failure;
    }

    /** Closes in order, each even if an earlier one fails; rethrows the first failure. */
    private static void closeAll(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** A port P such that P and P + 1 (the admin port) are both free right now. */
    private static int freePortPair() throws IOException {
        return LoopbackPorts.freePortPair();
    }
}
