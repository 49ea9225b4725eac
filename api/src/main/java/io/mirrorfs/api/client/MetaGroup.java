package io.mirrorfs.api.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * A metadata Raft group: a name and its voters. The Raft group id is derived from the name (a
 * name-based UUID), so every node and client computes the same id without any shared file, and two
 * groups with different names (a primary and a mirror region on one host) can never be confused.
 */
public record MetaGroup(String name, List<MetaPeer> peers) {

    public static final String DEFAULT_NAME = "mirrorfs";
    /** Voters in one group; Raft groups beyond a handful only add latency. */
    public static final int PEERS_MAX = 9;

    public MetaGroup {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("group name must not be empty");
        }
        peers = List.copyOf(peers);
        if (peers.isEmpty() || peers.size() > PEERS_MAX) {
            throw new IllegalArgumentException("a group needs 1.." + PEERS_MAX + " peers, got " + peers.size());
        }
        Set<String> ids = new HashSet<>();
        for (MetaPeer p : peers) {
            if (!ids.add(p.id())) {
                throw new IllegalArgumentException("duplicate peer id " + p.id());
            }
        }
    }

    /** Parses {@code ID=HOST:PORT,ID=HOST:PORT,...}. */
    public static MetaGroup parse(String name, String peerList) {
        if (peerList == null || peerList.isBlank()) {
            throw new IllegalArgumentException("peer list is empty; expected ID=HOST:PORT,...");
        }
        List<MetaPeer> peers = new ArrayList<>();
        for (String spec : peerList.split(",")) {
            if (!spec.isBlank()) {
                peers.add(MetaPeer.parse(spec));
            }
        }
        return new MetaGroup(name, peers);
    }

    public RaftGroupId raftGroupId() {
        byte[] seed = ("mirrorfs-metadata-group:" + name).getBytes(StandardCharsets.UTF_8);
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(seed));
    }

    public RaftGroup raftGroup() {
        return RaftGroup.valueOf(raftGroupId(), peers.stream()
                .map(p -> RaftPeer.newBuilder().setId(p.id()).setAddress(p.raftAddress()).build())
                .toList());
    }

    public MetaPeer peer(String id) {
        return peers.stream().filter(p -> p.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no peer " + id + " in " + this));
    }

    public static RaftPeerId raftPeerId(MetaPeer peer) {
        return RaftPeerId.valueOf(peer.id());
    }

    @Override
    public String toString() {
        return name + "[" + String.join(",", peers.stream().map(MetaPeer::toString).toList()) + "]";
    }
}
