package io.mirrorfs.sync;

import io.grpc.ManagedChannel;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.net.ChannelSecurity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per node of the mirror region, to its admin port (Raft port + 1) where
 * ChangelogService runs. Channels reconnect by themselves, so they are made once and shared by the
 * changelog feed and the acker. Secured as the daemon is configured (mutual TLS or plaintext).
 */
final class RegionChannels implements AutoCloseable {
    private final Map<MetaPeer, ManagedChannel> channels = new LinkedHashMap<>();

    RegionChannels(MetaGroup group, ChannelSecurity security) {
        for (MetaPeer peer : group.peers()) {
            channels.put(peer, security.channelBuilder(peer.host(), peer.adminPort())
                    .maxInboundMessageSize(64 << 20).build());
        }
    }

    List<MetaPeer> peers() {
        return List.copyOf(channels.keySet());
    }

    ManagedChannel channel(MetaPeer peer) {
        ManagedChannel channel = channels.get(peer);
        if (channel == null) {
            throw new IllegalArgumentException("no channel to " + peer);
        }
        return channel;
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel channel : channels.values()) {
            try {
                // Bounded: a channel that does not terminate in time is left to the JVM.
                channel.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
