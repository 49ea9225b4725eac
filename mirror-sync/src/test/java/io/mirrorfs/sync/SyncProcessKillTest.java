package io.mirrorfs.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.store.Crc32c;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that a sync service killed with -9 in the middle of copying loses nothing and redoes
 * nothing: a new one resumes above the watermark committed in the mirror's group, finds the blocks
 * the dead one had already put (head), copies the rest, and the committed watermark reaches the
 * primary's last index. Fault model: SIGKILL of the sync process (its copies in flight are torn off;
 * the local store's puts are atomic renames, so no torn object is left). The copy is slowed by a
 * bandwidth limit so the kill lands mid-copy; the test asserts that it did.
 */
class SyncProcessKillTest {
    private static final int FILES = 8;
    private static final int BLOCKS_PER_FILE = 8;
    /** About 8 s for everything: long enough to kill mid-copy, short enough for a test. */
    private static final long BANDWIDTH_BYTES_PER_SECOND = 32 << 10;

    @TempDir
    Path dir;

    @Test
    void killedMidCopyThenRestartedConvergesWithoutCopyingTwice() throws Exception {
        try (TwoRegions regions = new TwoRegions(dir).start()) {
            regions.formatPrimary();
            PrimaryWriter writer = regions.writer();
            List<PrimaryWriter.WrittenFile> files = new ArrayList<>();
            for (int i = 0; i < FILES; i++) {
                files.add(writer.write("f" + i, BLOCKS_PER_FILE * TwoRegions.BLOCK));
            }
            long last = regions.primaryLastIndex();
            int total = FILES * BLOCKS_PER_FILE;

            Process child = startChild(regions);
            Set<String> presentAtKill;
            try {
                Fixture.await("the child copied some blocks", TwoRegions.WAIT,
                        () -> blocksIn(regions, files).size() >= 4);
            } finally {
                child.destroyForcibly(); // SIGKILL
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child exited").isTrue();
            }
            presentAtKill = blocksIn(regions, files);
            assertThat(presentAtKill.size()).as("killed mid-copy").isBetween(1, total - 1);
            assertThat(regions.mirrorState().getDataWatermark()).isLessThan(last);

            CountingStore counting = new CountingStore(regions.mirrorStore);
            try (SyncDaemon restarted = SyncDaemon.start(regions.daemonConfig(), counting,
                    uri -> new CountingStore(regions.primaryStore))) {
                regions.awaitCommittedWatermark(last, restarted);
            }
            for (PrimaryWriter.WrittenFile f : files) {
                for (int i = 0; i < f.blocks().size(); i++) {
                    BlockRef b = f.blocks().get(i);
                    byte[] got = regions.mirrorStore.get(b.objectKey());
                    assertThat(Crc32c.of(got)).as("CRC of %s", b.objectKey()).isEqualTo(b.crc32c());
                    assertThat(got).isEqualTo(f.data().get(i));
                    if (presentAtKill.contains(b.objectKey())) {
                        assertThat(counting.puts.get(b.objectKey())).as("re-put of %s", b.objectKey()).isNull();
                    }
                }
            }
        }
    }

    private Process startChild(TwoRegions regions) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String peers = String.join(",", regions.mirrorGroup.peers().stream().map(Object::toString).toList());
        Path log = dir.resolve("sync-child.log");
        return new ProcessBuilder(java, "-ea:io.mirrorfs...", "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), SyncProcessMain.class.getName(),
                TwoRegions.MIRROR, regions.mirrorGroup.name(), peers, dir.resolve("mirror-store").toString(),
                Long.toString(BANDWIDTH_BYTES_PER_SECOND))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static Set<String> blocksIn(TwoRegions regions, List<PrimaryWriter.WrittenFile> files) {
        Set<String> present = new HashSet<>();
        try {
            for (PrimaryWriter.WrittenFile f : files) {
                for (BlockRef b : f.blocks()) {
                    if (regions.mirrorStore.head(b.objectKey()).isPresent()) {
                        present.add(b.objectKey());
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return present;
    }
}
