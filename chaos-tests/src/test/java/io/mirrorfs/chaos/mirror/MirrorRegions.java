package io.mirrorfs.chaos.mirror;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.net.LoopbackPorts;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.MirrorStateQuery;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.chaos.harness.Await;
import io.mirrorfs.api.net.DelayProxy;
import io.mirrorfs.client.fuse.FuseMount;
import io.mirrorfs.client.fuse.MountedVolume;
import io.mirrorfs.client.mirror.MirrorMountConfig;
import io.mirrorfs.client.mirror.MirrorMounts;
import io.mirrorfs.client.vfs.VfsConfig;
import io.mirrorfs.meta.server.MetaServer;
import io.mirrorfs.meta.server.MetaServerConfig;
import io.mirrorfs.meta.server.MirrorSource;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStores;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A primary region and a mirror region in this JVM: one real Ratis MetaServer each, local-directory
 * object stores, and the mirror's changelog link through a {@link DelayProxy}. The mirror follows
 * the primary's admin port (Raft port + 1), so its MirrorSource names the primary's group with a
 * fake Raft port P where P + 1 is the proxy. No sync service runs: the mirror's store stays empty
 * unless a mount keeps fetched blocks, so every block a mirror mount reads comes from the primary's
 * store. Mounts are real FUSE mounts with attribute and entry TTL 0 (client and kernel).
 * Closing unmounts every mount and stops everything, in reverse order, even after failures.
 */
final class MirrorRegions implements AutoCloseable {
    static final String VOLUME = "mvol";
    static final String MIRROR = "eu";
    static final String PRIMARY = "us";
    static final int BLOCK_SIZE_BYTES = 256 << 10;
    private static final Duration WAIT = Duration.ofSeconds(60);

    final Path dir;
    final MetaGroup primaryGroup;
    final MetaGroup mirrorGroup;
    final ObjectStore primaryStore;
    final ObjectStore mirrorStore;
    final RaftMetadataClient primaryClient;
    final RaftMetadataClient mirrorClient;
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    private MirrorRegions(Path dir, Duration linkDelay) throws Exception {
        this.dir = dir;
        try {
            long unique = System.nanoTime();
            primaryGroup = MetaGroup.parse(PRIMARY + "-" + unique, "p1=127.0.0.1:" + freePortPair());
            primaryStore = closing(ObjectStores.open(dir.resolve("store-primary").toUri().toString()));
            mirrorStore = closing(ObjectStores.open(dir.resolve("store-mirror").toUri().toString()));
            closing(MetaServer.start(new MetaServerConfig("p1", primaryGroup, dir.resolve("p1"))
                    .withChangelogMirrors(Set.of(MIRROR))));
            primaryClient = closing(RaftMetadataClient.connect(primaryGroup));
            MetaReply format = primaryClient.mutate(MetaRequest.newBuilder()
                    .setRequestId(RequestId.newBuilder().setClientId(777).setSeq(1))
                    .setFormat(FormatOp.newBuilder().setVolume(VOLUME).setStoreUri(primaryStore.uri())
                            .setBlockSizeBytes(BLOCK_SIZE_BYTES)).build()).get(30, TimeUnit.SECONDS);
            if (format.getErrno() != 0) {
                throw new IOException("format failed: errno " + format.getErrno());
            }
            DelayProxy proxy = closing(DelayProxy.start(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), primaryGroup.peers().get(0).adminPort()),
                    linkDelay));
            MetaGroup primaryBehindProxy = MetaGroup.parse(primaryGroup.name(), "p1=127.0.0.1:" + (proxy.port() - 1));
            mirrorGroup = MetaGroup.parse(MIRROR + "-" + unique, "m1=127.0.0.1:" + freePortPair());
            closing(MetaServer.start(new MetaServerConfig("m1", mirrorGroup, dir.resolve("m1"))
                    .withMirrorOf(new MirrorSource(MIRROR, VOLUME, primaryBehindProxy))));
            mirrorClient = closing(RaftMetadataClient.connect(mirrorGroup, MetadataClientOptions.defaults().withRaftClients(1)));
            awaitMirrorCaughtUp();
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    static MirrorRegions start(Path dir, Duration linkDelay) throws Exception {
        return new MirrorRegions(dir, linkDelay);
    }

    private <T extends AutoCloseable> T closing(T resource) {
        toClose.push(resource);
        return resource;
    }

    /** Waits until the mirror has applied everything the primary has now. */
    void awaitMirrorCaughtUp() throws Exception {
        long target = state(primaryClient).getChangelogLastIndex();
        Await.until("the mirror to apply primary index " + target, WAIT,
                () -> "MIRROR".equals(state(mirrorClient).getRole()) && state(mirrorClient).getPrimaryIndex() >= target);
    }

    static MirrorState state(RaftMetadataClient client) throws Exception {
        return client.query(MetaQuery.newBuilder().setMirrorState(MirrorStateQuery.getDefaultInstance()).build())
                .get(30, TimeUnit.SECONDS).getMirrorState();
    }

    private static VfsConfig vfsConfig() {
        return VfsConfig.defaults().withTtlMillis(0, 0);
    }

    private static FuseMount.Options fuseOptions() {
        return FuseMount.Options.defaults(VOLUME).withTimeouts(0, 0);
    }

    /** A FUSE mount of the primary region, as today. */
    MountedVolume mountPrimary(String name) throws IOException {
        return closing(MountedVolume.mount(primaryClient, primaryStore, null, 0, vfsConfig(), dir.resolve(name),
                fuseOptions()));
    }

    /** A FUSE mount of the mirror region: reads from the mirror, writes forwarded to the primary. */
    MirrorMount mountMirror(String name, MirrorMountConfig config) throws IOException {
        MirrorMounts.Parts parts = MirrorMounts.open(
                new MirrorMounts.RegionEndpoint(MIRROR, mirrorGroup, mirrorStore),
                java.util.List.of(new MirrorMounts.RegionEndpoint(PRIMARY, primaryGroup, primaryStore)),
                config, MetadataClientOptions.defaults());
        closing(parts.client());
        MountedVolume mounted = closing(MountedVolume.mount(parts.client(), parts.uploadStore(), parts.blocks(), null, 0,
                vfsConfig(), dir.resolve(name), fuseOptions()));
        return new MirrorMount(mounted, parts);
    }

    /** A mirror mount and the parts a test inspects. */
    record MirrorMount(MountedVolume volume, MirrorMounts.Parts parts) {
        Path path(String name) {
            return volume.mountPoint().resolve(name);
        }
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!toClose.isEmpty()) {
            try {
                toClose.pop().close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** A port P such that P and P + 1 (the admin port) are both free right now. */
    private static int freePortPair() throws IOException {
        return LoopbackPorts.freePortPair();
    }
}
