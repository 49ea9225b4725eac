package io.mirrorfs.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.proto.VolumeInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code mirrorfs sync verify} does, against a real mirror group: the blocks referenced are found
 * by walking the mirror's namespace (an unlinked file's are not), a block missing from the mirror's
 * store and one corrupted there are reported, and repair restores both.
 */
class MirrorVerifyTest {
    @TempDir
    Path dir;

    @Test
    void walksTheMirrorsMetadataAndRepairsMissingAndCorruptBlocks() throws Exception {
        try (TwoRegions regions = new TwoRegions(dir).start()) {
            regions.formatPrimary();
            PrimaryWriter writer = regions.writer();
            List<PrimaryWriter.WrittenFile> files = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                files.add(writer.write("f" + i, 2 * TwoRegions.BLOCK + 100 * i));
            }
            PrimaryWriter.WrittenFile unlinked = writer.write("unlinked", TwoRegions.BLOCK);
            writer.unlink("unlinked");
            try (SyncDaemon daemon = SyncDaemon.start(regions.daemonConfig(), regions.mirrorStore,
                    uri -> new CountingStore(regions.primaryStore))) {
                regions.awaitCommittedWatermark(regions.primaryLastIndex(), daemon);
            }
            String missing = files.get(1).blocks().get(0).objectKey();
            String corrupt = files.get(2).blocks().get(1).objectKey();
            regions.mirrorStore.delete(missing);
            byte[] bad = files.get(2).data().get(1).clone();
            bad[0] ^= 1;
            regions.mirrorStore.put(corrupt, bad);

            MirrorMetadata metadata = new MirrorMetadata(regions.mirrorClient(), TwoRegions.MIRROR, Duration.ofSeconds(30));
            VolumeInfo volume = metadata.volume().orElseThrow();
            ReferencedBlocks walker = new ReferencedBlocks(metadata, volume.getVolume(), volume.getBlockSizeBytes());
            List<BlockRef> referenced = walker.walk();
            assertThat(walker.filesVisited()).isEqualTo(4);
            assertThat(referenced).extracting(BlockRef::objectKey).containsExactlyInAnyOrderElementsOf(
                    files.stream().flatMap(f -> f.blocks().stream()).map(BlockRef::objectKey).toList())
                    .doesNotContain(unlinked.blocks().get(0).objectKey());

            SyncVerifier verifier = new SyncVerifier(regions.primaryStore, regions.mirrorStore, volume.getVolume());
            VerifyReport report = verifier.verify(referenced, false, true);
            assertThat(report.missingInTarget()).containsExactly(missing);
            assertThat(report.corruptInTarget()).singleElement().asString().startsWith(corrupt + ": CRC32C mismatch");
            assertThat(report.clean()).isFalse();

            VerifyReport repaired = verifier.verify(referenced, true, true);
            assertThat(repaired.repaired()).isEqualTo(2);
            assertThat(repaired.clean()).isTrue();
            assertThat(regions.mirrorStore.get(missing)).isEqualTo(files.get(1).data().get(0));
            assertThat(regions.mirrorStore.get(corrupt)).isEqualTo(files.get(2).data().get(1));
            assertThat(verifier.verify(referenced, false, true).clean()).isTrue();
        }
    }
}
