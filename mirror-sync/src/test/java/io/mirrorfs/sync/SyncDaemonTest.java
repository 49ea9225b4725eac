package io.mirrorfs.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.proto.SyncAdminGrpc;
import io.mirrorfs.api.proto.SyncStatusReply;
import io.mirrorfs.api.proto.SyncStatusRequest;
import io.mirrorfs.store.Crc32c;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.wrap.FaultInjectingStore;
import io.mirrorfs.store.wrap.FaultInjectingStore.Faults;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sync service end to end: a real primary and a real mirror metadata group (in-process Ratis
 * servers), local-directory stores, files written on the primary as a client writes them. Proves that
 * every referenced block lands CRC-valid in the mirror's store and the watermark committed in the
 * mirror's group reaches the primary's last index; that a restart resumes without copying again; that
 * a failing mirror store holds the watermark (with the reason in the status) until it heals; that a
 * slice deleted before it was copied is skipped; and that on a primary region it idles (it may become
 * a mirror later: {@link SyncFailoverTest}).
 */
class SyncDaemonTest {
    @TempDir
    Path dir;

    private TwoRegions regions;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        regions = new TwoRegions(dir).start();
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        regions.close();
    }

    private SyncDaemon daemon(SyncDaemonConfig config, ObjectStore target) throws Exception {
        // The primary store is the test's: hand the daemon a wrapper whose close leaves it open.
        SyncDaemon d = SyncDaemon.start(config, target, uri -> {
            assertThat(uri).isEqualTo(regions.primaryStore.uri());
            return new CountingStore(regions.primaryStore);
        });
        toClose.add(d);
        return d;
    }

    @Test
    void waitsForTheMirrorToBeFormattedThenCopiesEveryBlockAndCommitsTheWatermark() throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        SyncDaemon daemon = daemon(regions.daemonConfig().withEndpoints(Optional.of(loopback), Optional.of(loopback)),
                regions.mirrorStore);
        await("waiting for format", () -> daemon.phase() == SyncDaemon.Phase.WAITING_FOR_FORMAT);
        assertThat(statusOverGrpc(daemon).getWatermarkHeldBy()).contains("waiting for region 'mirror' to be formatted");

        regions.formatPrimary();
        PrimaryWriter writer = regions.writer();
        List<PrimaryWriter.WrittenFile> files = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            files.add(writer.write("before-" + i, 1000 + i * 5000)); // 1 to 8 blocks each
        }
        await("syncing", () -> daemon.phase() == SyncDaemon.Phase.SYNCING);
        for (int i = 0; i < 4; i++) {
            files.add(writer.write("live-" + i, 3 * TwoRegions.BLOCK + 17));
        }
        long last = regions.primaryLastIndex();
        regions.awaitCommittedWatermark(last, daemon);

        for (PrimaryWriter.WrittenFile f : files) {
            assertBlocksInMirror(f);
        }
        SyncStatusReply status = statusOverGrpc(daemon);
        assertThat(status.getPublishedWatermark()).isGreaterThanOrEqualTo(last);
        assertThat(status.getVolume()).isEqualTo(TwoRegions.VOLUME);
        assertThat(status.getSourceStore()).isEqualTo(regions.primaryStore.uri());
        assertThat(status.getBlocksPending()).isZero();
        assertThat(status.getWatermarkHeldBy()).isEmpty();
        assertThat(status.getBlocksCopied()).isEqualTo(files.stream().mapToLong(f -> f.blocks().size()).sum());

        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + daemon.metricsPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("mirrorfs_sync_up{region=\"mirror\",volume=\"vol\"} 1\n")
                .contains("mirrorfs_sync_blocks_copied_total{region=\"mirror\",volume=\"vol\"} " + status.getBlocksCopied() + "\n")
                .contains("mirrorfs_sync_blocks_pending{region=\"mirror\",volume=\"vol\"} 0\n");
    }

    @Test
    void restartResumesAboveTheCommittedWatermarkWithoutCopyingAgain() throws Exception {
        regions.formatPrimary();
        PrimaryWriter writer = regions.writer();
        List<PrimaryWriter.WrittenFile> files = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            files.add(writer.write("a-" + i, 2 * TwoRegions.BLOCK + i));
        }
        CountingStore counting = new CountingStore(regions.mirrorStore);
        SyncDaemon first = daemon(regions.daemonConfig(), counting);
        long firstLast = regions.primaryLastIndex();
        regions.awaitCommittedWatermark(firstLast, first);
        first.close();

        for (int i = 0; i < 5; i++) {
            files.add(writer.write("b-" + i, 3 * TwoRegions.BLOCK + i));
        }
        SyncDaemon second = daemon(regions.daemonConfig(), counting);
        long last = regions.primaryLastIndex();
        regions.awaitCommittedWatermark(last, second);
        for (PrimaryWriter.WrittenFile f : files) {
            assertBlocksInMirror(f);
            for (BlockRef b : f.blocks()) {
                assertThat(counting.puts.get(b.objectKey())).as("puts of %s", b.objectKey()).hasValue(1);
            }
        }
        SyncStats stats = second.stats().orElseThrow();
        long newBlocks = files.subList(5, 10).stream().mapToLong(f -> f.blocks().size()).sum();
        assertThat(stats.blocksCopied()).as("the second run copies only the new files' blocks").isEqualTo(newBlocks);
        assertThat(stats.blocksAlreadyPresent()).isZero();
    }

    @Test
    void failingMirrorStoreHoldsTheWatermarkWithAReasonAndCatchesUpWhenHealed() throws Exception {
        regions.formatPrimary();
        PrimaryWriter writer = regions.writer();
        PrimaryWriter.WrittenFile early = writer.write("early", TwoRegions.BLOCK + 1);
        FaultInjectingStore failing = new FaultInjectingStore(regions.mirrorStore, Faults.none(), 1);
        SyncDaemon daemon = daemon(regions.daemonConfig(), failing);
        regions.awaitCommittedWatermark(early.commitIndex(), daemon);

        failing.setFaults(new Faults(1.0, 0, 0, 0, 0, 0)); // every call fails (retryable)
        PrimaryWriter.WrittenFile held = writer.write("held", 2 * TwoRegions.BLOCK);
        await("watermark held by the failing store", () -> daemon.status().getWatermarkHeldBy()
                .contains("primary index " + held.commitIndex()) && daemon.status().getPoisonCount() > 0);
        SyncStatusReply status = daemon.status();
        assertThat(status.getWatermarkHeldBy()).contains("injected retryable fault");
        assertThat(status.getDataWatermark()).isLessThan(held.commitIndex());
        assertThat(regions.mirrorState().getDataWatermark()).isLessThan(held.commitIndex());
        assertThat(regions.mirrorStore.head(held.blocks().get(0).objectKey())).isEmpty();

        failing.setFaults(Faults.none());
        long last = regions.primaryLastIndex();
        regions.awaitCommittedWatermark(last, daemon);
        assertBlocksInMirror(held);
        await("poison list cleared", () -> daemon.status().getPoisonCount() == 0);
        assertThat(daemon.status().getWatermarkHeldBy()).isEmpty();
    }

    @Test
    void sliceDeletedBeforeItWasCopiedIsSkipped() throws Exception {
        regions.formatPrimary();
        PrimaryWriter writer = regions.writer();
        PrimaryWriter.WrittenFile kept = writer.write("kept", 2 * TwoRegions.BLOCK);
        PrimaryWriter.WrittenFile gone = writer.write("gone", 3 * TwoRegions.BLOCK);
        writer.unlink("gone");
        for (BlockRef b : gone.blocks()) {
            regions.primaryStore.delete(b.objectKey()); // what the primary's slice GC does later
        }
        SyncDaemon daemon = daemon(regions.daemonConfig(), regions.mirrorStore);
        regions.awaitCommittedWatermark(regions.primaryLastIndex(), daemon);
        assertBlocksInMirror(kept);
        for (BlockRef b : gone.blocks()) {
            assertThat(regions.mirrorStore.head(b.objectKey())).isEmpty();
        }
        SyncStats stats = daemon.stats().orElseThrow();
        assertThat(stats.blocksSkippedDeleted()).isEqualTo(gone.blocks().size());
        assertThat(stats.poison()).isEmpty();
    }

    @Test
    void rotatesToAnotherNodeOfTheRegionWhenOneIsDown() throws Exception {
        regions.formatPrimary();
        PrimaryWriter.WrittenFile file = regions.writer().write("one", 2 * TwoRegions.BLOCK);
        // A peer list whose first node never answers: the feed must move on to the live one.
        MetaGroup withDeadNode = MetaGroup.parse(TwoRegions.MIRROR, "m0=127.0.0.1:" + TwoRegions.freePortPair() + ","
                + regions.mirrorGroup.peers().get(0));
        SyncDaemonConfig base = regions.daemonConfig();
        SyncDaemonConfig config = new SyncDaemonConfig(base.region(), withDeadNode, base.sourceStoreUri(),
                base.statusAddress(), base.metricsAddress(), base.copy(), base.rpcTimeout(), base.ackInterval(),
                base.progressInterval(), base.waitPoll(), base.followBackoffMin(), base.followBackoffMax());
        SyncDaemon daemon = daemon(config, regions.mirrorStore);
        regions.awaitCommittedWatermark(regions.primaryLastIndex(), daemon);
        assertBlocksInMirror(file);
    }

    @Test
    void idlesOnAPrimaryRegionWithoutCopyingOrFailing() throws Exception {
        regions.formatPrimary();
        regions.writer().write("on-primary", 2 * TwoRegions.BLOCK);
        SyncDaemonConfig config = SyncDaemonConfig.defaults("primary", regions.primaryGroup)
                .withTimings(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(100),
                        Duration.ofMillis(50), Duration.ofSeconds(1)).withRolePoll(Duration.ofMillis(100));
        SyncDaemon daemon = daemon(config, regions.mirrorStore);
        await("idle on the primary", () -> daemon.phase() == SyncDaemon.Phase.PRIMARY_IDLE);
        SyncStatusReply status = daemon.status();
        assertThat(status.getWatermarkHeldBy()).isEqualTo("region 'primary' is primary now: nothing to copy (epoch 1)");
        assertThat(status.getLastError()).isEmpty();
        assertThat(status.getSourceStore()).as("no source opened while primary").isEmpty();
        assertThat(daemon.awaitStopped(Duration.ofMillis(1))).as("still running, not failed").isFalse();
        assertThat(regions.mirrorStore.list("", null, 10).objects()).isEmpty();
    }

    private void assertBlocksInMirror(PrimaryWriter.WrittenFile f) throws Exception {
        for (int i = 0; i < f.blocks().size(); i++) {
            BlockRef b = f.blocks().get(i);
            byte[] got = regions.mirrorStore.get(b.objectKey());
            assertThat(Crc32c.of(got)).as("CRC of %s", b.objectKey()).isEqualTo(b.crc32c());
            assertThat(got).isEqualTo(f.data().get(i));
        }
    }

    private static SyncStatusReply statusOverGrpc(SyncDaemon daemon) throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", daemon.statusPort()).usePlaintext().build();
        try {
            return SyncAdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .syncStatus(SyncStatusRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Fixture.await(what, TwoRegions.WAIT, condition);
    }
}
