package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.ClientContainer;
import io.mirrorfs.chaos.harness.ContainerCluster;
import java.util.List;

/**
 * The faults of a client container, to add to a {@link Nemesis} deck besides the group's own: kill -9
 * and SIGSTOP of the mount process, and the client cut off from the leader (or from every node).
 */
public final class MountFaults {
    private MountFaults() {}

    public static List<Fault> all(ClientContainer client, ContainerCluster cluster) {
        return List.of(new MountKillFault(client), new MountPauseFault(client), new ClientPartitionFault(client, cluster));
    }
}
