package io.mirrorfs.cli;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.api.topology.Region;
import io.mirrorfs.api.topology.Topology;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "format", mixinStandardHelpOptions = true,
        description = {"Create a volume on a metadata group: --meta PEERS [--group NAME] --volume VOL --store URI,",
            "or the primary region of a deployment: --topology FILE (volume, group and store from the file)."})
final class FormatCommand implements Callable<Integer> {
    private static final long CALL_SECONDS = 60;

    @Option(names = "--meta", description = "The group's peers: ID=HOST:PORT,...")
    String meta;

    @Option(names = "--topology", description = "A deployment's topology file: formats its primary region.")
    Path topology;

    @Mixin
    TlsOption tls = new TlsOption();

    @Option(names = "--group", defaultValue = MetaGroup.DEFAULT_NAME, description = "Group name (default ${DEFAULT-VALUE}).")
    String group;

    @Option(names = "--volume", description = "Volume name.")
    String volume;

    @Option(names = "--store", defaultValue = "", description = "Object store URI of the primary region's blocks.")
    String store;

    @Option(names = "--capacity", defaultValue = "0", description = "Capacity in bytes reported by statfs (0 = unlimited).")
    long capacityBytes;

    @Override
    public Integer call() throws Exception {
        if ((meta == null) == (topology == null)) {
            System.err.println("mirrorfs format: give --meta PEERS --volume VOL, or --topology FILE");
            return 2;
        }
        if (topology != null) {
            if (volume != null || !store.isEmpty()) {
                System.err.println("mirrorfs format: with --topology the volume and store come from the file; drop --volume/--store");
                return 2;
            }
            Topology deployment = tls.applied(Topology.load(topology));
            Region primary = deployment.primary();
            meta = String.join(",", primary.meta().stream().map(MetaPeer::toString).toList());
            group = primary.name();
            volume = deployment.volume();
            store = primary.storeUri();
        }
        if (topology == null) {
            tls.apply(java.util.Optional.empty());
        }
        if (volume == null || volume.isEmpty() || volume.contains("/")) {
            System.err.println("mirrorfs format: volume name must be non-empty and contain no '/'");
            return 2;
        }
        try (RaftMetadataClient client = RaftMetadataClient.connect(MetaGroup.parse(group, meta))) {
            MetaReply reply = client.mutate(MetaOps.format(new RequestIds().next(), volume, store, capacityBytes))
                    .get(CALL_SECONDS, TimeUnit.SECONDS);
            if (reply.getErrno() == Errno.EEXIST.code()) {
                VolumeInfo existing = client.query(MetaOps.volume()).get(CALL_SECONDS, TimeUnit.SECONDS).getVolume();
                System.err.println("mirrorfs format: group '" + group + "' is already formatted with volume '"
                        + existing.getVolume() + "' (store " + existing.getStoreUri() + "); nothing changed");
                return 1;
            }
            if (reply.getErrno() != 0) {
                System.err.println("mirrorfs format: refused: " + Errno.of(reply.getErrno()));
                return 1;
            }
            System.out.println("formatted volume '" + volume + "' on group '" + group + "' at log index " + reply.getIndex());
            return 0;
        }
    }
}
