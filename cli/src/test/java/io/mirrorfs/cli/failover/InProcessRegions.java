package io.mirrorfs.cli.failover;

import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.net.LoopbackPorts;
import io.mirrorfs.api.topology.HostPort;
import io.mirrorfs.api.topology.Region;
import io.mirrorfs.api.topology.Role;
import io.mirrorfs.api.topology.Topology;
import io.mirrorfs.meta.server.MetaServer;
import io.mirrorfs.meta.server.MetaServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Two one-node regions ("primary", "mirror") as real Ratis servers in this JVM, for tests that need
 * groups to answer but no replication between them. Closes every server it started.
 */
final class InProcessRegions implements AutoCloseable {
    final Topology topology;
    private final List<MetaServer> servers = new ArrayList<>();

    InProcessRegions(Path dir) throws IOException {
        Region primary = region(dir, "primary", Role.PRIMARY, "p1", Optional.empty());
        Region mirror = region(dir, "mirror", Role.MIRROR, "m1", Optional.of(new HostPort("127.0.0.1", LoopbackPorts.freePortPair())));
        this.topology = new Topology("refusals", List.of(primary, mirror));
        try {
            for (Region r : topology.regions()) {
                MetaPeer peer = r.meta().getFirst();
                servers.add(MetaServer.start(new MetaServerConfig(peer.id(), r.group(), dir.resolve(r.name()).resolve("meta"))));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static Region region(Path dir, String name, Role role, String id, Optional<HostPort> sync) throws IOException {
        Path blocks = dir.resolve(name).resolve("blocks");
        Files.createDirectories(blocks);
        return new Region(name, role, blocks.toUri().toString(), List.of(new MetaPeer(id, "127.0.0.1", LoopbackPorts.freePortPair())), sync);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (MetaServer s : servers) {
            try {
                s.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
