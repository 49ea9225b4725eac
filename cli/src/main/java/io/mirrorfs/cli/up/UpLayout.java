package io.mirrorfs.cli.up;

import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.net.LoopbackPorts;
import io.mirrorfs.api.topology.HostPort;
import io.mirrorfs.api.topology.Region;
import io.mirrorfs.api.topology.Role;
import io.mirrorfs.api.topology.Topology;
import io.mirrorfs.api.topology.TopologyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * Where {@code mirrorfs up} keeps everything: {@code DATA/topology.yaml} describes its two regions on
 * loopback exactly as a real deployment's topology file would (so {@code status}, {@code drill} and
 * {@code failover} take {@code --data DIR} and read it), and each region has {@code DATA/REGION/}
 * with {@code meta/}, {@code blocks/} (its local-directory store) and {@code cache/}. Ports are chosen
 * free on the first start and then always reused, so a second start finds the same groups.
 */
public final class UpLayout {
    public static final String TOPOLOGY_FILE = "topology.yaml";
    public static final String VOLUME = "mirrorfs";
    public static final String PRIMARY = "primary";
    public static final String MIRROR = "mirror";

    private UpLayout() {}

    /** Loads DATA/topology.yaml, creating the folders and the file (with fresh ports) on the first start. */
    public static Topology loadOrCreate(Path data) throws IOException, TopologyException {
        Path dir = data.toAbsolutePath().normalize();
        Path file = dir.resolve(TOPOLOGY_FILE);
        if (Files.exists(file)) {
            return Topology.load(file);
        }
        if (Files.exists(dir.resolve(PRIMARY).resolve("region.properties"))) {
            throw new IOException(dir + " holds data of an older mirrorfs (one region, no topology.yaml); "
                    + "move it away or start with --data pointing to a new folder");
        }
        Topology fresh = new Topology(VOLUME, List.of(
                region(dir, PRIMARY, Role.PRIMARY, "n1", Optional.of(new HostPort("127.0.0.1", LoopbackPorts.freePort()))),
                region(dir, MIRROR, Role.MIRROR, "m1", Optional.of(new HostPort("127.0.0.1", LoopbackPorts.freePort())))));
        Files.createDirectories(dir);
        Path partial = dir.resolve(TOPOLOGY_FILE + ".partial");
        Files.writeString(partial, "# written by `mirrorfs up` on its first start; edit only while it is stopped\n"
                + fresh.toYaml());
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        return Topology.load(file);
    }

    public static Path regionDir(Path data, String region) {
        return data.toAbsolutePath().normalize().resolve(region);
    }

    private static Region region(Path dir, String name, Role role, String nodeId, Optional<HostPort> sync) throws IOException {
        Path blocks = regionDir(dir, name).resolve("blocks");
        Files.createDirectories(blocks);
        return new Region(name, role, blocks.toUri().toString(), List.of(new MetaPeer(nodeId, "127.0.0.1", LoopbackPorts.freePortPair())), sync);
    }
}
