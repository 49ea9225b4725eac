package io.mirrorfs.chaos.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.check.WatermarkAudit;
import io.mirrorfs.chaos.harness.Await;
import io.mirrorfs.chaos.harness.TwoRegionCluster;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import io.mirrorfs.chaos.nemesis.NemesisTimeline;
import io.mirrorfs.chaos.report.RunReport;
import io.mirrorfs.chaos.workload.DataFileWorkload;
import io.mirrorfs.chaos.workload.Namespace;
import io.mirrorfs.store.ObjectNotFoundException;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.local.LocalDirectoryStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What it proves: the mirror checkers catch a sync that commits the data watermark before its copies
 * have landed. The sync container runs the real SyncDaemon over a deliberately broken target store
 * ({@link LateWriteStore}: a put reports success at once and writes ten minutes later), so each
 * watermark it commits vouches for blocks the mirror's store does not have. Files with data are
 * written on the primary; once the mirror's data watermark covers the last of them, both the
 * watermark audit and the block check must report the missing blocks — and only as missing in the
 * mirror, never lost (the primary's store has every one).
 *
 * <p>Deterministic by construction: no nemesis; the broken store never writes within the test.
 * One primary node and one mirror node. Artefacts: {@code target/chaos/BrokenSyncDetectionTest-0/}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BrokenSyncDetectionTest {
    private static final int FILES = 5;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @Test
    void watermarkCommittedBeforeTheCopyLandsIsCaught() throws Exception {
        ChaosSettings.requireDocker();
        long seed = 0;
        String test = getClass().getSimpleName();
        Path runDir = ChaosSettings.runDir(test, seed);
        try (TwoRegionCluster regions = TwoRegionCluster.start("broken" + ProcessHandle.current().pid(), runDir, seed,
                new TwoRegionCluster.Layout(1, 1, MirrorChaosTest.VOLUME),
                (group, primaryStore, mirrorStore, faultFile) -> SyncNodeMain.command(group, mirrorStore, faultFile, seed, true));
             RaftMetadataClient primary = RaftMetadataClient.connect(regions.primary().group(),
                     MetadataClientOptions.defaults().withDeadline(Duration.ofSeconds(30)));
             RaftMetadataClient mirror = RaftMetadataClient.connect(regions.mirror().group(),
                     MetadataClientOptions.defaults().withDeadline(Duration.ofSeconds(30)).withRaftClients(1));
             LocalDirectoryStore primaryStore = new LocalDirectoryStore(regions.primaryStore());
             LocalDirectoryStore mirrorStore = new LocalDirectoryStore(regions.mirrorStore())) {
            regions.primary().awaitLeader(TIMEOUT);
            RequestIds ids = new RequestIds();
            TwoRegionChecks.format(primary, ids, MirrorChaosTest.VOLUME, primaryStore.uri(),
                    MirrorChaosTest.BLOCK_SIZE_BYTES, TIMEOUT);
            Namespace ns = new Namespace(primary, ids, TIMEOUT);
            long filesDir = ns.mkdirInRoot("files");

            HistoryRecorder history = new HistoryRecorder(1_000);
            long origin = System.nanoTime();
            DataFileWorkload files = new DataFileWorkload(primary, ids, ns.inodes(), history, primaryStore::put, filesDir,
                    MirrorChaosTest.VOLUME, MirrorChaosTest.BLOCK_SIZE_BYTES, 30_000, 0);
            files.run(0, new Random(seed), () -> files.acknowledged().size() >= FILES);
            List<Operation> ops = history.snapshot();
            assertThat(ops).extracting(Operation::outcome).containsOnly(Outcome.OK);
            long lastCommit = files.acknowledged().getLast().commitIndex();

            long[] watermark = new long[1];
            Await.until("the broken sync's watermark to cover primary index " + lastCommit, TIMEOUT, () -> {
                watermark[0] = TwoRegionChecks.state(mirror).getDataWatermark();
                return watermark[0] >= lastCommit;
            });
            WatermarkAudit audit = new WatermarkAudit(key -> read(mirrorStore, key), files::acknowledged);
            audit.audit(watermark[0]);
            Verdict honesty = audit.verdict();
            Verdict blocks = TwoRegionChecks.mirrorBlocks(mirror, regions.mirror().group().name(), primaryStore, mirrorStore,
                    MirrorChaosTest.VOLUME, MirrorChaosTest.BLOCK_SIZE_BYTES, lastCommit, TIMEOUT);
            RunReport.write(runDir, test, seed, origin, System.nanoTime(), ops, new NemesisTimeline(), List.of(honesty, blocks));
            System.out.println(RunReport.verdictText(test, seed, List.of(honesty, blocks)));

            assertThat(honesty.validity()).as(honesty.toString()).isEqualTo(Validity.INVALID);
            assertThat(honesty.anomalies()).isNotEmpty().allSatisfy(a -> assertThat(a).contains("missing from the mirror's store"));
            assertThat(blocks.validity()).as(blocks.toString()).isEqualTo(Validity.INVALID);
            assertThat(blocks.anomalies()).anySatisfy(a -> assertThat(a).startsWith("missing "))
                    .noneSatisfy(a -> assertThat(a).startsWith("LOST"));
        }
    }

    /** One object of a store, or empty if absent. */
    static Optional<byte[]> read(ObjectStore store, String key) throws IOException {
        try {
            return Optional.of(store.get(key));
        } catch (ObjectNotFoundException absent) {
            return Optional.empty();
        }
    }
}
