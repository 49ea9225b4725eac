package io.mirrorfs.cli.failover.drill;

import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.topology.Region;
import io.mirrorfs.api.topology.Topology;
import io.mirrorfs.cli.failover.Deployment;
import io.mirrorfs.cli.failover.FailoverException;
import io.mirrorfs.cli.failover.Promotion;
import io.mirrorfs.cli.failover.RecoveryReport;
import io.mirrorfs.cli.failover.Rejoin;
import io.mirrorfs.cli.failover.RegionHandle;
import io.mirrorfs.cli.failover.Switchover;
import io.mirrorfs.cli.failover.Timeline;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStores;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A failover drill (DESIGN §5): write golden files with checksums, wait until they are replicated,
 * write more that are acknowledged but maybe not replicated, break the primary (or switch over under
 * write load), promote the mirror, verify every acknowledged file on the new primary, measure RTO
 * (fault → a write accepted again) and RPO, bring the old primary back as a mirror with its recovery
 * report, and compare what the tools reported lost with what was lost.
 */
public final class Drill {
    public static final long SWITCHOVER_RTO_TARGET_MILLIS = 5_000;
    public static final long PROMOTION_RTO_TARGET_MILLIS = 10_000;
    private static final Duration PROBE_DEADLINE = Duration.ofSeconds(3);
    private static final Duration META_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REJOIN_MAX = Duration.ofSeconds(180);
    static final String DIR = "golden";

    /**
     * @param target the mirror to promote; null = the first mirror of the topology
     * @param files golden files written and replicated before the fault
     * @param inFlightFiles files written after that, right before the fault (acknowledged, maybe not replicated)
     * @param holdMirror pause the mirror region while the in-flight files are written (local deployments
     *     only), so they are certainly lost and the RPO accounting is proven against a known loss
     * @param rejoin bring the old primary back and rejoin it when the faults allow it
     */
    public record Options(Scenario scenario, String target, int files, int inFlightFiles, int fileBytesMax, long seed,
                          boolean holdMirror, boolean rejoin, Path reportDir, Duration replicationMax) {
        public Options {
            if (files < 1 || files > 100_000 || inFlightFiles < 0 || inFlightFiles > 100_000) {
                throw new IllegalArgumentException("files must be 1..100000 and in-flight files 0..100000");
            }
            if (fileBytesMax < 1 || fileBytesMax > GoldenDataset.FILE_BYTES_MAX) {
                throw new IllegalArgumentException("file size must be 1.." + GoldenDataset.FILE_BYTES_MAX + " bytes");
            }
        }
    }

    private final Topology topology;
    private final Faults faults;
    private final Options options;
    private final Timeline timeline;
    private final Random random;
    private final Map<String, GoldenDataset.GoldenFile> acknowledged = new LinkedHashMap<>();
    private final List<String> replicated = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();

    public Drill(Topology topology, Faults faults, Options options, PrintStream progress) {
        this.topology = topology;
        this.faults = faults;
        this.options = options;
        this.timeline = Timeline.systemClock(progress);
        this.random = new Random(options.seed());
    }

    public DrillReport run() throws Exception {
        try (Deployment deployment = new Deployment(topology, PROBE_DEADLINE)) {
            Deployment.Observed primary = awaitPrimary(deployment);
            blockSizeBytes = deployment.blockSizeBytes();
            RegionHandle mirror = deployment.region(options.target() != null ? options.target() : firstMirror(primary.name()));
            timeline.mark("drill " + options.scenario().cliName() + ": primary '" + primary.name() + "', mirror '"
                    + mirror.name() + "', seed " + options.seed());
            writeAndReplicate(primary.handle(), mirror);
            return options.scenario() == Scenario.SWITCHOVER
                    ? switchover(deployment, primary, mirror)
                    : unplannedFailover(deployment, primary, mirror);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Before the fault

    private void writeAndReplicate(RegionHandle primary, RegionHandle mirror) throws Exception {
        try (Writer w = Writer.open(primary.region())) {
            w.data.mkdir(DIR);
            for (int i = 0; i < options.files(); i++) {
                acknowledge(w.data.write(DIR, "file-" + i, size(), random));
            }
            timeline.mark(options.files() + " golden files acknowledged by '" + primary.name() + "'");
            long last = primary.state().getChangelogLastIndex();
            awaitReplicated(mirror, last, options.replicationMax());
            replicated.addAll(acknowledged.keySet());
            timeline.mark("replicated to '" + mirror.name() + "' (metadata and data watermark at " + last + ")");
        }
    }

    private void writeInFlight(RegionHandle primary, RegionHandle mirror) throws Exception {
        if (options.inFlightFiles() == 0) {
            return;
        }
        boolean hold = options.holdMirror() && faults.canHoldMirror();
        if (hold) {
            faults.holdMirror(mirror.name(), true);
            timeline.mark("mirror '" + mirror.name() + "' held (its metadata nodes killed): the next files cannot replicate");
        }
        try (Writer w = Writer.open(primary.region())) {
            for (int i = 0; i < options.inFlightFiles(); i++) {
                acknowledge(w.data.write(DIR, "inflight-" + i, size(), random));
            }
        }
        timeline.mark(options.inFlightFiles() + " in-flight files acknowledged (not awaited for replication)");
    }

    // ------------------------------------------------------------------------------------------
    // Unplanned: kill -9 or partition, then promotion

    private DrillReport unplannedFailover(Deployment deployment, Deployment.Observed primary, RegionHandle mirror)
            throws Exception {
        writeInFlight(primary.handle(), mirror);
        long faultAt = timeline.mark("FAULT: " + options.scenario().cliName() + " on region '" + primary.name() + "'");
        faults.inject(options.scenario(), primary.name());
        timeline.mark("fault injected");
        if (options.holdMirror() && faults.canHoldMirror() && options.inFlightFiles() > 0) {
            faults.holdMirror(mirror.name(), false);
            awaitAnswers(mirror);
            // The hold is the drill's own doing: RTO counts from when the mirror is back, not the fault.
            faultAt = timeline.mark("mirror '" + mirror.name() + "' released and answering (RTO counted from here)");
        }
        Promotion.Result promoted = new Promotion(deployment, blockSize()).run(mirror.name(), false, timeline);
        long rto = promoted.writesAcceptedAtMillis() - faultAt;
        verifyAfterFailover(mirror.region());

        long rpoEntries = promoted.rpo().entries();
        boolean exact = promoted.rpo().exact();
        String reportFile = null;
        if (options.rejoin() && faults.canHeal()) {
            faults.heal(options.scenario(), primary.name());
            timeline.mark("old primary '" + primary.name() + "' " + (options.scenario() == Scenario.KILL_PRIMARY
                    ? "restarted" : "resumed"));
            RecoveryReport report = rejoin(deployment, primary.handle(), mirror);
            reportFile = options.reportDir().resolve("recovery-" + primary.name() + "-epoch" + report.oldEpoch() + ".json")
                    .toString();
            rpoEntries = report.clientEntries();
            exact = report.complete();
            checkLossAccounted(report);
        }
        return report(primary.name(), mirror.name(), rto, PROMOTION_RTO_TARGET_MILLIS, rpoEntries, exact,
                promoted.rpo().entries(), reportFile);
    }

    private void awaitAnswers(RegionHandle region) throws Exception {
        long deadline = System.nanoTime() + REJOIN_MAX.toNanos();
        while (region.stateIfReachable().isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                throw new FailoverException("region '" + region.name() + "' did not answer within " + REJOIN_MAX.toSeconds() + " s");
            }
            Thread.sleep(200); // polling a condition, bounded by the deadline above
        }
    }

    /** Waits for the old primary to answer, rejoins it, and checks both regions hold one namespace. */
    private RecoveryReport rejoin(Deployment deployment, RegionHandle old, RegionHandle newPrimary) throws Exception {
        awaitAnswers(old);
        Rejoin.Result r = new Rejoin(deployment, blockSize(), options.reportDir()).run(old.name(), timeline);
        faults.becameMirror(old.name(), newPrimary.region().storeUri());
        long target = newPrimary.state().getChangelogLastIndex();
        Rejoin.awaitFollowing(old, target, REJOIN_MAX, timeline);
        compareNamespaces(old, newPrimary);
        return r.report();
    }

    /** Every lost file must be named by the recovery report: the RPO the tools report covers the loss. */
    private void checkLossAccounted(RecoveryReport report) {
        for (String lost : lostFiles.keySet()) {
            if (!report.paths().contains(lost)) {
                violations.add("lost file " + lost + " is not in the recovery report of '" + report.region() + "'");
            }
        }
        // Each golden file is written once, so a divergent entry touching it means the new primary lacks
        // part of it: the report and the verification must name exactly the same files.
        for (String path : report.paths()) {
            if (acknowledged.containsKey(path) && !lostFiles.containsKey(path)) {
                violations.add("recovery report lists " + path + " as divergent, but it is intact on the new primary");
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Planned: switchover under write load

    private DrillReport switchover(Deployment deployment, Deployment.Observed primary, RegionHandle mirror) throws Exception {
        Switchover.Result result;
        LoadWriter load = new LoadWriter(primary.handle().region(), new Random(random.nextLong()), options.fileBytesMax());
        try (load) {
            load.start();
            load.awaitAcknowledged(3, Duration.ofSeconds(60));
            timeline.mark("write load running against '" + primary.name() + "'");
            result = new Switchover(deployment, options.replicationMax()).run(mirror.name(), timeline);
        }
        faults.becameMirror(primary.name(), mirror.region().storeUri());
        long fenceEpochMillis = timeline.startEpochMillis() + result.fenceAtMillis();
        for (LoadWriter.Ack ack : load.acknowledged()) {
            acknowledge(ack.file());
            if (ack.startedAtEpochMillis() > fenceEpochMillis) {
                violations.add("write " + ack.file().path() + " started " + (ack.startedAtEpochMillis() - fenceEpochMillis)
                        + " ms after the fence and was acknowledged by the old primary");
            }
        }
        timeline.mark("write load stopped: " + load.acknowledged().size() + " files acknowledged, "
                + load.refusals() + " writes refused after the fence (" + load.lastRefusal() + ")");
        verifyAfterFailover(mirror.region());
        if (!lostFiles.isEmpty()) {
            violations.add("a switchover must lose nothing, lost " + lostFiles.keySet());
        }
        Rejoin.awaitFollowing(primary.handle(), mirror.state().getChangelogLastIndex(), REJOIN_MAX, timeline);
        compareNamespaces(primary.handle(), mirror);
        return report(primary.name(), mirror.name(), result.rtoMillis(), SWITCHOVER_RTO_TARGET_MILLIS,
                lostFiles.size(), true, 0, null);
    }

    // ------------------------------------------------------------------------------------------
    // After the failover

    private final Map<String, String> lostFiles = new LinkedHashMap<>();
    private int verified;

    /** A write through the client on the new primary, then every acknowledged file checked there. */
    private void verifyAfterFailover(Region newPrimary) throws Exception {
        try (Writer w = Writer.open(newPrimary)) {
            acknowledge(w.data.write(DIR, "after-failover", size(), random));
            timeline.mark("a file written through the client on the new primary '" + newPrimary.name() + "'");
            for (GoldenDataset.GoldenFile f : acknowledged.values()) {
                Optional<String> problem = w.data.check(f);
                if (problem.isEmpty()) {
                    verified++;
                } else {
                    lostFiles.put(f.path(), problem.get());
                    if (replicated.contains(f.path())) {
                        violations.add("file " + f.path() + " was acknowledged and replicated before the fault, but on '"
                                + newPrimary.name() + "': " + problem.get());
                    }
                }
            }
        }
        timeline.mark("verified " + verified + " of " + acknowledged.size() + " acknowledged files on '"
                + newPrimary.name() + "', " + lostFiles.size() + " lost");
    }

    private void compareNamespaces(RegionHandle a, RegionHandle b) throws Exception {
        byte[] da = io.mirrorfs.meta.mirror.TreeDigest.of(a.client(), META_TIMEOUT, 1_000_000);
        byte[] db = io.mirrorfs.meta.mirror.TreeDigest.of(b.client(), META_TIMEOUT, 1_000_000);
        if (Arrays.equals(da, db)) {
            timeline.mark("'" + a.name() + "' and '" + b.name() + "' hold the same namespace (tree digest)");
        } else {
            violations.add("'" + a.name() + "' and '" + b.name() + "' differ after the rejoin (tree digests)");
        }
    }

    private DrillReport report(String oldPrimary, String newPrimary, long rto, long rtoTarget, long rpoEntries,
                               boolean exact, long rpoAtPromotion, String recoveryReport) {
        timeline.mark("drill done: RTO " + rto + " ms, RPO " + rpoEntries + " entries, " + lostFiles.size()
                + " files lost, " + violations.size() + " violations");
        return new DrillReport(options.scenario().cliName(), oldPrimary, newPrimary, rto, rtoTarget, rpoEntries, exact,
                rpoAtPromotion, lostFiles, acknowledged.size(), replicated.size(), verified, violations, recoveryReport,
                timeline);
    }

    /** Every file acknowledged during the run (after {@link #run}), by path. */
    public Map<String, GoldenDataset.GoldenFile> acknowledgedFiles() {
        return Map.copyOf(acknowledged);
    }

    // ------------------------------------------------------------------------------------------

    private void acknowledge(GoldenDataset.GoldenFile f) {
        acknowledged.put(f.path(), f);
    }

    private int size() {
        return 1 + random.nextInt(options.fileBytesMax());
    }

    private int blockSize() {
        assert blockSizeBytes > 0 : "read from the volume at the start of run()";
        return blockSizeBytes;
    }

    /** The volume's block size, read while the primary is certainly up. */
    private int blockSizeBytes;

    private String firstMirror(String primary) throws FailoverException {
        return topology.regions().stream().map(Region::name).filter(n -> !n.equals(primary)).findFirst()
                .orElseThrow(() -> new FailoverException("the topology has no region besides the primary '" + primary + "'"));
    }

    private Deployment.Observed awaitPrimary(Deployment deployment) throws Exception {
        long deadline = System.nanoTime() + options.replicationMax().toNanos();
        while (true) {
            Optional<Deployment.Observed> p = deployment.currentPrimary(null);
            if (p.isPresent() && p.get().state().getChangelogLastIndex() > 0) {
                return p.get();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new FailoverException("no formatted primary answered within " + options.replicationMax().toSeconds()
                        + " s (regions: " + deployment.describe() + ")");
            }
            Thread.sleep(200); // polling a condition, bounded by the deadline above
        }
    }

    static void awaitReplicated(RegionHandle mirror, long index, Duration max) throws FailoverException, InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            MirrorState s = mirror.stateIfReachable().orElse(null);
            if (s != null && s.getPrimaryIndex() >= index && s.getDataWatermark() >= index) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new FailoverException("mirror '" + mirror.name() + "' did not replicate index " + index + " within "
                        + max.toSeconds() + " s (" + (s == null ? "not answering" : "metadata at " + s.getPrimaryIndex()
                        + ", data watermark at " + s.getDataWatermark()) + ")");
            }
            Thread.sleep(100); // polling a condition, bounded by the deadline above
        }
    }

    /** A golden-dataset client of one region with its own metadata client and store. */
    record Writer(RaftMetadataClient client, ObjectStore store, GoldenDataset data) implements AutoCloseable {
        static Writer open(Region region) throws Exception {
            RaftMetadataClient client = RaftMetadataClient.connect(region.group(),
                    MetadataClientOptions.defaults().withDeadline(META_TIMEOUT).withRaftClients(1));
            ObjectStore store = null;
            try {
                store = ObjectStores.open(region.storeUri());
                return new Writer(client, store, GoldenDataset.open(client, store, META_TIMEOUT));
            } catch (Exception e) {
                if (store != null) {
                    store.close();
                }
                client.close();
                throw e;
            }
        }

        @Override
        public void close() throws Exception {
            try {
                data.close();
            } finally {
                try {
                    store.close();
                } finally {
                    client.close();
                }
            }
        }
    }
}
