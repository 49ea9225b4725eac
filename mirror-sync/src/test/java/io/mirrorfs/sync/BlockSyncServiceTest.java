package io.mirrorfs.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStores;
import io.mirrorfs.store.StoreOptions;
import io.mirrorfs.store.local.LocalDirectoryStore;
import io.mirrorfs.store.wrap.FaultInjectingStore;
import io.mirrorfs.store.wrap.FaultInjectingStore.Faults;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Block sync against real stores (local directories, S3Proxy), with faults from FaultInjectingStore:
 * every block lands CRC-valid, the watermark is held by a poison block and advances once it heals,
 * deleted slices are skipped, and a restart copies nothing twice.
 */
class BlockSyncServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void copiesEveryBlockThroughFlakyStoresAndPublishesTheWatermark() throws Exception {
        try (LocalDirectoryStore src = new LocalDirectoryStore(dir.resolve("src"));
                LocalDirectoryStore dst = new LocalDirectoryStore(dir.resolve("dst"))) {
            Fixture f = new Fixture();
            for (int i = 0; i < 12; i++) {
                f.commit(src, 700 + i * 611);
                f.other();
            }
            // Seeded faults: a fixed fault sequence for a fixed call sequence (thread timing may reorder calls).
            FaultInjectingStore flakySrc = new FaultInjectingStore(src, new Faults(0.2, 0, 0.05, 0.05, 0, 0), 7);
            FaultInjectingStore flakyDst = new FaultInjectingStore(dst, new Faults(0.2, 0, 0, 0, 0, 0), 8);
            FileWatermarkSink sink = new FileWatermarkSink(dir.resolve("watermark"));
            try (BlockSyncService sync = new BlockSyncService(Fixture.config().withRetries(20, Duration.ofMillis(1),
                    Duration.ofMillis(20), Duration.ofMillis(5), Duration.ofMillis(50)), flakySrc, flakyDst,
                    b -> true, sink, System::currentTimeMillis)) {
                assertThat(sync.start()).isEqualTo(1);
                for (Fixture.Entry e : f.entries) {
                    sync.submit(e.index(), e.entry());
                }
                long last = f.entries.get(f.entries.size() - 1).index();
                assertThat(sync.awaitWatermark(last, WAIT)).as("watermark reaches %d: %s", last, sync.stats()).isTrue();
                Fixture.await("watermark published", WAIT, () -> sync.stats().publishedWatermark() == last);
                assertThat(sink.lastPublished()).isEqualTo(last);
                SyncStats stats = sync.stats();
                assertThat(stats.blocksPending()).isZero();
                assertThat(stats.poison()).isEmpty();
                assertThat(stats.watermarkHeldBy()).isEmpty();
                assertThat(stats.attemptsFailed()).as("faults were injected").isPositive();
                assertThat(flakySrc.injectedCount() + flakyDst.injectedCount()).isPositive();
            }
            for (Fixture.Entry e : f.entries) {
                Fixture.assertAllPresentAndValid(dst, e);
            }
        }
    }

    @Test
    void poisonBlockHoldsTheWatermarkWhileLaterBlocksCopyAndReleasesItWhenHealed() throws Exception {
        try (LocalDirectoryStore src = new LocalDirectoryStore(dir.resolve("src"));
                LocalDirectoryStore dst = new LocalDirectoryStore(dir.resolve("dst"))) {
            Fixture f = new Fixture();
            f.commit(src, 3000);
            f.other();
            Fixture.Entry poisoned = f.commit(src, 2500);
            for (int i = 0; i < 5; i++) {
                f.commit(src, 1500);
            }
            BlockRef bad = poisoned.blocks().get(1);
            byte[] corrupt = poisoned.data().get(1).clone();
            corrupt[3] ^= 1;
            src.put(bad.objectKey(), corrupt); // the source holds bytes that do not match the metadata's CRC
            AtomicInteger now = new AtomicInteger(1_000);
            try (BlockSyncService sync = new BlockSyncService(Fixture.config(), src, dst, b -> true,
                    new FileWatermarkSink(dir.resolve("watermark")), now::get)) {
                sync.start();
                for (Fixture.Entry e : f.entries) {
                    sync.submit(e.index(), e.entry());
                }
                int total = f.entries.stream().mapToInt(e -> e.blocks().size()).sum();
                Fixture.await("all blocks but the poison one copied", WAIT,
                        () -> sync.stats().blocksCopied() == total - 1 && !sync.stats().poison().isEmpty());
                SyncStats held = sync.stats();
                assertThat(held.watermark()).as("held just below the poison block's index").isEqualTo(poisoned.index() - 1);
                PoisonBlock p = held.poison().get(0);
                assertThat(p.key()).isEqualTo(bad.objectKey());
                assertThat(p.primaryIndex()).isEqualTo(poisoned.index());
                assertThat(p.attempts()).isGreaterThanOrEqualTo(3);
                assertThat(p.lastError()).contains("CRC32C mismatch");
                assertThat(p.sinceMillis()).isEqualTo(1_000);
                assertThat(held.watermarkHeldBy()).contains(bad.objectKey()).contains("poison");
                assertThat(held.blocksPending()).isEqualTo(1);
                assertThat(held.bytesPending()).isEqualTo(bad.sizeBytes());
                now.set(6_000);
                assertThat(sync.stats().oldestPendingAgeMillis()).isEqualTo(5_000);
                assertThat(dst.head(bad.objectKey())).as("a corrupt block is never propagated").isEmpty();

                src.put(bad.objectKey(), poisoned.data().get(1)); // heal: the right bytes appear at the source
                long last = f.entries.get(f.entries.size() - 1).index();
                assertThat(sync.awaitWatermark(last, WAIT)).as("%s", sync.stats()).isTrue();
                assertThat(sync.stats().poison()).isEmpty();
            }
            for (Fixture.Entry e : f.entries) {
                Fixture.assertAllPresentAndValid(dst, e);
            }
        }
    }

    @Test
    void restartResumesFromThePublishedWatermarkAndCopiesNoBlockTwice() throws Exception {
        try (LocalDirectoryStore src = new LocalDirectoryStore(dir.resolve("src"));
                LocalDirectoryStore dst = new LocalDirectoryStore(dir.resolve("dst"))) {
            CountingStore counted = new CountingStore(dst);
            Fixture f = new Fixture();
            for (int i = 0; i < 8; i++) {
                f.commit(src, 2100);
            }
            Fixture.Entry poisoned = f.entries.get(2);
            BlockRef bad = poisoned.blocks().get(0);
            FaultInjectingStore flakySrc = new FaultInjectingStore(src, Faults.none(), 1);
            src.delete(bad.objectKey()); // missing at the source while its slice is live: poison, not skipped
            FileWatermarkSink sink = new FileWatermarkSink(dir.resolve("watermark"));
            int total = f.entries.stream().mapToInt(e -> e.blocks().size()).sum();
            try (BlockSyncService first = new BlockSyncService(Fixture.config(), flakySrc, counted, b -> true, sink,
                    System::currentTimeMillis)) {
                first.start();
                for (Fixture.Entry e : f.entries) {
                    first.submit(e.index(), e.entry());
                }
                Fixture.await("all but the missing block copied", WAIT, () -> first.stats().blocksCopied() == total - 1);
                Fixture.await("watermark published", WAIT, () -> first.stats().publishedWatermark() == poisoned.index() - 1);
            }
            src.put(bad.objectKey(), poisoned.data().get(0));
            try (BlockSyncService second = new BlockSyncService(Fixture.config(), flakySrc, counted, b -> true, sink,
                    System::currentTimeMillis)) {
                long from = second.start();
                assertThat(from).isEqualTo(poisoned.index());
                for (Fixture.Entry e : f.entries) {
                    if (e.index() >= from) {
                        second.submit(e.index(), e.entry());
                    }
                }
                long last = f.entries.get(f.entries.size() - 1).index();
                assertThat(second.awaitWatermark(last, WAIT)).isTrue();
                SyncStats stats = second.stats();
                assertThat(stats.blocksCopied()).as("only the healed block is copied after the restart").isEqualTo(1);
                assertThat(stats.blocksAlreadyPresent()).isPositive();
            }
            Set<String> expected = new HashSet<>();
            for (Fixture.Entry e : f.entries) {
                Fixture.assertAllPresentAndValid(dst, e);
                e.blocks().forEach(b -> expected.add(b.objectKey()));
            }
            assertThat(counted.puts.keySet()).isEqualTo(expected);
            assertThat(counted.puts.values()).allSatisfy(n -> assertThat(n.get()).as("puts per block").isEqualTo(1));
        }
    }

    @Test
    void blockOfADeletedSliceMissingAtTheSourceIsSkipped() throws Exception {
        try (LocalDirectoryStore src = new LocalDirectoryStore(dir.resolve("src"));
                LocalDirectoryStore dst = new LocalDirectoryStore(dir.resolve("dst"))) {
            Fixture f = new Fixture();
            f.commit(src, 1000);
            Fixture.Entry deleted = f.commit(src, 3000);
            f.commit(src, 1000);
            for (BlockRef b : deleted.blocks()) {
                src.delete(b.objectKey()); // the primary's GC removed them after the file was deleted
            }
            long deletedSlice = deleted.blocks().get(0).key().sliceId();
            try (BlockSyncService sync = new BlockSyncService(Fixture.config(), src, dst,
                    b -> b.key().sliceId() != deletedSlice, new FileWatermarkSink(dir.resolve("w")),
                    System::currentTimeMillis)) {
                sync.start();
                for (Fixture.Entry e : f.entries) {
                    sync.submit(e.index(), e.entry());
                }
                assertThat(sync.awaitWatermark(3, WAIT)).isTrue();
                SyncStats stats = sync.stats();
                assertThat(stats.blocksSkippedDeleted()).isEqualTo(deleted.blocks().size());
                assertThat(stats.attemptsFailed()).isZero();
            }
            Fixture.assertAllPresentAndValid(dst, f.entries.get(0));
            Fixture.assertAllPresentAndValid(dst, f.entries.get(2));
        }
    }

    /**
     * A walked block may belong to a slice committed at any index up to the pass's index, so while one
     * is uncopied the watermark stays where it was, even as later changelog entries complete (this once
     * published consistentIndex - 1 the moment the pass was submitted).
     */
    @Test
    void fullPassHoldsTheWatermarkWhereItWasUntilEveryWalkedBlockIsCopied() throws Exception {
        try (LocalDirectoryStore src = new LocalDirectoryStore(dir.resolve("src"));
                LocalDirectoryStore dst = new LocalDirectoryStore(dir.resolve("dst"))) {
            Fixture f = new Fixture();
            Fixture.Entry walked = f.commit(src, 5000);
            f.other();
            Fixture.Entry later = f.commit(src, 1000); // index 3: arrives through the changelog after the pass
            GatedStore gated = new GatedStore(dst);
            FileWatermarkSink sink = new FileWatermarkSink(dir.resolve("w"));
            try (BlockSyncService sync = new BlockSyncService(Fixture.config(), src, gated, b -> true, sink,
                    System::currentTimeMillis)) {
                sync.start();
                sync.submitFullPass(2, walked.blocks());
                sync.submit(later.index(), later.entry());
                assertThat(sync.stats().watermark()).as("held by the pass: %s", sync.stats()).isZero();
                assertThat(sync.stats().watermarkHeldBy()).startsWith("full pass: 0 of " + walked.blocks().size());

                gated.open();
                assertThat(sync.awaitWatermark(later.index(), WAIT)).as("%s", sync.stats()).isTrue();
                Fixture.await("watermark published", WAIT, () -> sync.stats().publishedWatermark() == later.index());
                assertThat(sync.stats().fullPass().blocksDone()).isEqualTo(walked.blocks().size());
            }
            Fixture.assertAllPresentAndValid(dst, walked);
            Fixture.assertAllPresentAndValid(dst, later);
        }
    }

    @Test
    void copiesFromAnS3Source() throws Exception {
        try (LoopbackS3 s3 = LoopbackS3.start("primary");
                ObjectStore src = ObjectStores.open("s3://primary/region-a?endpoint=" + s3.endpoint(),
                        StoreOptions.defaults().with("s3.accessKeyId", LoopbackS3.ACCESS_KEY)
                                .with("s3.secretAccessKey", LoopbackS3.SECRET_KEY));
                LocalDirectoryStore dst = new LocalDirectoryStore(dir.resolve("dst"))) {
            Fixture f = new Fixture();
            for (int i = 0; i < 6; i++) {
                f.commit(src, 1500 + 300 * i);
            }
            try (BlockSyncService sync = new BlockSyncService(Fixture.config().withBandwidth(1 << 20), src, dst,
                    b -> true, new FileWatermarkSink(dir.resolve("w")), System::currentTimeMillis)) {
                sync.start();
                for (Fixture.Entry e : f.entries) {
                    sync.submit(e.index(), e.entry());
                }
                assertThat(sync.awaitWatermark(f.entries.size(), WAIT)).as("%s", sync.stats()).isTrue();
            }
            for (Fixture.Entry e : f.entries) {
                Fixture.assertAllPresentAndValid(dst, e);
            }
        }
    }
}
