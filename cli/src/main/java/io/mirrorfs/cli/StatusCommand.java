package io.mirrorfs.cli;

import io.grpc.StatusRuntimeException;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.client.MetadataAdminClient;
import io.mirrorfs.api.proto.NodeStatusReply;
import io.mirrorfs.api.proto.PeerStatus;
import io.mirrorfs.api.metrics.MetricsHttpServer;
import io.mirrorfs.api.topology.HostPort;
import io.mirrorfs.api.topology.Topology;
import io.mirrorfs.api.topology.TopologyException;
import io.mirrorfs.cli.status.RegionMetrics;
import io.mirrorfs.cli.status.RegionProbe;
import io.mirrorfs.cli.status.RegionSnapshot;
import io.mirrorfs.cli.status.RegionTable;
import io.mirrorfs.cli.up.UpLayout;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Asks every node's admin service (Raft port + 1), and every mirror's sync service, for its status:
 * of one metadata group ({@code --meta}), or of every region of a deployment ({@code --topology}, or
 * {@code --data} for {@code mirrorfs up}'s folder, whose layout is {@code DATA/topology.yaml}).
 * Exit 1 when a group has no leader (or no region is primary).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the state of a metadata group or of every region of a deployment.")
final class StatusCommand implements Callable<Integer> {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(3);

    @Option(names = "--meta", description = "One group's peers: ID=HOST:PORT,...")
    String meta;

    @Option(names = "--group", defaultValue = MetaGroup.DEFAULT_NAME, description = "Group name for --meta (default ${DEFAULT-VALUE}).")
    String group;

    @Option(names = "--topology", description = "A deployment's topology file: every region's lag and sync state.")
    Path topology;

    @Mixin
    TlsOption tls = new TlsOption();

    @Option(names = "--data", description = "The data folder of `mirrorfs up` (reads DATA/topology.yaml).")
    Path data;

    @Option(names = "--prometheus", description = "With --topology/--data: print the figures as Prometheus metrics.")
    boolean prometheus;

    @Option(names = "--serve-metrics", paramLabel = "HOST:PORT",
            description = "With --topology/--data: serve the figures at http://HOST:PORT/metrics (probed on every scrape) until Ctrl-C.")
    String serveMetrics;

    @Override
    public Integer call() throws TopologyException, IOException, InterruptedException {
        int given = (meta != null ? 1 : 0) + (topology != null ? 1 : 0) + (data != null ? 1 : 0);
        if (given != 1) {
            System.err.println("mirrorfs status: give exactly one of --meta PEERS, --topology FILE, --data DIR");
            return 2;
        }
        if (meta == null) {
            return regions(tls.applied(Topology.load(topology != null ? topology : data.resolve(UpLayout.TOPOLOGY_FILE))));
        }
        tls.apply(java.util.Optional.empty());
        MetaGroup metaGroup = MetaGroup.parse(group, meta);
        Map<String, NodeStatusReply> replies = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        for (MetaPeer peer : metaGroup.peers()) {
            try (MetadataAdminClient admin = new MetadataAdminClient(peer, PEER_TIMEOUT)) {
                replies.put(peer.id(), admin.nodeStatus());
            } catch (StatusRuntimeException e) {
                errors.put(peer.id(), e.getStatus().getCode().name());
            }
        }
        return print(metaGroup, replies, errors, System.out);
    }

    private int regions(Topology deployment) throws IOException, InterruptedException {
        if (serveMetrics != null) {
            HostPort address = HostPort.parse(serveMetrics);
            RegionProbe probe = new RegionProbe(PEER_TIMEOUT);
            try (MetricsHttpServer server = MetricsHttpServer.start(new InetSocketAddress(address.host(), address.port()),
                    () -> RegionMetrics.render(deployment.volume(), probe.probe(deployment)))) {
                System.out.println("mirrorfs: serving region metrics at http://" + address + MetricsHttpServer.PATH + "; Ctrl-C to stop");
                new CountDownLatch(1).await();
            }
            return 0;
        }
        List<RegionSnapshot> regions = new RegionProbe(PEER_TIMEOUT).probe(deployment);
        if (prometheus) {
            System.out.print(RegionMetrics.render(deployment.volume(), regions));
            return 0;
        }
        return RegionTable.print(deployment.volume(), regions, System.out);
    }

    static int print(MetaGroup group, Map<String, NodeStatusReply> replies, Map<String, String> errors, PrintStream out) {
        NodeStatusReply leader = replies.values().stream().filter(r -> r.getRole().equals("LEADER")).findFirst().orElse(null);
        out.printf("group   %s (%s)%n", group.name(), group.raftGroupId().getUuid());
        out.printf("leader  %s%n", leader == null ? "NONE" : leader.getNodeId() + ", term " + leader.getTerm()
                + ", commit index " + leader.getCommitIndex());
        String volume = replies.values().stream().map(NodeStatusReply::getVolume).filter(v -> !v.isEmpty()).findFirst().orElse("(not formatted)");
        out.printf("volume  %s%n", volume);
        out.printf("%-10s %-22s %-12s %8s %12s %12s %12s %12s%n",
                "PEER", "RAFT ADDRESS", "ROLE", "TERM", "APPLIED", "COMMIT", "SNAPSHOT", "MATCH");
        for (MetaPeer peer : group.peers()) {
            NodeStatusReply r = replies.get(peer.id());
            if (r == null) {
                out.printf("%-10s %-22s %-12s (%s)%n", peer.id(), peer.raftAddress(), "UNREACHABLE", errors.get(peer.id()));
                continue;
            }
            String match = "-";
            if (leader != null) {
                for (PeerStatus f : leader.getFollowersList()) {
                    if (f.getId().equals(peer.id())) {
                        match = Long.toString(f.getMatchIndex());
                    }
                }
            }
            out.printf("%-10s %-22s %-12s %8d %12d %12d %12d %12s%n", peer.id(), peer.raftAddress(), r.getRole(),
                    r.getTerm(), r.getAppliedIndex(), r.getCommitIndex(), r.getSnapshotIndex(), match);
        }
        return leader == null ? 1 : 0;
    }
}
