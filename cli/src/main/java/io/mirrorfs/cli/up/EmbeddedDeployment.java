package io.mirrorfs.cli.up;

import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.topology.Region;
import io.mirrorfs.api.topology.Topology;
import io.mirrorfs.api.topology.TopologyException;
import io.mirrorfs.client.fuse.FuseMount;
import io.mirrorfs.client.fuse.MountedVolume;
import io.mirrorfs.client.mirror.ConsistencyMode;
import io.mirrorfs.client.mirror.MirrorMountConfig;
import io.mirrorfs.client.mirror.MirrorMounts;
import io.mirrorfs.client.vfs.VfsConfig;
import io.mirrorfs.meta.server.MetaServer;
import io.mirrorfs.meta.server.MetaServerConfig;
import io.mirrorfs.meta.server.MirrorSource;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStores;
import io.mirrorfs.sync.RegionStores;
import io.mirrorfs.sync.SyncDaemon;
import io.mirrorfs.sync.SyncDaemonConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code mirrorfs up} (DESIGN §7): the two regions of {@link UpLayout} in this process — each a
 * one-node Ratis group with fsync and a local-directory store — the mirror's block sync, and two FUSE
 * mounts: the primary at {@code MOUNT/primary}, the mirror at {@code MOUNT/mirror} with its reads
 * gated by the chosen consistency mode and its writes forwarded to the primary. Everything is a real
 * component talking over loopback as in a deployment, so {@code status}, {@code failover} and
 * {@code mount --topology DATA/topology.yaml} work against it unchanged.
 */
public final class EmbeddedDeployment implements AutoCloseable {
    /** A mount needs a region that knows the volume: how long a mirror's first catch-up (the format) may take. */
    private static final Duration MIRROR_FIRST_CATCH_UP = Duration.ofSeconds(60);
    /** Closed in reverse order of opening: mounts first, metadata nodes last. */
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final Topology topology;
    private Path primaryMount;
    private Path mirrorMount;

    private EmbeddedDeployment(Topology topology) {
        this.topology = topology;
    }

    public static EmbeddedDeployment start(Path data, Path mount, ConsistencyMode mirrorConsistency, long cacheBytes)
            throws IOException, TopologyException {
        Topology topology = UpLayout.loadOrCreate(data);
        EmbeddedDeployment up = new EmbeddedDeployment(topology);
        try {
            up.startAll(data, mount, mirrorConsistency, cacheBytes);
            return up;
        } catch (IOException | RuntimeException e) {
            up.closeQuietly(e);
            throw e;
        }
    }

    private void startAll(Path data, Path mount, ConsistencyMode mirrorConsistency, long cacheBytes) throws IOException,
            TopologyException {
        Region primary = topology.requireRegion(UpLayout.PRIMARY);
        Region mirror = topology.requireRegion(UpLayout.MIRROR);
        VfsConfig vfs = VfsConfig.defaults();

        opened.push(MetaServer.start(nodeConfig(data, primary).withChangelogMirrors(Set.of(mirror.name()))));
        opened.push(MetaServer.start(nodeConfig(data, mirror)
                .withMirrorOf(new MirrorSource(mirror.name(), topology.volume(), primary.group()))));

        ObjectStore primaryStore = open(primary.storeUri());
        ObjectStore mirrorStore = open(mirror.storeUri());
        RaftMetadataClient primaryClient = RaftMetadataClient.connect(primary.group());
        opened.push(primaryClient);
        VolumeFormat.formatIfNew(primaryClient, topology.volume(), primary.storeUri(), vfs);

        // Each region's sync service idles while its region is primary and copies from the current
        // primary's store otherwise, so the layout keeps working after a failover.
        RegionStores stores = new RegionStores(Map.of(primary.name(), primary.storeUri(), mirror.name(), mirror.storeUri()),
                primary.name());
        for (Region region : List.of(mirror, primary)) {
            Optional<InetSocketAddress> status = region.sync().map(s -> new InetSocketAddress(s.host(), s.port()));
            opened.push(SyncDaemon.start(SyncDaemonConfig.defaults(region.name(), region.group())
                    .withEndpoints(status, Optional.empty()).withRegionStores(stores),
                    region == primary ? primaryStore : mirrorStore, ObjectStores::open));
        }

        try (RaftMetadataClient mirrorClient = RaftMetadataClient.connect(mirror.group())) {
            VolumeFormat.awaitFormatted(mirrorClient, MIRROR_FIRST_CATCH_UP, vfs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the mirror region", e);
        }
        // Both mounts know both regions: reads stay in their own region, writes go to whichever is
        // primary now, so a switchover (`mirrorfs failover switchover --data DIR`) needs no remount.
        List<MirrorMounts.RegionEndpoint> candidates = List.of(
                new MirrorMounts.RegionEndpoint(primary.name(), primary.group(), primaryStore),
                new MirrorMounts.RegionEndpoint(mirror.name(), mirror.group(), mirrorStore));
        primaryMount = mountRegion(candidates.get(0), candidates, ConsistencyMode.SESSION, data, mount, cacheBytes, vfs);
        mirrorMount = mountRegion(candidates.get(1), candidates, mirrorConsistency, data, mount, cacheBytes, vfs);
    }

    private Path mountRegion(MirrorMounts.RegionEndpoint self, List<MirrorMounts.RegionEndpoint> candidates,
                             ConsistencyMode consistency, Path data, Path mount, long cacheBytes, VfsConfig vfs)
            throws IOException {
        boolean linearizable = consistency instanceof ConsistencyMode.Linearizable;
        MirrorMounts.Parts parts = MirrorMounts.open(self, candidates,
                MirrorMountConfig.defaults().withConsistency(consistency), MetadataClientOptions.defaults());
        opened.push(parts.client());
        FuseMount.Options fuse = FuseMount.Options.defaults(topology.volume());
        if (linearizable) {
            fuse = fuse.withTimeouts(0, 0);
        }
        MountedVolume mounted = MountedVolume.mount(parts.client(), parts.uploadStore(), parts.blocks(),
                UpLayout.regionDir(data, self.name()).resolve("cache"), cacheBytes,
                linearizable ? vfs.withTtlMillis(0, 0) : vfs, mount.resolve(self.name()), fuse);
        opened.push(mounted);
        return mounted.mountPoint();
    }

    private static MetaServerConfig nodeConfig(Path data, Region region) {
        return new MetaServerConfig(region.meta().get(0).id(), region.group(),
                UpLayout.regionDir(data, region.name()).resolve("meta"));
    }

    private ObjectStore open(String uri) throws IOException {
        ObjectStore store = ObjectStores.open(uri);
        // Stores close after everything that uses them: pushed now, they sit below later pushes.
        opened.push(store);
        return store;
    }

    public Topology topology() {
        return topology;
    }

    public Path primaryMount() {
        return primaryMount;
    }

    public Path mirrorMount() {
        return mirrorMount;
    }

    /** Unmounts both mounts, then stops sync, clients, stores and the metadata nodes, in that order. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof IOException io ? io : new IOException(e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void closeQuietly(Exception cause) {
        try {
            close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    /** What `up` prints once everything is mounted. */
    public String describe(Path data) {
        return "mirrorfs: primary region mounted at " + primaryMount + ", mirror region at " + mirrorMount
                + " (data in " + data.toAbsolutePath().normalize() + "); `./mirrorfs status --data " + data
                + "` shows lag; Ctrl-C to stop";
    }
}
