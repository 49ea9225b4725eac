package io.mirrorfs.chaos.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.chaos.check.AppendOnlySetChecker;
import io.mirrorfs.chaos.check.FailoverSafetyChecker;
import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.harness.LoadUnderNemesis;
import io.mirrorfs.chaos.harness.NodeContainer;
import io.mirrorfs.chaos.harness.TwoRegionCluster;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.nemesis.FailoverFaults;
import io.mirrorfs.chaos.nemesis.Nemesis;
import io.mirrorfs.chaos.nemesis.NemesisTimeline;
import io.mirrorfs.chaos.report.RunReport;
import io.mirrorfs.chaos.workload.DataFileWorkload;
import io.mirrorfs.chaos.workload.Namespace;
import io.mirrorfs.chaos.workload.PrimaryTargets;
import io.mirrorfs.chaos.workload.RoleSampler;
import io.mirrorfs.chaos.workload.StaleWriterProbe;
import io.mirrorfs.store.local.LocalDirectoryStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What it proves (issue 7, failover under chaos): a planned switchover of a two-region deployment,
 * run the way an operator runs {@code mirrorfs failover switchover --to REGION --topology FILE}
 * (the cli's {@code Switchover} over a topology file of the containers), in the middle of a write
 * load and under faults (rerun up to 3 times if a run fails, as the runbook tells operators),
 * (1) loses no acknowledged write: every file acknowledged by either primary is on the new primary and, after convergence, on the old one, now its mirror, with every referenced
 * block in each region's own store; (2) has no split brain: a client that keeps writing to the old
 * primary is refused from the fence on, never two writable primaries are observed, epochs only go
 * up, and the roles end swapped; (3) the tree digests of both regions match at the end; (4) the RTO
 * (fence → first write accepted by the new primary) and the gap the writers saw go into the report.
 *
 * <p>Writers follow the primary by role and epoch ({@link PrimaryTargets}: the unfenced PRIMARY of the
 * highest epoch, every mutation stamped with that epoch), so nobody re-points them; a refusal makes
 * the next add look again. Each region has a sync service: the mirror's, and the primary's own, idle
 * until the switchover makes its region a mirror, then copying from the new primary's store.
 *
 * <p>Fault model ({@link FailoverFaults}, one at a time, seeded): kill -9 or pause of a follower in
 * either group, region-link cut both ways or one way; held 1–3 s, healed long before the switchover's
 * 30 s catch-up deadline. The nemesis runs before, during and after the switchover.
 *
 * <p>Replay: {@code -Dchaos.seed=N}. Length: the load runs a third of {@code chaos.seconds} (default
 * 60 → 20 s, at least 15), the switchover at its middle; {@code -Dchaos.seconds=600} or
 * {@code -Pchaos-long} for longer. {@code -Dchaos.failover.variant=unfenced} runs a switchover without
 * the fence (test scope, {@link UnfencedSwitchover}) to see the checks fail. Artefacts:
 * {@code target/chaos/FailoverChaosTest-SEED/} (report.html, switchover.json, topology.yaml, node logs).
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class FailoverChaosTest {
    private static final String VOLUME = "fvol";
    private static final int BLOCK_SIZE_BYTES = 16 << 10;
    private static final int FILE_THREADS = 2;
    private static final int THINK_MILLIS_MAX = 30;
    private static final long OP_TIMEOUT_MILLIS = 10_000;
    private static final long PROBE_TIMEOUT_MILLIS = 2_000;
    private static final int STALE_WRITER_INODES = 100_000;
    private static final Duration CLIENT_DEADLINE = Duration.ofSeconds(8);
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration HEAL_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CATCH_UP_MAX = Duration.ofSeconds(30);
    private static final int PRIMARY_SYNC_OCTET = 32;
    private static final long PRIMARY_SYNC_ROLE_POLL_MILLIS = 500;
    private static final int HISTORY_OPS_MAX = 2_000_000;
    /** The operator reruns a failed switchover (it resumes); more than this is a finding, not bad luck. */
    private static final int SWITCHOVER_ATTEMPTS_MAX = 3;

    @Test
    void switchoverUnderFaultsLosesNoAcknowledgedWriteAndNeverHasTwoPrimaries() throws Exception {
        ChaosSettings.requireDocker();
        long seed = ChaosSettings.seed();
        int seconds = Math.max(15, ChaosSettings.seconds() / 3);
        boolean unfenced = "unfenced".equals(System.getProperty("chaos.failover.variant", ""));
        String test = getClass().getSimpleName();
        Path runDir = ChaosSettings.runDir(test, seed);
        System.out.println(test + ": seed " + seed + ", " + seconds + " s of load" + (unfenced ? ", UNFENCED variant" : "")
                + ", artefacts in " + runDir);

        try (TwoRegionCluster regions = TwoRegionCluster.start("fo" + seed + "x" + ProcessHandle.current().pid(), runDir,
                seed, new TwoRegionCluster.Layout(3, 3, VOLUME),
                (group, primaryStore, mirrorStore, faultFile) -> SyncNodeMain.command(group, mirrorStore, faultFile, seed, false));
             RaftMetadataClient oldClient = RaftMetadataClient.connect(regions.primary().group(),
                     MetadataClientOptions.defaults().withDeadline(CLIENT_DEADLINE));
             RaftMetadataClient newClient = RaftMetadataClient.connect(regions.mirror().group(),
                     MetadataClientOptions.defaults().withDeadline(CLIENT_DEADLINE));
             LocalDirectoryStore oldStore = new LocalDirectoryStore(regions.primaryStore());
             LocalDirectoryStore newStore = new LocalDirectoryStore(regions.mirrorStore())) {
            String oldName = regions.primary().group().name();
            String newName = regions.mirror().group().name();
            regions.primary().awaitLeader(SETUP_TIMEOUT);
            RequestIds ids = new RequestIds();
            TwoRegionChecks.format(oldClient, ids, VOLUME, oldStore.uri(), BLOCK_SIZE_BYTES, SETUP_TIMEOUT);
            Namespace ns = new Namespace(oldClient, ids, SETUP_TIMEOUT);
            long filesDir = ns.mkdirInRoot("files");
            long staleDir = ns.mkdirInRoot("stale");
            NodeContainer primarySync = regions.startService("sync-p", PRIMARY_SYNC_OCTET, SyncNodeMain.commandForPrimaryRegion(
                    "sync-p", regions.primary().group(), regions.primaryStore(), newStore.uri(), regions.storeFaultFile(),
                    seed, PRIMARY_SYNC_ROLE_POLL_MILLIS));
            SwitchoverStep switchover = SwitchoverStep.forCluster(regions, VOLUME, oldStore.uri(), newStore.uri(),
                    primarySync.ip(), runDir);
            TwoRegionChecks.awaitMirrorCaughtUp(oldClient, newClient, SETUP_TIMEOUT);

            HistoryRecorder history = new HistoryRecorder(HISTORY_OPS_MAX);
            NemesisTimeline timeline = new NemesisTimeline();
            PrimaryTargets targets = new PrimaryTargets(List.of(
                    new PrimaryTargets.Region(oldName, oldClient, oldStore::put),
                    new PrimaryTargets.Region(newName, newClient, newStore::put)), ids, PROBE_TIMEOUT_MILLIS);
            DataFileWorkload files = new DataFileWorkload(targets, ids, history, filesDir, VOLUME, BLOCK_SIZE_BYTES,
                    OP_TIMEOUT_MILLIS, THINK_MILLIS_MAX);
            StaleWriterProbe stale = StaleWriterProbe.reserve(oldClient, ids, history, staleDir, STALE_WRITER_INODES,
                    OP_TIMEOUT_MILLIS, SETUP_TIMEOUT);
            // The switchover's target first: the order FailoverSafetyChecker.roles needs.
            RoleSampler roles = new RoleSampler(List.of(Map.entry(newName, newClient), Map.entry(oldName, oldClient)),
                    PROBE_TIMEOUT_MILLIS);
            Nemesis nemesis = new Nemesis(regions.primary(), seed, EnumSet.noneOf(Nemesis.Kind.class), timeline,
                    Duration.ofSeconds(2), Duration.ofSeconds(3), FailoverFaults.all(regions));

            AtomicReference<SwitchoverStep.Outcome> outcome = new AtomicReference<>();
            long origin = System.nanoTime();
            long middle = origin + TimeUnit.SECONDS.toNanos(seconds) / 2;
            List<LoadUnderNemesis.Worker> workers = new ArrayList<>();
            for (int t = 0; t < FILE_THREADS; t++) {
                workers.add(files::run);
            }
            workers.add(stale::run);
            workers.add(roles::run);
            workers.add((thread, random, stop) -> {
                switchAtMiddle(switchover, newName, unfenced, middle, stop, outcome, timeline);
            });
            Throwable workloadFailure = LoadUnderNemesis.run(nemesis, seed, workers, seconds,
                    CATCH_UP_MAX.plus(Duration.ofSeconds(60)), HEAL_TIMEOUT);
            long end = System.nanoTime();
            assertThat(workloadFailure).as("workload thread failure (seed %d)", seed).isNull();
            assertThat(nemesis.failure()).as("nemesis failure (seed %d)", seed).isNull();

            List<NodeContainer> all = new ArrayList<>(regions.primary().nodes());
            all.addAll(regions.mirror().nodes());
            all.add(regions.sync());
            all.add(primarySync);
            for (NodeContainer n : all) {
                assertThat(n.state()).as("%s after healing (seed %d)", n, seed).isEqualTo("running");
            }
            regions.primary().awaitLeader(HEAL_TIMEOUT);
            regions.mirror().awaitLeader(HEAL_TIMEOUT);
            roles.sampleRound();

            List<Operation> ops = history.snapshot();
            SwitchoverStep.Outcome o = outcome.get();
            Map<String, String> ackedBy = files.acknowledgedBy();
            List<Verdict> verdicts = new ArrayList<>();
            verdicts.add(FailoverChecks.switchover(o, ops, ackedBy, oldName, newName));
            verdicts.add(FailoverSafetyChecker.roles(roles.samples(), newName, oldName));
            if (o != null) {
                SwitchoverStep.writeReport(runDir, o);
                if (o.fenceNanos() != Long.MAX_VALUE) {
                    verdicts.add(FailoverSafetyChecker.noWriteAfterFence(ops, op -> op.key().equals(StaleWriterProbe.SET_KEY)
                            || oldName.equals(ackedBy.get(op.value())), o.fenceNanos()));
                }
            }
            if ("PRIMARY".equals(TwoRegionChecks.state(newClient).getRole())) {
                // Promoted (even if the switchover did not finish): everything either primary acknowledged is here.
                verdicts.add(MirrorChaosTest.renamed("new primary ", AppendOnlySetChecker.check(DataFileWorkload.SET_KEY, ops,
                        MirrorChaosTest.finalListing(new Namespace(newClient, ids, HEAL_TIMEOUT), filesDir))));
                verdicts.add(MirrorChaosTest.renamed("new primary ", AppendOnlySetChecker.check(StaleWriterProbe.SET_KEY, ops,
                        MirrorChaosTest.finalListing(new Namespace(newClient, ids, HEAL_TIMEOUT), staleDir))));
            }
            if (o != null && o.completed()) {
                // A barrier on the new primary, the old one applies it, then equal TreeDigests.
                verdicts.add(TwoRegionChecks.namespaceConvergence(newClient, oldClient, ids, HEAL_TIMEOUT));
                verdicts.add(MirrorChaosTest.renamed("new mirror ", AppendOnlySetChecker.check(DataFileWorkload.SET_KEY, ops,
                        MirrorChaosTest.finalListing(new Namespace(oldClient, ids, HEAL_TIMEOUT), filesDir))));
                long newPrimaryIndex = TwoRegionChecks.state(newClient).getChangelogLastIndex();
                verdicts.add(TwoRegionChecks.mirrorBlocks(oldClient, oldName, newStore, oldStore, VOLUME, BLOCK_SIZE_BYTES,
                        newPrimaryIndex, HEAL_TIMEOUT));
                verdicts.add(FailoverChecks.primaryBlocks(newClient, newName, oldStore, newStore, VOLUME, BLOCK_SIZE_BYTES));
                verdicts.add(FailoverChecks.finalRoles(TwoRegionChecks.state(newClient), TwoRegionChecks.state(oldClient), o));
            }
            RunReport.write(runDir, test, seed, origin, end, ops, timeline, verdicts);
            String text = RunReport.verdictText(test, seed, verdicts);
            System.out.println(text);
            long byOld = ackedBy.values().stream().filter(oldName::equals).count();
            long byNew = ackedBy.values().stream().filter(newName::equals).count();
            System.out.println(test + ": " + byOld + " files acknowledged by the old primary, " + byNew + " by the new one, "
                    + timeline.events().size() + " nemesis events" + (o == null || !o.completed() ? "" : ", switchover RTO "
                    + o.rtoMillis() + " ms after " + o.attempts() + " attempt(s)"));

            assertThat(RunReport.overall(verdicts)).as("%s\nreport: %s", text, runDir.resolve("report.html"))
                    .isEqualTo(Validity.VALID);
            assertThat(byOld).as("files acknowledged by the old primary (seed %d): too few to prove anything", seed)
                    .isGreaterThan(10);
            assertThat(byNew).as("files acknowledged by the new primary (seed %d): too few to prove anything", seed)
                    .isGreaterThan(10);
        }
    }

    /** The switchover worker: waits for the middle of the load, switches over once, records the outcome. */
    private static void switchAtMiddle(SwitchoverStep switchover, String target, boolean unfenced, long middleNanos,
                                       BooleanSupplier stop, AtomicReference<SwitchoverStep.Outcome> outcome,
                                       NemesisTimeline timeline) throws InterruptedException {
        long waitNanos = middleNanos - System.nanoTime();
        if (waitNanos > 0) {
            TimeUnit.NANOSECONDS.sleep(waitNanos); // scheduling the operator's action at mid-run, not a settle wait
        }
        if (stop.getAsBoolean()) {
            return; // no outcome: the switchover verdict says it never ran
        }
        timeline.record("note", "switchover", "operator: switchover to " + target + (unfenced ? " (UNFENCED variant)" : ""));
        // The broken variant is not rerun: its rerun would find the target already promoted.
        SwitchoverStep.Outcome o = switchover.run(target, CATCH_UP_MAX, unfenced, unfenced ? 1 : SWITCHOVER_ATTEMPTS_MAX);
        outcome.set(o);
        timeline.record("note", "switchover", o.completed()
                ? "done after " + o.attempts() + " attempt(s): epoch " + o.result().newEpoch() + ", RTO " + o.rtoMillis() + " ms"
                : "FAILED after " + o.attempts() + " attempt(s): " + o.failure().getMessage());
    }
}
