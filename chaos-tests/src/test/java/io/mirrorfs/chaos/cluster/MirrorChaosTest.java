package io.mirrorfs.chaos.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.chaos.check.AppendOnlySetChecker;
import io.mirrorfs.chaos.check.MirrorReadChecker;
import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.check.WatermarkAudit;
import io.mirrorfs.chaos.harness.Await;
import io.mirrorfs.chaos.harness.Convergence;
import io.mirrorfs.chaos.harness.LoadUnderNemesis;
import io.mirrorfs.chaos.harness.NodeContainer;
import io.mirrorfs.chaos.harness.TwoRegionCluster;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import io.mirrorfs.chaos.nemesis.MirrorFaults;
import io.mirrorfs.chaos.nemesis.Nemesis;
import io.mirrorfs.chaos.nemesis.NemesisTimeline;
import io.mirrorfs.chaos.report.RunReport;
import io.mirrorfs.chaos.workload.DataFileWorkload;
import io.mirrorfs.chaos.workload.MirrorReadWorkload;
import io.mirrorfs.chaos.workload.Namespace;
import io.mirrorfs.store.local.LocalDirectoryStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What it proves: with a primary region (3 metadata nodes), a mirror region (3 nodes by default,
 * {@code -Dchaos.mirror.nodes=1}) and the mirror's sync service, each in its own container, under a
 * seeded schedule of faults: (1) every acknowledged file (create + data committed on the primary) is
 * on the primary and, after healing, on the mirror; (2) the mirror converges: the primary's
 * TreeDigest after a barrier, and every block its metadata references in its own store, CRC-valid;
 * (3) the data watermark never vouches for a block the mirror's store lacks, audited while the run
 * goes on; (4) reads on the mirror (MirrorState, then a counter the primary increments) never go back
 * across the mirror's leader changes, never exceed the watermark/index they report, and never miss a
 * write their own primary index covers; (5) the primary's replicas converge.
 *
 * <p>Fault model (one at a time, random from the seed): pause and partitions inside the primary
 * group; the primary↔mirror link cut both ways or one way; kill -9 and restart of the mirror's leader,
 * the primary's leader, and the sync service; object-store errors, latency and corrupted reads under
 * the sync (FaultInjectingStore). Clients are threads of this JVM on the host and always reach
 * every node.
 *
 * <p>Replay: {@code -Dchaos.seed=N} (every verdict names it); {@code -Dchaos.seconds=N} for longer.
 * Artefacts: {@code target/chaos/MirrorChaosTest-SEED/}.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class MirrorChaosTest {
    static final String VOLUME = "mvol";
    static final int BLOCK_SIZE_BYTES = 16 << 10;
    private static final int FILE_THREADS = 2;
    private static final int MIRROR_READERS = 2;
    private static final int THINK_MILLIS_MAX = 30;
    private static final long OP_TIMEOUT_MILLIS = 10_000;
    private static final long AUDIT_EVERY_MILLIS = 500;
    private static final Duration CLIENT_DEADLINE = Duration.ofSeconds(8);
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration HEAL_TIMEOUT = Duration.ofSeconds(150);
    private static final int HISTORY_OPS_MAX = 1_000_000;

    @Test
    void acknowledgedFilesReachTheMirrorAndMirrorReadsNeverGoBack() throws Exception {
        ChaosSettings.requireDocker();
        long seed = ChaosSettings.seed();
        int seconds = ChaosSettings.seconds();
        int mirrorNodes = Integer.getInteger("chaos.mirror.nodes", 3);
        String test = getClass().getSimpleName();
        Path runDir = ChaosSettings.runDir(test, seed);
        System.out.println(test + ": seed " + seed + ", " + seconds + " s, " + mirrorNodes + " mirror nodes, artefacts in "
                + runDir);

        try (TwoRegionCluster regions = TwoRegionCluster.start("mir" + seed + "x" + ProcessHandle.current().pid(), runDir,
                seed, new TwoRegionCluster.Layout(3, mirrorNodes, VOLUME),
                (group, primaryStore, mirrorStore, faultFile) -> SyncNodeMain.command(group, mirrorStore, faultFile, seed, false));
             RaftMetadataClient primary = RaftMetadataClient.connect(regions.primary().group(),
                     MetadataClientOptions.defaults().withDeadline(CLIENT_DEADLINE));
             RaftMetadataClient mirror = RaftMetadataClient.connect(regions.mirror().group(),
                     MetadataClientOptions.defaults().withDeadline(CLIENT_DEADLINE).withRaftClients(1));
             LocalDirectoryStore primaryStore = new LocalDirectoryStore(regions.primaryStore());
             LocalDirectoryStore mirrorStore = new LocalDirectoryStore(regions.mirrorStore())) {
            regions.primary().awaitLeader(SETUP_TIMEOUT);
            RequestIds ids = new RequestIds();
            TwoRegionChecks.format(primary, ids, VOLUME, primaryStore.uri(), BLOCK_SIZE_BYTES, SETUP_TIMEOUT);
            Namespace ns = new Namespace(primary, ids, SETUP_TIMEOUT);
            long filesDir = ns.mkdirInRoot("files");
            long counter = ns.create(FsLimits.ROOT_INODE, "counter", FileType.REGULAR);
            TwoRegionChecks.awaitMirrorCaughtUp(primary, mirror, SETUP_TIMEOUT);

            HistoryRecorder history = new HistoryRecorder(HISTORY_OPS_MAX);
            NemesisTimeline timeline = new NemesisTimeline();
            DataFileWorkload files = new DataFileWorkload(primary, ids, ns.inodes(), history, primaryStore::put, filesDir,
                    VOLUME, BLOCK_SIZE_BYTES, OP_TIMEOUT_MILLIS, THINK_MILLIS_MAX);
            MirrorReadWorkload reads = new MirrorReadWorkload(primary, mirror, ids, history, counter,
                    Duration.ofSeconds(60), OP_TIMEOUT_MILLIS, THINK_MILLIS_MAX);
            WatermarkAudit audit = new WatermarkAudit(key -> BrokenSyncDetectionTest.read(mirrorStore, key), files::acknowledged);
            Nemesis nemesis = new Nemesis(regions.primary(), seed, EnumSet.of(Nemesis.Kind.PAUSE, Nemesis.Kind.PARTITION),
                    timeline, Duration.ofSeconds(3), Duration.ofSeconds(6), MirrorFaults.all(regions));

            long origin = System.nanoTime();
            long endOfLoad = origin + TimeUnit.SECONDS.toNanos(seconds);
            List<LoadUnderNemesis.Worker> workers = new ArrayList<>();
            for (int t = 0; t < FILE_THREADS; t++) {
                workers.add(files::run);
            }
            for (int t = 0; t < MIRROR_READERS; t++) {
                workers.add(reads::runReader);
            }
            workers.add(reads::runWriter);
            workers.add((thread, random, stop) -> auditWhileRunning(audit, mirror, endOfLoad));
            Throwable workloadFailure = LoadUnderNemesis.run(nemesis, seed, workers, seconds, Duration.ofSeconds(180),
                    HEAL_TIMEOUT);
            long end = System.nanoTime();
            assertThat(workloadFailure).as("workload thread failure (seed %d)", seed).isNull();
            assertThat(nemesis.failure()).as("nemesis failure (seed %d)", seed).isNull();

            List<NodeContainer> all = new ArrayList<>(regions.primary().nodes());
            all.addAll(regions.mirror().nodes());
            all.add(regions.sync());
            for (NodeContainer n : all) {
                assertThat(n.state()).as("%s after healing (seed %d)", n, seed).isEqualTo("running");
            }
            regions.primary().awaitLeader(HEAL_TIMEOUT);
            regions.mirror().awaitLeader(HEAL_TIMEOUT);

            List<Operation> ops = history.snapshot();
            List<Verdict> verdicts = new ArrayList<>();
            verdicts.add(renamed("primary ", AppendOnlySetChecker.check(DataFileWorkload.SET_KEY, ops,
                    finalListing(ns, filesDir))));
            verdicts.add(Convergence.await(regions.primary(), primary, ids, HEAL_TIMEOUT));
            verdicts.add(TwoRegionChecks.namespaceConvergence(primary, mirror, ids, HEAL_TIMEOUT));
            verdicts.add(renamed("mirror ", AppendOnlySetChecker.check(DataFileWorkload.SET_KEY, ops,
                    finalListing(new Namespace(mirror, ids, HEAL_TIMEOUT), filesDir))));
            long primaryIndex = TwoRegionChecks.state(primary).getChangelogLastIndex();
            verdicts.add(TwoRegionChecks.mirrorBlocks(mirror, regions.mirror().group().name(), primaryStore, mirrorStore,
                    VOLUME, BLOCK_SIZE_BYTES, primaryIndex, HEAL_TIMEOUT));
            audit.audit(TwoRegionChecks.state(mirror).getDataWatermark());
            verdicts.add(audit.verdict());
            verdicts.add(MirrorReadChecker.check(reads.reads(), reads.acknowledgedWrites(), ops, MirrorReadWorkload.WRITE_KEY));
            RunReport.write(runDir, test, seed, origin, end, ops, timeline, verdicts);
            String text = RunReport.verdictText(test, seed, verdicts);
            System.out.println(text);
            System.out.println(test + ": " + files.acknowledged().size() + " files acknowledged, " + reads.reads().size()
                    + " mirror reads, " + timeline.events().size() + " nemesis events");

            assertThat(files.acknowledged().size())
                    .as("acknowledged files (seed %d): a run that wrote nothing proves nothing", seed).isGreaterThan(20);
            assertThat(ops.stream().filter(o -> o.outcome() == Outcome.OK && o.key().equals(MirrorReadWorkload.READ_KEY))
                    .count()).as("mirror reads (seed %d)", seed).isGreaterThan(20);
            assertThat(RunReport.overall(verdicts)).as("%s\nreport: %s", text, runDir.resolve("report.html"))
                    .isEqualTo(Validity.VALID);
        }
    }

    /** Audits the watermark's promise every half second until the load ends; a failed read skips a round. */
    private static void auditWhileRunning(WatermarkAudit audit, RaftMetadataClient mirror, long endOfLoad)
            throws Exception {
        while (System.nanoTime() < endOfLoad) {
            try {
                audit.audit(TwoRegionChecks.state(mirror).getDataWatermark());
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException unavailable) {
                // the mirror's leader is being killed or cut off: audit at the next answer
            }
            Thread.sleep(AUDIT_EVERY_MILLIS); // pacing of the audit rounds, not waiting for anything to settle
        }
    }

    static List<String> finalListing(Namespace ns, long dir) throws Exception {
        List<String> names = new ArrayList<>();
        Await.until("the final listing", HEAL_TIMEOUT, () -> {
            names.clear();
            ns.list(dir, Duration.ofSeconds(10)).stream().map(Map.Entry::getKey).forEach(names::add);
            return true;
        });
        return names;
    }

    static Verdict renamed(String prefix, Verdict v) {
        return new Verdict(prefix + v.checker(), v.validity(), v.summary(), v.anomalies());
    }
}
