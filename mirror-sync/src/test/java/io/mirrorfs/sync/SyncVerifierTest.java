package io.mirrorfs.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.store.local.LocalDirectoryStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verify finds referenced blocks missing from the mirror (and from both stores); repair copies them. */
class SyncVerifierTest {
    @TempDir
    Path dir;

    @Test
    void reportsAndRepairsMissingBlocks() throws Exception {
        try (LocalDirectoryStore src = new LocalDirectoryStore(dir.resolve("src"));
                LocalDirectoryStore dst = new LocalDirectoryStore(dir.resolve("dst"))) {
            Fixture f = new Fixture();
            for (int i = 0; i < 5; i++) {
                f.commit(src, 2500);
            }
            List<BlockRef> referenced = new ArrayList<>();
            f.entries.forEach(e -> referenced.addAll(e.blocks()));
            // The mirror has all but two blocks; one more is gone from both stores.
            for (Fixture.Entry e : f.entries) {
                for (int i = 0; i < e.blocks().size(); i++) {
                    dst.put(e.blocks().get(i).objectKey(), e.data().get(i));
                }
            }
            String missing1 = referenced.get(1).objectKey();
            String missing2 = referenced.get(7).objectKey();
            String lost = referenced.get(10).objectKey();
            dst.delete(missing1);
            dst.delete(missing2);
            dst.delete(lost);
            src.delete(lost);
            dst.put("vol/chunks/0/0/999_0_4", new byte[4]); // only in the mirror

            SyncVerifier verifier = new SyncVerifier(src, dst, Fixture.VOLUME);
            VerifyReport report = verifier.verify(referenced, false);
            assertThat(report.referenced()).isEqualTo(referenced.size());
            assertThat(report.missingInTarget()).containsExactlyInAnyOrder(missing1, missing2);
            assertThat(report.missingEverywhere()).containsExactly(lost);
            assertThat(report.targetOnly()).isEqualTo(1);
            assertThat(report.repaired()).isZero();
            assertThat(report.clean()).isFalse();
            assertThat(dst.head(missing1)).isEmpty();

            VerifyReport repaired = verifier.verify(referenced, true);
            assertThat(repaired.repaired()).isEqualTo(2);
            assertThat(repaired.repairErrors()).isEmpty();
            for (Fixture.Entry e : f.entries) {
                for (int i = 0; i < e.blocks().size(); i++) {
                    if (!e.blocks().get(i).objectKey().equals(lost)) {
                        assertThat(dst.get(e.blocks().get(i).objectKey())).isEqualTo(e.data().get(i));
                    }
                }
            }
            VerifyReport after = verifier.verify(referenced, false);
            assertThat(after.missingInTargetCount()).isZero();
            assertThat(after.missingEverywhereCount()).isEqualTo(1);
        }
    }

    @Test
    void findsCorruptBlocksBySizeAlwaysAndByCrcWhenReadingAndRepairsThem() throws Exception {
        try (LocalDirectoryStore src = new LocalDirectoryStore(dir.resolve("src"));
                LocalDirectoryStore dst = new LocalDirectoryStore(dir.resolve("dst"))) {
            Fixture f = new Fixture();
            Fixture.Entry e = f.commit(src, 3 * Fixture.BLOCK);
            for (int i = 0; i < e.blocks().size(); i++) {
                dst.put(e.blocks().get(i).objectKey(), e.data().get(i));
            }
            String truncated = e.blocks().get(0).objectKey();
            String flipped = e.blocks().get(2).objectKey();
            dst.put(truncated, java.util.Arrays.copyOf(e.data().get(0), 10));
            byte[] bad = e.data().get(2).clone();
            bad[5] ^= 1;
            dst.put(flipped, bad);

            SyncVerifier verifier = new SyncVerifier(src, dst, Fixture.VOLUME);
            VerifyReport listed = verifier.verify(e.blocks(), false, false);
            assertThat(listed.corruptInTargetCount()).as("same-size corruption needs a read").isEqualTo(1);
            assertThat(listed.corruptInTarget().get(0)).startsWith(truncated + ": size 10");
            assertThat(dst.get(truncated)).hasSize(10);

            VerifyReport read = verifier.verify(e.blocks(), false, true);
            assertThat(read.corruptInTargetCount()).isEqualTo(2);
            assertThat(read.corruptInTarget()).anySatisfy(k -> assertThat(k).startsWith(flipped + ": CRC32C mismatch"));
            assertThat(read.clean()).isFalse();

            VerifyReport repaired = verifier.verify(e.blocks(), true, true);
            assertThat(repaired.repaired()).isEqualTo(2);
            assertThat(repaired.clean()).isTrue();
            Fixture.assertAllPresentAndValid(dst, e);
            assertThat(verifier.verify(e.blocks(), false, true).corruptInTargetCount()).isZero();
        }
    }
}
