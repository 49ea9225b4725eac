package io.mirrorfs.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.TrimChangelogOp;
import io.mirrorfs.store.Crc32c;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mirror that bootstraps (the primary's changelog was trimmed before the mirror started, so it
 * installs the primary's namespace rows at snapshot index S and its own changelog starts at S + 1):
 * the sync service cannot follow from index 1, so it walks the namespace (full pass), copies every
 * referenced block CRC-checked, and only then publishes a watermark; at every point the test looks,
 * every block of every file committed at or below the committed watermark is in the mirror's store.
 * Real in-process primary and mirror Ratis groups, local-directory stores.
 */
class SyncBootstrapTest {
    @TempDir
    Path dir;

    private TwoRegions regions;
    private SyncDaemon daemon;

    @AfterEach
    void stop() throws Exception {
        try {
            if (daemon != null) {
                daemon.close();
            }
        } finally {
            if (regions != null) {
                regions.close();
            }
        }
    }

    @Test
    void aBootstrappedMirrorGetsEveryReferencedBlockAndAWatermarkThatIsTrue() throws Exception {
        regions = new TwoRegions(dir).startPrimary();
        regions.formatPrimary();
        PrimaryWriter writer = regions.writer();
        List<PrimaryWriter.WrittenFile> files = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            files.add(writer.write("before-" + i, 1000 + i * 4000)); // 1 to 6 blocks each
        }
        PrimaryWriter.WrittenFile gone = writer.write("gone", 2 * TwoRegions.BLOCK);
        writer.unlink("gone");
        for (BlockRef b : gone.blocks()) {
            regions.primaryStore.delete(b.objectKey()); // collected by the primary's GC
        }
        MetaReply trim = regions.primaryClient().mutate(MetaRequest.newBuilder()
                .setRequestId(RequestId.newBuilder().setClientId(91).setSeq(1))
                .setTrimChangelog(TrimChangelogOp.newBuilder().setBelowIndex(Long.MAX_VALUE).setReason("test")).build())
                .get(30, TimeUnit.SECONDS);
        assertThat(Errno.of(trim.getErrno())).isEqualTo(Errno.OK);
        long trimmedAt = regions.primaryLastIndex();

        regions.startMirror();
        awaitState("the mirror to bootstrap", m -> "MIRROR".equals(m.getRole()) && !m.getBootstrapRequired()
                && m.getPrimaryIndex() >= trimmedAt);

        GatedStore gated = new GatedStore(regions.mirrorStore);
        daemon = SyncDaemon.start(regions.daemonConfig(), gated, uri -> new CountingStore(regions.primaryStore));
        long referenced = files.stream().mapToLong(f -> f.blocks().size()).sum();
        Fixture.await("the full pass to show in the status", TwoRegions.WAIT,
                () -> daemon.status().getWatermarkHeldBy().startsWith("full pass: 0 of " + referenced + " blocks"));
        assertThat(regions.mirrorState().getDataWatermark()).as("nothing is published before the blocks are copied")
                .isZero();

        gated.open();
        for (int i = 0; i < 3; i++) {
            files.add(writer.write("after-" + i, 2 * TwoRegions.BLOCK + i)); // through the changelog
        }
        long last = regions.primaryLastIndex();
        long deadline = System.nanoTime() + TwoRegions.WAIT.toNanos();
        long watermark = 0;
        while (watermark < last) {
            assertThat(System.nanoTime()).as("watermark %d did not reach %d; status %s", watermark, last,
                    daemon.status()).isLessThan(deadline);
            watermark = regions.mirrorState().getDataWatermark();
            assertWatermarkTrue(watermark, files);
            Thread.sleep(20); // polling the condition
        }

        for (PrimaryWriter.WrittenFile f : files) {
            assertBlocksInMirror(f);
        }
        for (BlockRef b : gone.blocks()) {
            assertThat(regions.mirrorStore.head(b.objectKey())).isEmpty();
        }
        SyncStats stats = daemon.stats().orElseThrow();
        assertThat(stats.fullPass().blocksTotal()).isEqualTo(referenced);
        assertThat(stats.fullPass().blocksDone()).isEqualTo(referenced);
        assertThat(stats.fullPass().index()).isGreaterThanOrEqualTo(trimmedAt);
        assertThat(stats.poison()).isEmpty();
        // And what the mirror's own metadata references now, walked independently, is all there.
        MirrorMetadata metadata = new MirrorMetadata(regions.mirrorClient(), TwoRegions.MIRROR, Duration.ofSeconds(30));
        for (BlockRef b : new ReferencedBlocks(metadata, TwoRegions.VOLUME, TwoRegions.BLOCK).walk()) {
            assertThat(Crc32c.of(regions.mirrorStore.get(b.objectKey()))).as("CRC of %s", b.objectKey())
                    .isEqualTo(b.crc32c());
        }
    }

    /** Every block of every file committed at or below {@code watermark} is in the mirror's store. */
    private void assertWatermarkTrue(long watermark, List<PrimaryWriter.WrittenFile> files) throws Exception {
        for (PrimaryWriter.WrittenFile f : files) {
            if (f.commitIndex() <= watermark) {
                for (BlockRef b : f.blocks()) {
                    assertThat(regions.mirrorStore.head(b.objectKey())).as("%s of %s (index %d) at watermark %d",
                            b.objectKey(), f.name(), f.commitIndex(), watermark).isPresent();
                }
            }
        }
    }

    private void assertBlocksInMirror(PrimaryWriter.WrittenFile f) throws Exception {
        for (int i = 0; i < f.blocks().size(); i++) {
            BlockRef b = f.blocks().get(i);
            byte[] got = regions.mirrorStore.get(b.objectKey());
            assertThat(Crc32c.of(got)).as("CRC of %s", b.objectKey()).isEqualTo(b.crc32c());
            assertThat(got).isEqualTo(f.data().get(i));
        }
    }

    private interface StateCondition {
        boolean test(MirrorState state);
    }

    private void awaitState(String what, StateCondition condition) throws Exception {
        long deadline = System.nanoTime() + TwoRegions.WAIT.toNanos();
        while (true) {
            try {
                if (condition.test(regions.mirrorState())) {
                    return;
                }
            } catch (Exception e) {
                // not answering yet: keep polling until the deadline
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + TwoRegions.WAIT + " waiting for " + what);
            }
            Thread.sleep(50); // polling the condition
        }
    }
}
