package io.mirrorfs.chaos.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.chaos.check.RegisterLinearizabilityChecker;
import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.harness.Await;
import io.mirrorfs.chaos.harness.ContainerCluster;
import io.mirrorfs.chaos.harness.NodeContainer;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import io.mirrorfs.chaos.nemesis.NemesisTimeline;
import io.mirrorfs.chaos.nemesis.Partitions;
import io.mirrorfs.chaos.report.RunReport;
import io.mirrorfs.chaos.workload.FollowerStaleReadClient;
import io.mirrorfs.chaos.workload.Namespace;
import io.mirrorfs.chaos.workload.RegisterWorkload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What it proves: the chaos pipeline (real cluster → history → register checker) catches a
 * non-linearizable system. The system under test is made deliberately broken: reads go through
 * {@link FollowerStaleReadClient}, which asks one follower for a Ratis stale read (no read-index, no
 * lease). The same history with that read replaced by a read through the real client is linearizable.
 *
 * <p>Fault model, deterministic by construction: value v1 is written and seen on follower F; F is then
 * cut off from the other two nodes (iptables, clients still reach it); v2 is written and acknowledged
 * by the majority; the broken client reads from F and must get v1 — a stale read the checker must
 * reject. Replay: no seed; the steps are fixed. Artefacts: {@code target/chaos/StaleReadDetectionTest-0/}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StaleReadDetectionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final long OP_TIMEOUT_MILLIS = 40_000;

    @Test
    void checkerRejectsReadsServedByACutOffFollowerWithoutReadIndex() throws Exception {
        ChaosSettings.requireDocker();
        long seed = 0;
        String test = getClass().getSimpleName();
        Path runDir = ChaosSettings.runDir(test, seed);
        try (ContainerCluster cluster = ContainerCluster.start("stale" + ProcessHandle.current().pid(), runDir, 3, seed);
             RaftMetadataClient client = RaftMetadataClient.connect(cluster.group(),
                     MetadataClientOptions.defaults().withDeadline(Duration.ofSeconds(30)))) {
            NodeContainer leader = cluster.awaitLeader(TIMEOUT);
            NodeContainer follower = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
            List<NodeContainer> others = cluster.nodes().stream().filter(n -> n != follower).toList();
            RequestIds ids = new RequestIds();
            Namespace ns = new Namespace(client, ids, TIMEOUT);
            ns.format("stale");
            RegisterWorkload.Key key = new RegisterWorkload.Key("r0", ns.create(FsLimits.ROOT_INODE, "r0", FileType.REGULAR));

            HistoryRecorder history = new HistoryRecorder(100);
            NemesisTimeline timeline = new NemesisTimeline();
            long origin = System.nanoTime();
            try (FollowerStaleReadClient broken = new FollowerStaleReadClient(client, cluster.group(), follower.id())) {
                RegisterWorkload real = new RegisterWorkload(client, client, ids, history, List.of(key), OP_TIMEOUT_MILLIS, 0);
                RegisterWorkload brokenReads = new RegisterWorkload(client, broken, ids, history, List.of(key), OP_TIMEOUT_MILLIS, 0);

                assertThat(real.write(0, key, "v1")).as("write v1 indeterminate").isFalse();
                Await.until(follower.id() + " to have applied v1", TIMEOUT, () -> {
                    MetaReply r = broken.query(Namespace.getRegister(key.inode())).get(5, TimeUnit.SECONDS);
                    return r.getErrno() == 0 && r.getValue().toStringUtf8().equals("v1");
                });
                Partitions.cut(List.of(follower), others);
                timeline.record("inject", "partition", follower.id() + " | " + ids(others));
                try {
                    assertThat(real.write(0, key, "v2")).as("write v2 indeterminate").isFalse();
                    brokenReads.read(1, key);
                } finally {
                    Partitions.heal(cluster.nodes());
                    timeline.record("heal", "partition", follower.id() + " | " + ids(others));
                }
                real.read(2, key);
            }
            long end = System.nanoTime();
            List<Operation> ops = history.snapshot();
            assertThat(ops).extracting(Operation::outcome).containsOnly(Outcome.OK);
            Operation staleRead = ops.stream().filter(o -> o.type() == OpType.READ && o.process() == 1).findFirst().orElseThrow();
            Operation realRead = ops.stream().filter(o -> o.type() == OpType.READ && o.process() == 2).findFirst().orElseThrow();
            assertThat(staleRead.value()).as("the cut-off follower's answer").isEqualTo("v1");
            assertThat(realRead.value()).as("the linearizable read's answer").isEqualTo("v2");

            RegisterLinearizabilityChecker checker = RegisterLinearizabilityChecker.withDefaultBudget();
            Verdict withStaleRead = checker.check(ops);
            List<Operation> withoutStaleRead = new ArrayList<>(ops);
            withoutStaleRead.remove(staleRead);
            Verdict control = checker.check(withoutStaleRead);
            RunReport.write(runDir, test, seed, origin, end, ops, timeline, List.of(withStaleRead, control));

            assertThat(withStaleRead.validity()).as(withStaleRead.toString()).isEqualTo(Validity.INVALID);
            assertThat(withStaleRead.anomalies()).singleElement().asString().contains("READ r0->v1");
            assertThat(control.validity()).as(control.toString()).isEqualTo(Validity.VALID);
        }
    }

    private static String ids(List<NodeContainer> nodes) {
        return String.join(",", nodes.stream().map(NodeContainer::id).toList());
    }
}
