package io.mirrorfs.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.net.LoopbackPorts;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.meta.server.MetaServer;
import io.mirrorfs.meta.server.MetaServerConfig;
import io.mirrorfs.meta.server.MirrorSource;
import io.mirrorfs.store.local.LocalDirectoryStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A primary region and a mirror region, each a one-node Ratis group in this JVM with its own
 * local-directory store, the mirror following the primary's changelog. Closes everything it started.
 */
final class TwoRegions implements AutoCloseable {
    static final String VOLUME = "vol";
    static final String MIRROR = "mirror";
    /** Small blocks, so a few KiB make multi-block slices. */
    static final int BLOCK = 4096;
    static final Duration WAIT = Duration.ofSeconds(60);

    final Path dir;
    final MetaGroup primaryGroup;
    final MetaGroup mirrorGroup;
    final LocalDirectoryStore primaryStore;
    final LocalDirectoryStore mirrorStore;
    private MetaServer primary;
    private MetaServer mirror;
    private RaftMetadataClient primaryClient;
    private RaftMetadataClient mirrorClient;

    TwoRegions(Path dir) throws IOException {
        this.dir = dir;
        this.primaryGroup = MetaGroup.parse("primary", "p1=127.0.0.1:" + freePortPair());
        this.mirrorGroup = MetaGroup.parse(MIRROR, "m1=127.0.0.1:" + freePortPair());
        this.primaryStore = new LocalDirectoryStore(dir.resolve("primary-store"));
        this.mirrorStore = new LocalDirectoryStore(dir.resolve("mirror-store"));
    }

    /** Starts both groups; the primary is not formatted yet. */
    TwoRegions start() throws IOException {
        return startPrimary().startMirror();
    }

    /** Starts the primary group only (a mirror started later must bootstrap if the changelog was trimmed). */
    TwoRegions startPrimary() throws IOException {
        primary = MetaServer.start(new MetaServerConfig("p1", primaryGroup, dir.resolve("p1")));
        primaryClient = RaftMetadataClient.connect(primaryGroup, options());
        return this;
    }

    TwoRegions startMirror() throws IOException {
        mirror = MetaServer.start(new MetaServerConfig("m1", mirrorGroup, dir.resolve("m1"))
                .withMirrorOf(new MirrorSource(MIRROR, VOLUME, primaryGroup)));
        mirrorClient = RaftMetadataClient.connect(mirrorGroup, options());
        return this;
    }

    private static MetadataClientOptions options() {
        return MetadataClientOptions.defaults().withDeadline(Duration.ofSeconds(30));
    }

    RaftMetadataClient primaryClient() {
        return primaryClient;
    }

    void formatPrimary() throws Exception {
        MetaRequest format = MetaRequest.newBuilder().setRequestId(new RequestIds().next()).setCaller(MetaOps.ROOT)
                .setFormat(FormatOp.newBuilder().setVolume(VOLUME).setStoreUri(primaryStore.uri())
                        .setBlockSizeBytes(BLOCK)).build();
        MetaReply reply = primaryClient.mutate(format).get(30, TimeUnit.SECONDS);
        assertThat(Errno.of(reply.getErrno())).isEqualTo(Errno.OK);
    }

    PrimaryWriter writer() {
        return new PrimaryWriter(primaryClient, primaryStore, VOLUME, BLOCK);
    }

    RaftMetadataClient mirrorClient() {
        return mirrorClient;
    }

    MirrorState primaryState() throws Exception {
        return new MirrorMetadata(primaryClient, "primary", Duration.ofSeconds(30)).mirrorState();
    }

    MirrorState mirrorState() throws Exception {
        return new MirrorMetadata(mirrorClient, MIRROR, Duration.ofSeconds(30)).mirrorState();
    }

    /** The primary's newest changelog index. */
    long primaryLastIndex() throws Exception {
        return primaryState().getChangelogLastIndex();
    }

    /** Waits until the mirror's committed data watermark reaches {@code index}. */
    void awaitCommittedWatermark(long index, SyncDaemon daemon) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long committed = 0;
        while (System.nanoTime() < deadline) {
            committed = mirrorState().getDataWatermark();
            if (committed >= index) {
                return;
            }
            Thread.sleep(50); // polling the condition, not waiting for something to settle
        }
        throw new AssertionError("committed data watermark " + committed + " did not reach " + index + " within "
                + WAIT + "; sync status: " + daemon.status());
    }

    SyncDaemonConfig daemonConfig() {
        return SyncDaemonConfig.defaults(MIRROR, mirrorGroup)
                .withTimings(Duration.ofSeconds(10), Duration.ofMillis(500), Duration.ofSeconds(1),
                        Duration.ofMillis(100), Duration.ofMillis(50), Duration.ofSeconds(1))
                .withCopy(SyncDaemonConfig.Copy.defaults().withParallelism(4).withRetries(3, Duration.ofMillis(10),
                        Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(200)));
    }

    static int freePortPair() throws IOException {
        return LoopbackPorts.freePortPair();
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        for (AutoCloseable c : new AutoCloseable[] {primaryClient, mirrorClient, mirror, primary, primaryStore,
                mirrorStore}) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
