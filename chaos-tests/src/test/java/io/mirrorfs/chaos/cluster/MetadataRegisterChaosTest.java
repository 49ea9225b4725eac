package io.mirrorfs.chaos.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.chaos.check.AppendOnlySetChecker;
import io.mirrorfs.chaos.check.RegisterLinearizabilityChecker;
import io.mirrorfs.chaos.check.RenameConservationChecker;
import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.harness.Await;
import io.mirrorfs.chaos.harness.ContainerCluster;
import io.mirrorfs.chaos.harness.Convergence;
import io.mirrorfs.chaos.harness.LoadUnderNemesis;
import io.mirrorfs.chaos.harness.NodeContainer;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.nemesis.Nemesis;
import io.mirrorfs.chaos.nemesis.NemesisTimeline;
import io.mirrorfs.chaos.report.RunReport;
import io.mirrorfs.chaos.workload.Namespace;
import io.mirrorfs.chaos.workload.RegisterWorkload;
import io.mirrorfs.chaos.workload.RenameWorkload;
import io.mirrorfs.chaos.workload.SetWorkload;
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
 * What it proves: a 3-node metadata group (MetaServerMain, one container each) keeps (1) every
 * xattr register linearizable — writes through the Raft log, reads through read-index — and (2) every
 * acknowledged create: the final listing holds each acknowledged file exactly once and nothing that
 * was never created; (3) files renamed back and forth between two directories are never lost nor
 * listed twice; (4) after healing, all replicas converge to identical state digests.
 *
 * <p>Fault model (one fault at a time, random from the seed, a few seconds each): kill -9 and restart
 * of the leader or a random node (disk kept); docker pause/unpause (a frozen process, like a long GC);
 * network partitions between nodes (leader isolated, or minority/majority) with iptables in the nodes'
 * namespaces, clients still reaching every node; added latency on the Raft links (user-space delay
 * proxies behind iptables REDIRECT: this kernel has no netem, see LatencyFault). No disk loss,
 * no clock skew, no byzantine faults. Clients are threads of this JVM on the host.
 *
 * <p>Replay: every verdict names the seed; {@code -Dchaos.seed=N} replays the fault schedule and
 * the workload's choices (thread timing is not replayable). {@code -Dchaos.seconds=N} or
 * {@code -Pchaos-long} runs longer. Artefacts: {@code target/chaos/MetadataRegisterChaosTest-SEED/}.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class MetadataRegisterChaosTest {
    private static final int REGISTER_KEYS = 8;
    private static final int REGISTER_THREADS = 4;
    private static final int SET_THREADS = 2;
    private static final int RENAME_ITEMS = 16;
    private static final int THINK_MILLIS_MAX = 20;
    private static final long OP_TIMEOUT_MILLIS = 10_000;
    private static final Duration CLIENT_DEADLINE = Duration.ofSeconds(8);
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration HEAL_TIMEOUT = Duration.ofSeconds(120);
    private static final int HISTORY_OPS_MAX = 2_000_000;

    @Test
    void registersStayLinearizableAndAcknowledgedCreatesSurviveFaults() throws Exception {
        ChaosSettings.requireDocker();
        long seed = ChaosSettings.seed();
        int seconds = ChaosSettings.seconds();
        String test = getClass().getSimpleName();
        Path runDir = ChaosSettings.runDir(test, seed);
        System.out.println(test + ": seed " + seed + ", " + seconds + " s, artefacts in " + runDir);

        try (ContainerCluster cluster = ContainerCluster.start("reg" + seed + "x" + ProcessHandle.current().pid(), runDir, 3, seed);
             RaftMetadataClient client = RaftMetadataClient.connect(cluster.group(),
                     MetadataClientOptions.defaults().withDeadline(CLIENT_DEADLINE))) {
            cluster.awaitLeader(SETUP_TIMEOUT);
            RequestIds ids = new RequestIds();
            Namespace ns = new Namespace(client, ids, SETUP_TIMEOUT);
            ns.format("chaos");
            List<RegisterWorkload.Key> keys = new ArrayList<>();
            for (int k = 0; k < REGISTER_KEYS; k++) {
                keys.add(new RegisterWorkload.Key("r" + k, ns.create(FsLimits.ROOT_INODE, "r" + k, FileType.REGULAR)));
            }
            long setDir = ns.mkdirInRoot("set");
            long renameDirA = ns.mkdirInRoot("mvA");
            long renameDirB = ns.mkdirInRoot("mvB");

            HistoryRecorder history = new HistoryRecorder(HISTORY_OPS_MAX);
            NemesisTimeline timeline = new NemesisTimeline();
            RegisterWorkload registers = new RegisterWorkload(client, client, ids, history, keys, OP_TIMEOUT_MILLIS,
                    THINK_MILLIS_MAX);
            SetWorkload set = new SetWorkload(client, ids, ns.inodes(), history, setDir, OP_TIMEOUT_MILLIS, THINK_MILLIS_MAX);
            RenameWorkload renames = new RenameWorkload(client, ids, history, renameDirA, renameDirB, OP_TIMEOUT_MILLIS,
                    THINK_MILLIS_MAX);
            renames.createItems(ns, RENAME_ITEMS);
            Nemesis nemesis = new Nemesis(cluster, seed, EnumSet.allOf(Nemesis.Kind.class), timeline,
                    Duration.ofSeconds(4), Duration.ofSeconds(8));

            long origin = System.nanoTime();
            List<LoadUnderNemesis.Worker> workers = new ArrayList<>();
            for (int t = 0; t < REGISTER_THREADS; t++) {
                workers.add(registers::run);
            }
            for (int t = 0; t < SET_THREADS; t++) {
                workers.add(set::run);
            }
            workers.add(renames::run);
            Throwable workloadFailure = LoadUnderNemesis.run(nemesis, seed, workers, seconds, Duration.ofSeconds(120),
                    HEAL_TIMEOUT);
            long end = System.nanoTime();
            assertThat(workloadFailure).as("workload thread failure (seed %d)", seed).isNull();
            assertThat(nemesis.failure()).as("nemesis failure (seed %d)", seed).isNull();

            // Heal: every node running and unpaused (healAll did), a leader, then the final reads.
            for (NodeContainer n : cluster.nodes()) {
                assertThat(n.state()).as("%s after healing (seed %d)", n, seed).isEqualTo("running");
            }
            cluster.awaitLeader(HEAL_TIMEOUT);
            List<Map.Entry<String, Long>> listing = new ArrayList<>();
            List<Map.Entry<String, String>> renameListing = new ArrayList<>();
            Await.until("final listings of the set and rename directories", HEAL_TIMEOUT, () -> {
                listing.clear();
                listing.addAll(ns.list(setDir, Duration.ofSeconds(10)));
                renameListing.clear();
                renameListing.addAll(renames.finalListing(ns, Duration.ofSeconds(10)));
                return true;
            });
            List<Operation> ops = history.snapshot();
            List<Verdict> verdicts = new ArrayList<>();
            verdicts.add(RegisterLinearizabilityChecker.withDefaultBudget().check(ops));
            verdicts.add(AppendOnlySetChecker.check(SetWorkload.SET_KEY, ops, listing.stream().map(Map.Entry::getKey).toList()));
            verdicts.add(RenameConservationChecker.check(RenameWorkload.SET_KEY, ops, renames.initialNames(), renameListing));
            verdicts.add(Convergence.await(cluster, client, ids, HEAL_TIMEOUT));
            RunReport.write(runDir, test, seed, origin, end, ops, timeline, verdicts);
            String text = RunReport.verdictText(test, seed, verdicts);
            System.out.println(text);

            assertThat(ops.stream().filter(o -> o.outcome() == io.mirrorfs.chaos.history.Outcome.OK).count())
                    .as("acknowledged operations (seed %d): a run that did nothing proves nothing", seed)
                    .isGreaterThan(100);
            assertThat(RunReport.overall(verdicts)).as("%s\nreport: %s", text, runDir.resolve("report.html"))
                    .isEqualTo(Validity.VALID);
        }
    }
}
