package io.mirrorfs.chaos.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.chaos.check.AppendOnlySetChecker;
import io.mirrorfs.chaos.check.RegisterLinearizabilityChecker;
import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.harness.Await;
import io.mirrorfs.chaos.harness.ClientContainer;
import io.mirrorfs.chaos.harness.ContainerCluster;
import io.mirrorfs.chaos.harness.LoadUnderNemesis;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.history.Outcome;
import io.mirrorfs.chaos.nemesis.MountFaults;
import io.mirrorfs.chaos.nemesis.Nemesis;
import io.mirrorfs.chaos.nemesis.NemesisTimeline;
import io.mirrorfs.chaos.report.RunReport;
import io.mirrorfs.chaos.workload.MountRegisterWorkload;
import io.mirrorfs.chaos.workload.MountSetWorkload;
import io.mirrorfs.chaos.workload.Namespace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What it proves: through a real FUSE mount ({@code mirrorfs mount}, the CLI) in its own container,
 * driven by real syscalls, (1) xattr registers stay linearizable (setxattr / getxattr, caches off) and
 * (2) every file whose fsync returned is listed at the end, with the bytes written — while the group
 * and the client itself fail.
 *
 * <p>Fault model (one at a time, from the seed): kill -9 and restart of a node (leader or random),
 * docker pause of a node, partitions between nodes; kill -9 of the mount process (then a remount),
 * SIGSTOP/SIGCONT of the mount process, the client container cut off from the leader or from every
 * node. No disk loss; the client's object store is a host folder and survives.
 *
 * <p>Replay: every verdict names the seed; {@code -Dchaos.seed=N} replays the fault schedule and the
 * workload's choices (not thread timing); {@code -Dchaos.seconds=N} / {@code -Pchaos-long} run longer.
 * Artefacts: {@code target/chaos/MountChaosTest-SEED/} (history, nemesis.txt, report.html, node logs,
 * {@code data/c1/mount.log}).
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class MountChaosTest {
    private static final int REGISTER_KEYS = 4;
    private static final int REGISTER_THREADS = 3;
    private static final int SET_THREADS = 2;
    private static final int THINK_MILLIS_MAX = 20;
    private static final long OP_TIMEOUT_MILLIS = 10_000;
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration HEAL_TIMEOUT = Duration.ofSeconds(120);
    private static final int HISTORY_OPS_MAX = 1_000_000;
    /** Long enough for the seeded deck to deal every fault at least once. */
    private static final int SECONDS_FOR_FULL_DECK = 60;

    @Test
    void mountedRegistersStayLinearizableAndFsyncedFilesSurviveFaults() throws Exception {
        ChaosSettings.requireDocker();
        long seed = ChaosSettings.seed();
        int seconds = ChaosSettings.seconds();
        String test = getClass().getSimpleName();
        Path runDir = ChaosSettings.runDir(test, seed);
        System.out.println(test + ": seed " + seed + ", " + seconds + " s, artefacts in " + runDir);

        try (ContainerCluster cluster = ContainerCluster.start("mnt" + seed + "x" + ProcessHandle.current().pid(), runDir, 3, seed);
             RaftMetadataClient setup = RaftMetadataClient.connect(cluster.group(),
                     MetadataClientOptions.defaults().withDeadline(Duration.ofSeconds(8)))) {
            cluster.awaitLeader(SETUP_TIMEOUT);
            Namespace ns = new Namespace(setup, new RequestIds(), SETUP_TIMEOUT);
            ns.format("chaos");
            List<String> keys = new ArrayList<>();
            for (int k = 0; k < REGISTER_KEYS; k++) {
                keys.add("r" + k);
                ns.create(FsLimits.ROOT_INODE, "r" + k, FileType.REGULAR);
            }
            ns.mkdirInRoot("set");
            ClientContainer client = MountClients.startPrimaryMount(cluster, null);
            try {
                HistoryRecorder history = new HistoryRecorder(HISTORY_OPS_MAX);
                NemesisTimeline timeline = new NemesisTimeline();
                MountRegisterWorkload registers = new MountRegisterWorkload(client.agentAddress(), ClientContainer.MOUNT_POINT,
                        history, keys, OP_TIMEOUT_MILLIS, THINK_MILLIS_MAX);
                MountSetWorkload set = new MountSetWorkload(client.agentAddress(), ClientContainer.MOUNT_POINT + "/set",
                        history, OP_TIMEOUT_MILLIS, THINK_MILLIS_MAX);
                Nemesis nemesis = new Nemesis(cluster, seed, EnumSet.of(Nemesis.Kind.KILL, Nemesis.Kind.PAUSE,
                        Nemesis.Kind.PARTITION), timeline, Duration.ofSeconds(3), Duration.ofSeconds(6),
                        MountFaults.all(client, cluster));
                List<LoadUnderNemesis.Worker> workers = new ArrayList<>();
                for (int t = 0; t < REGISTER_THREADS; t++) {
                    workers.add(registers::run);
                }
                for (int t = 0; t < SET_THREADS; t++) {
                    workers.add(set::run);
                }
                long origin = System.nanoTime();
                Throwable workloadFailure = LoadUnderNemesis.run(nemesis, seed, workers, seconds, Duration.ofSeconds(60),
                        HEAL_TIMEOUT);
                long end = System.nanoTime();
                assertThat(workloadFailure).as("workload thread failure (seed %d)", seed).isNull();
                assertThat(nemesis.failure()).as("nemesis failure (seed %d)", seed).isNull();

                // Healed: every node running, a leader, the mount up (healAll remounted a killed one).
                cluster.awaitLeader(HEAL_TIMEOUT);
                assertThat(client.mountProcessAlive()).as("mount process after healing (seed %d)", seed).isTrue();
                List<String> listing = new ArrayList<>();
                Await.until("the set directory listed through the mount", HEAL_TIMEOUT, () -> {
                    listing.clear();
                    listing.addAll(set.finalListing(Duration.ofSeconds(10)));
                    return true;
                });
                List<Operation> ops = history.snapshot();
                List<Verdict> verdicts = new ArrayList<>();
                verdicts.add(RegisterLinearizabilityChecker.withDefaultBudget().check(ops));
                verdicts.add(AppendOnlySetChecker.check(MountSetWorkload.SET_KEY, ops, listing));
                verdicts.add(contents(set, ops, listing));
                RunReport.write(runDir, test, seed, origin, end, ops, timeline, verdicts);
                String text = RunReport.verdictText(test, seed, verdicts);
                System.out.println(text);

                long acknowledgedCreates = ops.stream().filter(o -> o.type() == OpType.ADD && o.outcome() == Outcome.OK).count();
                long acknowledgedRegisterOps = ops.stream().filter(o -> o.type() != OpType.ADD && o.outcome() == Outcome.OK).count();
                assertThat(acknowledgedCreates).as("fsynced creates (seed %d): a run that did nothing proves nothing", seed)
                        .isGreaterThan(20);
                assertThat(acknowledgedRegisterOps).as("acknowledged register ops (seed %d)", seed).isGreaterThan(50);
                if (seconds >= SECONDS_FOR_FULL_DECK) {
                    Set<String> injected = new TreeSet<>();
                    timeline.events().stream().filter(e -> e.phase().equals("inject")).forEach(e -> injected.add(e.fault()));
                    assertThat(injected).as("faults injected (seed %d)", seed)
                            .contains("kill-mount", "pause-mount", "partition-client");
                }
                assertThat(RunReport.overall(verdicts)).as("%s\nreport: %s", text, runDir.resolve("report.html"))
                        .isEqualTo(Validity.VALID);
            } finally {
                client.unmount();
            }
        }
    }

    /** Every acknowledged, listed file reads back (through the mount) as the bytes it was written with. */
    private static Verdict contents(MountSetWorkload set, List<Operation> ops, List<String> listing) throws Exception {
        Set<String> listed = Set.copyOf(listing);
        List<String> acknowledged = ops.stream()
                .filter(o -> o.type() == OpType.ADD && o.outcome() == Outcome.OK && listed.contains(o.value()))
                .map(Operation::value).toList();
        List<String> bad = set.contentMismatches(acknowledged, Duration.ofSeconds(30));
        return new Verdict("fsynced-file-contents", bad.isEmpty() ? Validity.VALID : Validity.INVALID,
                acknowledged.size() + " acknowledged files read back; " + bad.size() + " differ",
                bad.subList(0, Math.min(20, bad.size())));
    }
}
