package io.mirrorfs.chaos.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.topology.HostPort;
import io.mirrorfs.api.topology.Region;
import io.mirrorfs.api.topology.Role;
import io.mirrorfs.api.topology.Topology;
import io.mirrorfs.chaos.check.RegisterLinearizabilityChecker;
import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.cluster.ChaosSettings;
import io.mirrorfs.chaos.cluster.SyncNodeMain;
import io.mirrorfs.chaos.harness.ClientContainer;
import io.mirrorfs.chaos.harness.LoadUnderNemesis;
import io.mirrorfs.chaos.harness.TwoRegionCluster;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import io.mirrorfs.chaos.nemesis.MirrorFaults;
import io.mirrorfs.chaos.nemesis.Nemesis;
import io.mirrorfs.chaos.nemesis.NemesisTimeline;
import io.mirrorfs.chaos.report.RunReport;
import io.mirrorfs.chaos.workload.Namespace;
import io.mirrorfs.chaos.workload.RegisterWorkload;
import io.mirrorfs.client.mirror.ConsistencyMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What it proves: a mirror-region mount ({@code mirrorfs mount --topology FILE --region MIRROR
 * --consistency MODE}, the real CLI) in its own client container keeps its consistency mode's promise
 * for registers the primary writes, while the region link is cut (both ways or one way) and the mount
 * process is SIGSTOPped: {@code session} (default) — monotonic reads per process
 * ({@link SessionGuaranteesChecker}); {@code linearizable} — the mirror reads are linearizable with the
 * primary's writes ({@link RegisterLinearizabilityChecker}); {@code bounded:<d>} — no read staler than
 * d ({@link BoundedStalenessChecker}). The topology file is written with {@code Topology.toYaml()} and
 * names both regions' containers.
 *
 * <p>Parts: 3 primary nodes, 1 mirror node ({@code -Dchaos.mirror.nodes=N}) and the sync, each in a
 * container; a writer thread in the test JVM sets the registers (xattrs) on the primary, one write at a
 * time, so their order is known; readers do getxattr through the mirror mount (the agent's syscalls).
 * The primary group is not faulted: its writes stay determinate.
 *
 * <p>Replay: {@code -Dchaos.seed=N} (every verdict names it), {@code -Dchaos.mirror.consistency=MODE}.
 * Load: a third of {@code chaos.seconds} (default 60 → 20 s). Artefacts:
 * {@code target/chaos/MirrorMountChaosTest-SEED/} (topology.yaml under shared/, data/cm/mount.log).
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class MirrorMountChaosTest {
    private static final String VOLUME = "mmvol";
    private static final List<String> KEYS = List.of("r0", "r1", "r2");
    private static final int READERS = 3;
    private static final int CLIENT_OCTET = 51;
    private static final int SYNC_PORT = 9870;
    private static final int THINK_MILLIS_MAX = 20;
    /** Longer than the mount's own wait for a lagging mirror (10 s, then EIO). */
    private static final long OP_TIMEOUT_MILLIS = 15_000;
    private static final Duration CLIENT_DEADLINE = Duration.ofSeconds(8);
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration HEAL_TIMEOUT = Duration.ofSeconds(120);
    private static final int HISTORY_OPS_MAX = 1_000_000;

    @Test
    void mirrorMountReadsKeepTheirConsistencyModeUnderRegionLinkCutsAndMountPauses() throws Exception {
        ChaosSettings.requireDocker();
        long seed = ChaosSettings.seed();
        int seconds = Math.max(10, ChaosSettings.seconds() / 3);
        String consistency = System.getProperty("chaos.mirror.consistency", "session").trim();
        ConsistencyMode mode = ConsistencyMode.parse(consistency);
        int mirrorNodes = Integer.getInteger("chaos.mirror.nodes", 1);
        String test = getClass().getSimpleName();
        Path runDir = ChaosSettings.runDir(test, seed);
        System.out.println(test + ": seed " + seed + ", " + seconds + " s of load, --consistency " + consistency
                + ", artefacts in " + runDir);

        try (TwoRegionCluster regions = TwoRegionCluster.start("mm" + seed + "x" + ProcessHandle.current().pid(), runDir,
                seed, new TwoRegionCluster.Layout(3, mirrorNodes, VOLUME),
                (group, primaryStore, mirrorStore, faultFile) -> SyncNodeMain.command(group, mirrorStore, faultFile, seed, false));
             RaftMetadataClient primary = RaftMetadataClient.connect(regions.primary().group(),
                     MetadataClientOptions.defaults().withDeadline(CLIENT_DEADLINE))) {
            regions.primary().awaitLeader(SETUP_TIMEOUT);
            RequestIds ids = new RequestIds();
            String primaryStoreUri = regions.primaryStore().toUri().toString();
            format(primary, ids, primaryStoreUri);
            Namespace ns = new Namespace(primary, ids, SETUP_TIMEOUT);
            List<RegisterWorkload.Key> keys = new ArrayList<>();
            for (String k : KEYS) {
                keys.add(new RegisterWorkload.Key(k, ns.create(FsLimits.ROOT_INODE, k, FileType.REGULAR)));
            }
            Path topology = writeTopology(regions, primaryStoreUri);
            ClientContainer mount = ClientContainer.start(regions.mirror(), "cm", CLIENT_OCTET, null,
                    List.of("--topology", topology.toString(), "--region", regions.mirror().group().name(),
                            "--consistency", consistency, "--attr-ttl-ms", "0", "--entry-ttl-ms", "0"),
                    List.of(regions.sharedDir()));
            try {
                HistoryRecorder history = new HistoryRecorder(HISTORY_OPS_MAX);
                NemesisTimeline timeline = new NemesisTimeline();
                // One writer (thread 0) for all keys: writes never overlap, so the checkers know their order.
                RegisterWorkload writer = new RegisterWorkload(primary, primary, ids, history, keys, OP_TIMEOUT_MILLIS,
                        THINK_MILLIS_MAX);
                MirrorMountReader readers = new MirrorMountReader(mount.agentAddress(), ClientContainer.MOUNT_POINT, history,
                        KEYS, OP_TIMEOUT_MILLIS, THINK_MILLIS_MAX);
                Nemesis nemesis = new Nemesis(regions.primary(), seed, EnumSet.noneOf(Nemesis.Kind.class), timeline,
                        Duration.ofSeconds(3), Duration.ofSeconds(6), MirrorFaults.aroundMirrorMount(regions, mount));
                List<LoadUnderNemesis.Worker> workers = new ArrayList<>();
                workers.add(writer::run);
                for (int t = 0; t < READERS; t++) {
                    workers.add(readers::run);
                }
                long origin = System.nanoTime();
                Throwable workloadFailure = LoadUnderNemesis.run(nemesis, seed, workers, seconds, Duration.ofSeconds(60),
                        HEAL_TIMEOUT);
                long end = System.nanoTime();
                assertThat(workloadFailure).as("workload thread failure (seed %d)", seed).isNull();
                assertThat(nemesis.failure()).as("nemesis failure (seed %d)", seed).isNull();
                assertThat(mount.mountProcessAlive()).as("mirror mount after healing (seed %d)", seed).isTrue();

                List<Operation> ops = history.snapshot();
                Verdict verdict = switch (mode) {
                    case ConsistencyMode.Linearizable l -> RegisterLinearizabilityChecker.withDefaultBudget().check(ops);
                    case ConsistencyMode.Bounded b -> new BoundedStalenessChecker(b.staleness().toNanos()).check(ops);
                    default -> new SessionGuaranteesChecker().check(ops);
                };
                List<Verdict> verdicts = List.of(verdict);
                RunReport.write(runDir, test, seed, origin, end, ops, timeline, verdicts);
                String text = RunReport.verdictText(test, seed, verdicts);
                System.out.println(text);
                long mirrorReads = ops.stream().filter(o -> o.type() == OpType.READ && o.outcome() == Outcome.OK
                        && o.process() >= MirrorMountReader.PROCESS_BASE).count();
                long writes = ops.stream().filter(o -> o.type() == OpType.WRITE && o.outcome() == Outcome.OK).count();
                long staleReads = staleMirrorReads(ops);
                Set<String> injected = new TreeSet<>();
                timeline.events().stream().filter(e -> e.phase().equals("inject")).forEach(e -> injected.add(e.fault()));
                System.out.println(test + ": " + writes + " primary writes, " + mirrorReads + " mirror-mount reads ("
                        + staleReads + " missed a completed write), faults " + injected);

                assertThat(writes).as("primary register writes (seed %d)", seed).isGreaterThan(20);
                assertThat(mirrorReads).as("answered mirror-mount reads (seed %d)", seed).isGreaterThan(20);
                assertThat(injected).as("faults injected (seed %d)", seed).contains("region-link", "pause-mount");
                assertThat(RunReport.overall(verdicts)).as("%s\nreport: %s", text, runDir.resolve("report.html"))
                        .isEqualTo(Validity.VALID);
            } finally {
                mount.unmount();
            }
        }
    }

    private static void format(RaftMetadataClient primary, RequestIds ids, String storeUri) throws Exception {
        MetaReply reply = Namespace.mutateRetrying(primary, MetaRequest.newBuilder().setRequestId(ids.next())
                .setFormat(FormatOp.newBuilder().setVolume(VOLUME).setStoreUri(storeUri).setBlockSizeBytes(64 << 10))
                .build(), SETUP_TIMEOUT);
        if (reply.getErrno() != 0) {
            throw new IllegalStateException("format failed: errno " + reply.getErrno());
        }
    }

    /** Both regions with their containers' addresses, in the shared folder the client container mounts. */
    private static Path writeTopology(TwoRegionCluster regions, String primaryStoreUri) throws Exception {
        Region primary = new Region(regions.primary().group().name(), Role.PRIMARY, primaryStoreUri,
                regions.primary().group().peers(), Optional.empty());
        // A mirror region must name its sync service; the mount never calls it (the port is the one the cli expects).
        Region mirror = new Region(regions.mirror().group().name(), Role.MIRROR, regions.mirrorStore().toUri().toString(),
                regions.mirror().group().peers(), Optional.of(new HostPort(regions.sync().ip(), SYNC_PORT)));
        Path file = regions.sharedDir().resolve("topology.yaml");
        Files.writeString(file, "# MirrorMountChaosTest: both regions' containers\n"
                + new Topology(VOLUME, List.of(primary, mirror)).toYaml());
        Topology.load(file); // as the mount will: fail here, with the file's error, if it does not parse
        return file;
    }

    /** Mirror reads that missed a write completed before they began: proof the mirror really lagged. */
    private static long staleMirrorReads(List<Operation> ops) {
        WriteOrder order = new WriteOrder(ops);
        return ops.stream().filter(o -> o.type() == OpType.READ && o.outcome() == Outcome.OK
                        && o.process() >= MirrorMountReader.PROCESS_BASE)
                .filter(o -> {
                    Integer pos = order.position(o.key(), o.value());
                    return pos != null && pos < order.lastCompletedBefore(o.key(), o.invokeNanos());
                })
                .count();
    }
}
