package io.mirrorfs.chaos.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mirrorfs.api.proto.FenceOp;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.client.fuse.MountedVolume;
import io.mirrorfs.client.mirror.ConsistencyMode;
import io.mirrorfs.client.mirror.MirrorMountConfig;
import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data on a mirror FUSE mount while the mirror's sync service is not running (its store is empty):
 * files written on the primary, and files written through the mirror mount itself (blocks uploaded
 * to the primary's store, metadata forwarded), read back through the mirror mount byte for byte —
 * every block comes from the primary's store, CRC-checked; with keep-fetched-blocks the mirror's
 * store fills up. And a write on a mirror mount when no region is an unfenced primary fails with
 * EROFS and reaches no store or group.
 *
 * <p>Parts: in-process primary and mirror MetaServers (real Ratis), local-directory stores, real
 * FUSE mounts. Fault model: a small changelog link delay; the primary fenced at the end. Deterministic
 * data (seeded); a failure names the file and the store.
 */
class MirrorMountDataTest {
    @TempDir
    Path dir;
    private MirrorRegions regions;

    @BeforeEach
    void start() throws Exception {
        regions = MirrorRegions.start(dir, Duration.ofMillis(20));
    }

    @AfterEach
    void stop() throws Exception {
        if (regions != null) {
            regions.close();
        }
    }

    private static byte[] data(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static long objects(ObjectStore store) throws IOException {
        return store.list("", null, 10_000).objects().size();
    }

    @Test
    void readsWithoutSyncComeFromThePrimarysStoreAndWritesGoThere() throws Exception {
        MountedVolume primary = regions.mountPrimary("primary-mnt");
        byte[] big = data(1, 3 * MirrorRegions.BLOCK_SIZE_BYTES + 123); // 4 blocks
        Files.write(primary.mountPoint().resolve("big.bin"), big);
        assertThat(objects(regions.primaryStore)).isEqualTo(4);

        MirrorRegions.MirrorMount mirror = regions.mountMirror("mirror-mnt",
                MirrorMountConfig.defaults().withConsistency(ConsistencyMode.LINEARIZABLE));
        assertThat(Files.readAllBytes(mirror.path("big.bin"))).isEqualTo(big);
        assertThat(mirror.parts().blocks().blocksFromPrimary()).isEqualTo(4);
        assertThat(objects(regions.mirrorStore)).as("nothing kept without the option").isZero();

        // A write through the mirror mount: blocks to the primary's store, metadata to the primary's group,
        // and the writer reads it back on the mirror at once (its session floor).
        byte[] mine = data(2, MirrorRegions.BLOCK_SIZE_BYTES + 7); // 2 blocks
        Files.write(mirror.path("from-mirror.bin"), mine);
        assertThat(Files.readAllBytes(mirror.path("from-mirror.bin"))).isEqualTo(mine);
        assertThat(Files.readAllBytes(primary.mountPoint().resolve("from-mirror.bin"))).isEqualTo(mine);
        assertThat(objects(regions.primaryStore)).isEqualTo(6);
        assertThat(objects(regions.mirrorStore)).isZero();

        MirrorRegions.MirrorMount keeping = regions.mountMirror("keeping-mnt",
                MirrorMountConfig.defaults().withKeepFetchedBlocks(true));
        assertThat(Files.readAllBytes(keeping.path("big.bin"))).isEqualTo(big);
        assertThat(keeping.parts().blocks().blocksKept()).isEqualTo(4);
        assertThat(objects(regions.mirrorStore)).isEqualTo(4);
        // Kept copies are what the metadata names: a fresh mount reads them from the mirror's store.
        MirrorRegions.MirrorMount again = regions.mountMirror("again-mnt", MirrorMountConfig.defaults());
        assertThat(Files.readAllBytes(again.path("big.bin"))).isEqualTo(big);
        assertThat(again.parts().blocks().blocksFromPrimary()).isZero();
    }

    @Test
    void withTheOnlyPrimaryFencedAMirrorMountWriteFailsWithErofs() throws Exception {
        MirrorRegions.MirrorMount mirror = regions.mountMirror("mirror-mnt",
                MirrorMountConfig.defaults().withFailoverWaitMillisMax(1_000));
        Files.write(mirror.path("before.txt"), new byte[] {1, 2, 3});
        long epoch = MirrorRegions.state(regions.primaryClient).getEpoch();
        MetaReply fenced = regions.primaryClient.mutate(MetaRequest.newBuilder()
                .setRequestId(RequestId.newBuilder().setClientId(778).setSeq(1))
                .setFence(FenceOp.newBuilder().setEpoch(epoch).setReason("test")).build()).get(30, TimeUnit.SECONDS);
        assertThat(fenced.getErrno()).isZero();
        long primaryIndexBefore = MirrorRegions.state(regions.primaryClient).getChangelogLastIndex();
        long objectsBefore = objects(regions.primaryStore);

        assertThatThrownBy(() -> Files.createDirectory(mirror.path("after")))
                .isInstanceOf(IOException.class).hasMessageContaining("Read-only file system");
        assertThat(MirrorRegions.state(regions.primaryClient).getChangelogLastIndex()).isEqualTo(primaryIndexBefore);
        assertThat(objects(regions.primaryStore)).isEqualTo(objectsBefore);
        // Reads still work: the mirror region serves them.
        assertThat(Files.readAllBytes(mirror.path("before.txt"))).containsExactly(1, 2, 3);
    }
}
