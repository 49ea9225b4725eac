package io.mirrorfs.chaos.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.chaos.check.AppendOnlySetChecker;
import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.harness.ClientContainer;
import io.mirrorfs.chaos.harness.ContainerCluster;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.report.RunReport;
import io.mirrorfs.chaos.workload.MountSetWorkload;
import io.mirrorfs.chaos.workload.Namespace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What it proves: the mount workload and the set checker catch a client that acknowledges fsync of a
 * file that never reached the metadata ({@link LyingFsAgent}: every third create lands on the
 * container's local disk). Deterministic: no faults are needed — every third acknowledged create is
 * missing from the final listing, and the verdict names the seed.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BrokenMountDetectionTest {
    private static final int CREATES = 30;

    @Test
    void acknowledgedButUnpersistedCreatesAreReportedLost() throws Exception {
        ChaosSettings.requireDocker();
        long seed = ChaosSettings.seed();
        String test = getClass().getSimpleName();
        Path runDir = ChaosSettings.runDir(test, seed);
        try (ContainerCluster cluster = ContainerCluster.start("lie" + seed + "x" + ProcessHandle.current().pid(), runDir, 3, seed);
             RaftMetadataClient setup = RaftMetadataClient.connect(cluster.group(),
                     MetadataClientOptions.defaults().withDeadline(Duration.ofSeconds(8)))) {
            cluster.awaitLeader(Duration.ofSeconds(90));
            Namespace ns = new Namespace(setup, new RequestIds(), Duration.ofSeconds(90));
            ns.format("chaos");
            ns.mkdirInRoot("set");
            ClientContainer client = MountClients.startPrimaryMount(cluster, LyingFsAgent.class.getName());
            try {
                HistoryRecorder history = new HistoryRecorder(1_000);
                MountSetWorkload set = new MountSetWorkload(client.agentAddress(), ClientContainer.MOUNT_POINT + "/set",
                        history, 10_000, 0);
                BooleanSupplier afterCreates = () -> history.size() >= CREATES;
                set.run(0, new Random(seed), afterCreates);
                List<Operation> ops = history.snapshot();
                Verdict verdict = AppendOnlySetChecker.check(MountSetWorkload.SET_KEY, ops, set.finalListing(Duration.ofSeconds(30)));
                String text = RunReport.verdictText(test, seed, List.of(verdict));
                System.out.println(text);

                assertThat(verdict.validity()).as(text).isEqualTo(Validity.INVALID);
                assertThat(verdict.anomalies().toString()).as(text).contains(CREATES / 3 + " acknowledged add lost").contains("c0.2,");
                assertThat(text).contains("seed " + seed);
            } finally {
                client.unmount();
            }
        }
    }
}
