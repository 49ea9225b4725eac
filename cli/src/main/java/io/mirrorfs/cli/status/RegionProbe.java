package io.mirrorfs.cli.status;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.client.MetadataAdminClient;
import io.mirrorfs.api.net.ChannelSecurity;
import io.mirrorfs.api.proto.NodeStatusReply;
import io.mirrorfs.api.proto.SyncAdminGrpc;
import io.mirrorfs.api.proto.SyncStatusReply;
import io.mirrorfs.api.proto.SyncStatusRequest;
import io.mirrorfs.api.topology.HostPort;
import io.mirrorfs.api.topology.Region;
import io.mirrorfs.api.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Asks every node of every region (admin port) and every sync service for its status, with a timeout each. */
public final class RegionProbe {
    private final Duration timeout;
    private final ChannelSecurity security;

    /** Secured as this process's default (the command's --tls-dir or the topology's tls: section). */
    public RegionProbe(Duration timeout) {
        this(timeout, ChannelSecurity.processDefault());
    }

    public RegionProbe(Duration timeout, ChannelSecurity security) {
        this.timeout = timeout;
        this.security = security;
    }

    public List<RegionSnapshot> probe(Topology topology) {
        List<RegionSnapshot> regions = new ArrayList<>();
        for (Region region : topology.regions()) {
            regions.add(probe(region));
        }
        return regions;
    }

    public RegionSnapshot probe(Region region) {
        Map<String, NodeStatusReply> nodes = new LinkedHashMap<>();
        Map<String, String> unreachable = new LinkedHashMap<>();
        for (MetaPeer peer : region.meta()) {
            try (MetadataAdminClient admin = new MetadataAdminClient(peer, timeout, security)) {
                nodes.put(peer.id(), admin.nodeStatus());
            } catch (StatusRuntimeException e) {
                unreachable.put(peer.id(), e.getStatus().getCode().name());
            }
        }
        Optional<SyncStatusReply> sync = Optional.empty();
        String syncError = "";
        if (region.sync().isPresent()) {
            try {
                sync = Optional.of(syncStatus(region.sync().get()));
            } catch (StatusRuntimeException e) {
                syncError = e.getStatus().getCode().name();
            }
        }
        return new RegionSnapshot(region, nodes, unreachable, sync, syncError);
    }

    private SyncStatusReply syncStatus(HostPort address) {
        ManagedChannel channel = security.channelBuilder(address.host(), address.port()).build();
        try {
            return SyncAdminGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .syncStatus(SyncStatusRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow();
        }
    }
}
