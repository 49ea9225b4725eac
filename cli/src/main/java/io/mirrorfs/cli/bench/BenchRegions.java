package io.mirrorfs.cli.bench;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.net.DelayProxy;
import io.mirrorfs.api.net.LoopbackPorts;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.MirrorStateQuery;
import io.mirrorfs.meta.server.MetaServer;
import io.mirrorfs.meta.server.MetaServerConfig;
import io.mirrorfs.meta.server.MirrorSource;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStores;
import io.mirrorfs.store.local.LocalDirectoryStore;
import io.mirrorfs.sync.SyncDaemon;
import io.mirrorfs.sync.SyncDaemonConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The two regions {@code bench mirror} measures, in this JVM as in {@code mirrorfs up}: a primary and
 * a mirror region, each a one-node Ratis group (fsync on) with a local-directory store, and the
 * mirror's sync service. Everything that crosses regions crosses the injected delay: the mirror's
 * changelog stream goes through a {@link DelayProxy} (the mirror follows the primary's admin port,
 * Raft port + 1, so its MirrorSource names a fake Raft port P with P + 1 = the proxy), and the sync
 * service reads the primary's store through a {@link DelayedStore}. Closing stops everything in
 * reverse order, even after a failed start.
 */
final class BenchRegions implements AutoCloseable {
    static final String VOLUME = "benchvol";
    static final String PRIMARY = "primary";
    static final String MIRROR = "mirror";
    private static final Duration START_WAIT = Duration.ofSeconds(60);
    private static final long CALL_TIMEOUT_SECONDS = 30;
    private static final long POLL_MILLIS = 20;

    final MetaGroup primaryGroup;
    final MetaGroup mirrorGroup;
    final ObjectStore primaryStore;
    final ObjectStore mirrorStore;
    final RaftMetadataClient primaryClient;
    final RaftMetadataClient mirrorClient;
    private volatile DelayedStore syncSource;
    private final SyncDaemon sync;
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    private BenchRegions(Path dir, MirrorBenchConfig config) throws Exception {
        try {
            long unique = System.nanoTime();
            primaryGroup = MetaGroup.parse(PRIMARY + "-" + unique, "p1=127.0.0.1:" + LoopbackPorts.freePortPair());
            mirrorGroup = MetaGroup.parse(MIRROR + "-" + unique, "m1=127.0.0.1:" + LoopbackPorts.freePortPair());
            primaryStore = closing(new LocalDirectoryStore(dir.resolve("store-primary")));
            mirrorStore = closing(new LocalDirectoryStore(dir.resolve("store-mirror")));
            closing(MetaServer.start(new MetaServerConfig("p1", primaryGroup, dir.resolve("meta-primary"))
                    .withChangelogMirrors(Set.of(MIRROR))));
            primaryClient = closing(RaftMetadataClient.connect(primaryGroup));
            format(config.blockSizeBytes());

            DelayProxy link = closing(DelayProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    primaryGroup.peers().get(0).adminPort()), config.oneWayDelay()));
            MetaGroup primaryAcrossLink = MetaGroup.parse(primaryGroup.name(), "p1=127.0.0.1:" + (link.port() - 1));
            closing(MetaServer.start(new MetaServerConfig("m1", mirrorGroup, dir.resolve("meta-mirror"))
                    .withMirrorOf(new MirrorSource(MIRROR, VOLUME, primaryAcrossLink))));
            mirrorClient = closing(RaftMetadataClient.connect(mirrorGroup,
                    MetadataClientOptions.defaults().withRaftClients(1)));
            awaitMirrorFormatted();

            SyncDaemonConfig syncConfig = SyncDaemonConfig.defaults(MIRROR, mirrorGroup)
                    .withCopy(SyncDaemonConfig.Copy.defaults().withBandwidth(config.bandwidthBytesPerSecond()));
            // The volume records the primary's store URI; the sync opens it across the delayed link.
            sync = closing(SyncDaemon.start(syncConfig, mirrorStore, uri -> {
                DelayedStore source = new DelayedStore(ObjectStores.open(uri),
                        config.oneWayDelay());
                syncSource = source;
                return source;
            }));
            awaitSyncRunning();
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    static BenchRegions start(Path dir, MirrorBenchConfig config) throws Exception {
        return new BenchRegions(dir, config);
    }

    private <T extends AutoCloseable> T closing(T resource) {
        toClose.push(resource);
        return resource;
    }

    private void format(int blockSizeBytes) throws Exception {
        MetaReply reply = primaryClient.mutate(MetaRequest.newBuilder().setRequestId(new RequestIds().next())
                .setCaller(MetaOps.ROOT)
                .setFormat(FormatOp.newBuilder().setVolume(VOLUME).setStoreUri(primaryStore.uri())
                        .setBlockSizeBytes(blockSizeBytes)).build()).get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (reply.getErrno() != 0) {
            throw new IOException("formatting the bench volume failed: errno " + reply.getErrno());
        }
    }

    private void awaitMirrorFormatted() throws Exception {
        long target = state(primaryClient).getChangelogLastIndex();
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        MirrorState mirror = state(mirrorClient);
        while (!("MIRROR".equals(mirror.getRole()) && mirror.getPrimaryIndex() >= target)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("the mirror region applied primary index " + mirror.getPrimaryIndex() + " of "
                        + target + " (role '" + mirror.getRole() + "') within " + START_WAIT.toSeconds() + " s");
            }
            Thread.sleep(POLL_MILLIS); // polling a condition with a deadline
            mirror = state(mirrorClient);
        }
    }

    private void awaitSyncRunning() throws Exception {
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (sync.phase() != SyncDaemon.Phase.SYNCING) {
            if (sync.phase() == SyncDaemon.Phase.FAILED || System.nanoTime() - deadline > 0) {
                throw new IOException("the mirror's sync service did not start: " + sync.status().getLastError());
            }
            Thread.sleep(POLL_MILLIS); // polling a condition with a deadline
        }
    }

    static MirrorState state(RaftMetadataClient client)
            throws InterruptedException, ExecutionException, TimeoutException, IOException {
        MetaReply reply = client.query(MetaQuery.newBuilder().setMirrorState(MirrorStateQuery.getDefaultInstance())
                .build()).get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (reply.getErrno() != 0 || !reply.hasMirrorState()) {
            throw new IOException("MirrorStateQuery failed: errno " + reply.getErrno());
        }
        return reply.getMirrorState();
    }

    /** Requests the sync service sent across the link to the primary's store (0 before it started). */
    long syncSourceRequests() {
        DelayedStore s = syncSource;
        return s == null ? 0 : s.requests();
    }

    SyncDaemon sync() {
        return sync;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!toClose.isEmpty()) {
            try {
                toClose.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
