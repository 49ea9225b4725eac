package io.mirrorfs.chaos.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.chaos.check.AppendOnlySetChecker;
import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.check.WatermarkAudit;
import io.mirrorfs.chaos.harness.Convergence;
import io.mirrorfs.chaos.harness.LoadUnderNemesis;
import io.mirrorfs.chaos.harness.NodeContainer;
import io.mirrorfs.chaos.harness.ObjectStoreServer;
import io.mirrorfs.chaos.harness.TwoRegionCluster;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.nemesis.MirrorFaults;
import io.mirrorfs.chaos.nemesis.Nemesis;
import io.mirrorfs.chaos.nemesis.NemesisTimeline;
import io.mirrorfs.chaos.report.RunReport;
import io.mirrorfs.chaos.workload.DataFileWorkload;
import io.mirrorfs.chaos.workload.Namespace;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStores;
import io.mirrorfs.store.StoreOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What it proves: with both regions' object stores as buckets on a real S3 server (S3Proxy) in its
 * own container, addressed by {@code s3://bucket/prefix?endpoint=...} URIs (the primary's writers on
 * the host, the mirror's sync service in its container), and that server paused, partitioned from the
 * sync, cut off from every client, or killed -9 and restarted: (1) every acknowledged file is on both
 * regions after healing, and each of its blocks is in the primary's bucket with its size and CRC32C;
 * (2) the sync's data watermark never covers a block the mirror's bucket lacks (audited during the
 * run; an audit read that meets an outage waits for the server instead of counting the block as
 * missing); (3) after healing the watermark reaches the primary's index with every referenced block
 * in the mirror's bucket, CRC-valid, and the namespaces have equal TreeDigests.
 *
 * <p>Fault model (one at a time, seeded): {@link MirrorFaults#aroundObjectStoreServer} — the store
 * server's pause / cut from sync / cut from all / kill, the region link, kill -9 of the sync. 3 primary
 * nodes, 1 mirror node by default ({@code -Dchaos.mirror.nodes=N}); load for half of
 * {@code chaos.seconds} (default 60 → 30 s), to keep the default run near a minute and a half.
 *
 * <p>Replay: {@code -Dchaos.seed=N} (every verdict names it); {@code -Dchaos.sync.broken=true} runs the
 * deliberately broken sync ({@link LateWriteStore}) against the S3 bucket, which must fail. Artefacts:
 * {@code target/chaos/ObjectStoreServerChaosTest-SEED/} (also {@code s3.log}, the server's output).
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ObjectStoreServerChaosTest {
    private static final String VOLUME = "s3vol";
    private static final int BLOCK_SIZE_BYTES = 16 << 10;
    private static final int FILE_THREADS = 2;
    private static final int THINK_MILLIS_MAX = 30;
    private static final long OP_TIMEOUT_MILLIS = 10_000;
    private static final long AUDIT_EVERY_MILLIS = 500;
    /** Host-side S3 calls give up after this, so a writer meeting a paused server records INFO and goes on. */
    private static final Duration STORE_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CLIENT_DEADLINE = Duration.ofSeconds(8);
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration HEAL_TIMEOUT = Duration.ofSeconds(150);
    private static final int HISTORY_OPS_MAX = 1_000_000;

    @Test
    void acknowledgedBlocksSurviveObjectStoreServerFaultsAndTheWatermarkStaysHonest() throws Exception {
        ChaosSettings.requireDocker();
        long seed = ChaosSettings.seed();
        int seconds = Math.max(10, ChaosSettings.seconds() / 2);
        int mirrorNodes = Integer.getInteger("chaos.mirror.nodes", 1);
        // -Dchaos.sync.broken=true: the sync's copies land after its watermark (LateWriteStore); the run must FAIL.
        boolean brokenSync = Boolean.getBoolean("chaos.sync.broken");
        String test = getClass().getSimpleName();
        Path runDir = ChaosSettings.runDir(test, seed);
        System.out.println(test + ": seed " + seed + ", " + seconds + " s of load, " + mirrorNodes + " mirror nodes"
                + (brokenSync ? ", BROKEN sync (late writes)" : "") + ", artefacts in " + runDir);

        try (TwoRegionCluster regions = TwoRegionCluster.startOnObjectStoreServer("s3" + seed + "x"
                        + ProcessHandle.current().pid(), runDir, seed, new TwoRegionCluster.Layout(3, mirrorNodes, VOLUME),
                S3ServerMain::command,
                (group, mirrorStoreUri, faultFile) -> SyncNodeMain.command(group, mirrorStoreUri, faultFile, seed,
                        brokenSync));
             RaftMetadataClient primary = RaftMetadataClient.connect(regions.primary().group(),
                     MetadataClientOptions.defaults().withDeadline(CLIENT_DEADLINE));
             RaftMetadataClient mirror = RaftMetadataClient.connect(regions.mirror().group(),
                     MetadataClientOptions.defaults().withDeadline(CLIENT_DEADLINE).withRaftClients(1));
             ObjectStore primaryStore = ObjectStores.open(regions.primaryStoreUri(), hostStoreOptions());
             ObjectStore mirrorStore = ObjectStores.open(regions.mirrorStoreUri(), hostStoreOptions())) {
            primaryStore.checkAccess();
            mirrorStore.checkAccess();
            regions.primary().awaitLeader(SETUP_TIMEOUT);
            RequestIds ids = new RequestIds();
            TwoRegionChecks.format(primary, ids, VOLUME, regions.primaryStoreUri(), BLOCK_SIZE_BYTES, SETUP_TIMEOUT);
            Namespace ns = new Namespace(primary, ids, SETUP_TIMEOUT);
            long filesDir = ns.mkdirInRoot("files");
            TwoRegionChecks.awaitMirrorCaughtUp(primary, mirror, SETUP_TIMEOUT);

            HistoryRecorder history = new HistoryRecorder(HISTORY_OPS_MAX);
            NemesisTimeline timeline = new NemesisTimeline();
            DataFileWorkload files = new DataFileWorkload(primary, ids, ns.inodes(), history, primaryStore::put, filesDir,
                    VOLUME, BLOCK_SIZE_BYTES, OP_TIMEOUT_MILLIS, THINK_MILLIS_MAX);
            WatermarkAudit audit = new WatermarkAudit(key -> StoreReads.waitingOutOutages(mirrorStore, key),
                    files::acknowledged);
            Nemesis nemesis = new Nemesis(regions.primary(), seed, EnumSet.noneOf(Nemesis.Kind.class), timeline,
                    Duration.ofSeconds(3), Duration.ofSeconds(6), MirrorFaults.aroundObjectStoreServer(regions));

            long origin = System.nanoTime();
            long endOfLoad = origin + TimeUnit.SECONDS.toNanos(seconds);
            List<LoadUnderNemesis.Worker> workers = new ArrayList<>();
            for (int t = 0; t < FILE_THREADS; t++) {
                workers.add(files::run);
            }
            workers.add((thread, random, stop) -> auditWhileRunning(audit, mirror, endOfLoad));
            Throwable workloadFailure = LoadUnderNemesis.run(nemesis, seed, workers, seconds, Duration.ofSeconds(180),
                    HEAL_TIMEOUT);
            long end = System.nanoTime();
            assertThat(workloadFailure).as("workload thread failure (seed %d)", seed).isNull();
            assertThat(nemesis.failure()).as("nemesis failure (seed %d)", seed).isNull();

            List<NodeContainer> all = new ArrayList<>(regions.primary().nodes());
            all.addAll(regions.mirror().nodes());
            all.add(regions.sync());
            all.add(regions.objectStoreServer().node());
            for (NodeContainer n : all) {
                assertThat(n.state()).as("%s after healing (seed %d)", n, seed).isEqualTo("running");
            }
            regions.primary().awaitLeader(HEAL_TIMEOUT);
            regions.mirror().awaitLeader(HEAL_TIMEOUT);

            List<Operation> ops = history.snapshot();
            List<Verdict> verdicts = new ArrayList<>();
            verdicts.add(MirrorChaosTest.renamed("primary ", AppendOnlySetChecker.check(DataFileWorkload.SET_KEY, ops,
                    MirrorChaosTest.finalListing(ns, filesDir))));
            verdicts.add(StoreReads.acknowledgedBlocksIntact("primary-bucket", primaryStore, files.acknowledged()));
            verdicts.add(Convergence.await(regions.primary(), primary, ids, HEAL_TIMEOUT));
            verdicts.add(TwoRegionChecks.namespaceConvergence(primary, mirror, ids, HEAL_TIMEOUT));
            verdicts.add(MirrorChaosTest.renamed("mirror ", AppendOnlySetChecker.check(DataFileWorkload.SET_KEY, ops,
                    MirrorChaosTest.finalListing(new Namespace(mirror, ids, HEAL_TIMEOUT), filesDir))));
            long primaryIndex = TwoRegionChecks.state(primary).getChangelogLastIndex();
            verdicts.add(TwoRegionChecks.mirrorBlocks(mirror, regions.mirror().group().name(), primaryStore, mirrorStore,
                    VOLUME, BLOCK_SIZE_BYTES, primaryIndex, HEAL_TIMEOUT));
            audit.audit(TwoRegionChecks.state(mirror).getDataWatermark());
            verdicts.add(audit.verdict());
            RunReport.write(runDir, test, seed, origin, end, ops, timeline, verdicts);
            String text = RunReport.verdictText(test, seed, verdicts);
            System.out.println(text);
            long storeFaults = timeline.events().stream()
                    .filter(e -> e.phase().equals("inject") && e.fault().equals("object-store-server")).count();
            System.out.println(test + ": " + files.acknowledged().size() + " files acknowledged, " + storeFaults
                    + " object store server faults, " + timeline.events().size() + " nemesis events");

            assertThat(storeFaults).as("object store server faults injected (seed %d): none proves nothing", seed)
                    .isPositive();
            assertThat(files.acknowledged().size())
                    .as("acknowledged files (seed %d): a run that wrote nothing proves nothing", seed).isGreaterThan(20);
            assertThat(RunReport.overall(verdicts)).as("%s\nreport: %s", text, runDir.resolve("report.html"))
                    .isEqualTo(Validity.VALID);
        }
    }

    /** The test JVM's own S3 clients: the server's keys as explicit options, and a short request timeout. */
    private static StoreOptions hostStoreOptions() {
        return StoreOptions.defaults().with("s3.accessKeyId", ObjectStoreServer.ACCESS_KEY_ID)
                .with("s3.secretAccessKey", ObjectStoreServer.SECRET_ACCESS_KEY)
                .withRequestTimeout(STORE_REQUEST_TIMEOUT);
    }

    /** Audits the watermark's promise every half second until the load ends; an unanswered state query skips a round. */
    private static void auditWhileRunning(WatermarkAudit audit, RaftMetadataClient mirror, long endOfLoad)
            throws Exception {
        while (System.nanoTime() < endOfLoad) {
            try {
                audit.audit(TwoRegionChecks.state(mirror).getDataWatermark());
            } catch (ExecutionException | TimeoutException unavailable) {
                // the mirror's leader is cut off: audit at the next answer
            }
            Thread.sleep(AUDIT_EVERY_MILLIS); // pacing of the audit rounds, not waiting for anything to settle
        }
    }
}
