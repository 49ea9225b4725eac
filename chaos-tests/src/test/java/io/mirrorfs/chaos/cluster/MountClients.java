package io.mirrorfs.chaos.cluster;

import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.chaos.harness.ClientContainer;
import io.mirrorfs.chaos.harness.ContainerCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Starting a client container with a primary mount of a {@link ContainerCluster}, as the mount tests do. */
final class MountClients {
    static final int CLIENT_OCTET = 50;

    private MountClients() {}

    /**
     * {@code mirrorfs mount --meta PEERS --group G --store file://RUN/store} with attribute and entry
     * caches off, so every syscall reaches the metadata group (reads stay linearizable checks).
     */
    static ClientContainer startPrimaryMount(ContainerCluster cluster, String agentClass) throws Exception {
        Path store = cluster.runDir().resolve("client-store");
        Files.createDirectories(store);
        String peers = String.join(",", cluster.group().peers().stream().map(MetaPeer::toString).toList());
        List<String> mountArgs = List.of("--meta", peers, "--group", cluster.group().name(), "--store", "file://" + store,
                "--attr-ttl-ms", "0", "--entry-ttl-ms", "0");
        return ClientContainer.start(cluster, "c1", CLIENT_OCTET, agentClass, mountArgs, List.of(store));
    }
}
