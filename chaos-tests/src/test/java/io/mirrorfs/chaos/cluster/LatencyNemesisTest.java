package io.mirrorfs.chaos.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.chaos.harness.Await;
import io.mirrorfs.chaos.harness.ContainerCluster;
import io.mirrorfs.chaos.nemesis.LatencyFault;
import io.mirrorfs.chaos.nemesis.NemesisTimeline;
import io.mirrorfs.chaos.workload.Namespace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What it proves: the latency nemesis really delays the Raft links inside a group on this kernel
 * (which has no sch_netem): a metadata write — committed only after a follower's round trip — takes at
 * least 2 × the one-way delay while the fault is on, and is fast again after healing. The client on the
 * host is not delayed itself, so the slow-down is the Raft links'.
 *
 * <p>Fault model: one injection, all three nodes, {@link #DELAY_MILLIS} each way. Replay: the seed
 * only picks the network; {@code -Dchaos.seed=N}. Artefacts: {@code target/chaos/LatencyNemesisTest-SEED/}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LatencyNemesisTest {
    private static final int DELAY_MILLIS = 150;
    private static final int WRITES_PER_SAMPLE = 12;
    private static final long WRITE_TIMEOUT_MILLIS = 10_000;
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration BACK_TO_NORMAL_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void metadataWritesAreSlowerWhileInjectedAndNormalAfterHeal() throws Exception {
        ChaosSettings.requireDocker();
        long seed = ChaosSettings.seed();
        Path runDir = ChaosSettings.runDir(getClass().getSimpleName(), seed);
        try (ContainerCluster cluster = ContainerCluster.start("lat" + seed + "x" + ProcessHandle.current().pid(), runDir, 3, seed);
             RaftMetadataClient client = RaftMetadataClient.connect(cluster.group(),
                     MetadataClientOptions.defaults().withDeadline(Duration.ofSeconds(8)))) {
            cluster.awaitLeader(SETUP_TIMEOUT);
            RequestIds ids = new RequestIds();
            Namespace ns = new Namespace(client, ids, SETUP_TIMEOUT);
            ns.format("chaos");
            long inode = ns.create(FsLimits.ROOT_INODE, "r", FileType.REGULAR);
            Writes writes = new Writes(client, ids, inode);

            double before = writes.medianMillis(WRITES_PER_SAMPLE);
            LatencyFault fault = new LatencyFault(cluster, DELAY_MILLIS, DELAY_MILLIS, true);
            NemesisTimeline timeline = new NemesisTimeline();
            double during;
            try {
                String detail = fault.inject(new Random(seed));
                timeline.record("inject", fault.name(), detail);
                during = writes.medianMillis(WRITES_PER_SAMPLE);
            } finally {
                fault.heal();
                timeline.record("heal", fault.name(), "");
            }
            double[] after = {Double.NaN};
            Await.until("metadata writes fast again after healing", BACK_TO_NORMAL_TIMEOUT, () -> {
                after[0] = writes.medianMillis(5);
                return after[0] < DELAY_MILLIS;
            });
            String summary = String.format("seed %d: median write %.1f ms before, %.1f ms with %d ms each way, %.1f ms after heal",
                    seed, before, during, DELAY_MILLIS, after[0]);
            System.out.println("LatencyNemesisTest: " + summary);
            Files.writeString(runDir.resolve("latency.txt"), summary + "\n" + timeline.events() + "\n", StandardCharsets.UTF_8);

            assertThat(timeline.events().get(0).detail()).as("the timeline says what was injected")
                    .contains(DELAY_MILLIS + "ms each way").contains("n1,n2,n3");
            assertThat(before).as("baseline write round trip (%s)", summary).isLessThan(DELAY_MILLIS);
            assertThat(during).as("writes answered while delayed (%s)", summary).isFinite();
            assertThat(during).as("a commit needs a leader↔follower round trip through the proxies (%s)", summary)
                    .isGreaterThanOrEqualTo(2 * DELAY_MILLIS * 0.9).isGreaterThan(before + DELAY_MILLIS);
        }
    }

    /** Sequential register writes from the host; the median latency of those answered (infinite if most were not). */
    private record Writes(RaftMetadataClient client, RequestIds ids, long inode) {
        double medianMillis(int count) throws Exception {
            List<Double> millis = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                try {
                    MetaReply r = client.mutate(Namespace.setRegister(ids.next(), inode, "v" + i))
                            .get(WRITE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                    if (r.getErrno() == 0) {
                        millis.add((System.nanoTime() - start) / 1e6);
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException unanswered) {
                    // not a sample: a leader change while the links were cut over to the proxies
                }
            }
            if (millis.size() <= count / 2) {
                return Double.POSITIVE_INFINITY; // mostly unanswered: no usable sample
            }
            millis.sort(Double::compare);
            return millis.get(millis.size() / 2);
        }
    }
}
