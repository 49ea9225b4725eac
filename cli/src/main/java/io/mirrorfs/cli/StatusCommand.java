package io.mirrorfs.cli;

import io.grpc.StatusRuntimeException;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.client.MetadataAdminClient;
import io.mirrorfs.api.proto.NodeStatusReply;
import io.mirrorfs.api.proto.PeerStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Asks every peer's admin service (Raft port + 1) for its status. Exit 1 when no leader is known. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the state of a metadata group.")
final class StatusCommand implements Callable<Integer> {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(3);

    @Option(names = "--meta", required = true, description = "The group's peers: ID=HOST:PORT,...")
    String meta;

    @Option(names = "--group", defaultValue = MetaGroup.DEFAULT_NAME, description = "Group name (default ${DEFAULT-VALUE}).")
    String group;

    @Override
    public Integer call() {
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
