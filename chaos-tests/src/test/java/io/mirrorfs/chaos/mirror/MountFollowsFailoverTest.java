package io.mirrorfs.chaos.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.net.LoopbackPorts;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.topology.Region;
import io.mirrorfs.api.topology.Role;
import io.mirrorfs.api.topology.Topology;
import io.mirrorfs.chaos.harness.Await;
import io.mirrorfs.cli.failover.Deployment;
import io.mirrorfs.cli.failover.RegionHandle;
import io.mirrorfs.cli.failover.Switchover;
import io.mirrorfs.cli.failover.Timeline;
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
import io.mirrorfs.sync.RegionStores;
import io.mirrorfs.sync.SyncDaemon;
import io.mirrorfs.sync.SyncDaemonConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #6, "mounts follow": two FUSE mounts, one reading from region A and one from region B, each
 * built with both regions as primary candidates. Proves: across a planned switchover A → B, readers
 * on both mounts keep reading intact bytes (no failed read); afterwards writes through both mounts
 * succeed without a remount and land on B (B's own metadata and store hold them); earlier files stay
 * intact; and after switching back B → A, writes through both mounts work again and land on A.
 *
 * <p>Parts: two in-process one-node Ratis groups (A primary, B its mirror), local-directory stores, a
 * sync service per region (the switchover's data catch-up needs one on the target, the switchback on
 * A), the cli's {@link Switchover} over a {@link Deployment} of the two regions, real FUSE mounts with
 * TTL 0. Deterministic data (seeded).
 */
class MountFollowsFailoverTest {
    private static final String VOLUME = "ffvol";
    private static final String A = "a";
    private static final String B = "b";
    private static final int BLOCK = 64 << 10;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private Topology topology;
    private Region regionA;
    private Region regionB;
    private ObjectStore storeA;
    private ObjectStore storeB;
    private RaftMetadataClient clientA;
    private RaftMetadataClient clientB;

    @BeforeEach
    void start() throws Exception {
        Region a = regionA = region(A, Role.PRIMARY, "a1");
        Region b = regionB = region(B, Role.MIRROR, "b1");
        topology = new Topology(VOLUME, List.of(a, b));
        storeA = closing(ObjectStores.open(a.storeUri()));
        storeB = closing(ObjectStores.open(b.storeUri()));
        closing(MetaServer.start(new MetaServerConfig("a1", a.group(), dir.resolve("meta-a"))
                .withChangelogMirrors(Set.of(B))));
        closing(MetaServer.start(new MetaServerConfig("b1", b.group(), dir.resolve("meta-b"))
                .withMirrorOf(new MirrorSource(B, VOLUME, a.group()))));
        clientA = closing(RaftMetadataClient.connect(a.group()));
        clientB = closing(RaftMetadataClient.connect(b.group()));
        MetaReply format = clientA.mutate(MetaRequest.newBuilder()
                .setRequestId(RequestId.newBuilder().setClientId(606).setSeq(1))
                .setFormat(FormatOp.newBuilder().setVolume(VOLUME).setStoreUri(a.storeUri()).setBlockSizeBytes(BLOCK))
                .build()).get(30, TimeUnit.SECONDS);
        assertThat(format.getErrno()).as("format errno").isZero();
        // Both regions get a sync service: each copies from whichever region it follows at the time.
        RegionStores stores = new RegionStores(Map.of(A, a.storeUri(), B, b.storeUri()), A);
        closing(SyncDaemon.start(syncConfig(a, stores), storeA, ObjectStores::open));
        closing(SyncDaemon.start(syncConfig(b, stores), storeB, ObjectStores::open));
        long formatted = MirrorRegions.state(clientA).getChangelogLastIndex();
        Await.until("B to apply A's format", WAIT, () -> MirrorRegions.state(clientB).getPrimaryIndex() >= formatted);
    }

    @AfterEach
    void stop() throws Exception {
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

    @Test
    void mountsKeepReadingThroughASwitchoverAndWritesFollowTheNewPrimaryWithoutRemount() throws Exception {
        Path onA = mount(A, "mnt-a");
        Path onB = mount(B, "mnt-b");

        // 1. Writes through both mounts (B's are forwarded to A), read back on both.
        byte[] fromA = data(1, 2 * BLOCK + 17);
        byte[] fromB = data(2, 3 * BLOCK + 5);
        Files.write(onA.resolve("from-a.bin"), fromA);
        Files.write(onB.resolve("from-b.bin"), fromB);
        for (Path mount : List.of(onA, onB)) {
            assertThat(Files.readAllBytes(mount.resolve("from-a.bin"))).as("from-a on " + mount).isEqualTo(fromA);
            assertThat(Files.readAllBytes(mount.resolve("from-b.bin"))).as("from-b on " + mount).isEqualTo(fromB);
        }

        // 2. Switchover A -> B while a reader on each mount keeps reading.
        Switchover.Result there;
        List<String> failedReads;
        try (Reader readerA = Reader.start("reader-a", onA.resolve("from-a.bin"), fromA);
             Reader readerB = Reader.start("reader-b", onB.resolve("from-b.bin"), fromB)) {
            readerA.awaitReads(3);
            readerB.awaitReads(3);
            long readsBeforeA = readerA.reads();
            long readsBeforeB = readerB.reads();
            there = switchover(B);
            long duringA = readerA.reads() - readsBeforeA;
            long duringB = readerB.reads() - readsBeforeB;
            // Readers keep going across the moments after the promotion too.
            readerA.awaitReads(readerA.reads() + 3);
            readerB.awaitReads(readerB.reads() + 3);
            failedReads = List.of(readerA.failures(), readerB.failures()).stream().flatMap(List::stream).toList();
            System.out.printf("switchover A->B: RTO %d ms; reads on A: %d (%d during the switchover, slowest %d ms),"
                            + " on B: %d (%d during, slowest %d ms)%n", there.rtoMillis(), readerA.reads(), duringA,
                    readerA.slowestMillis(), readerB.reads(), duringB, readerB.slowestMillis());
        }
        assertThat(there.from()).isEqualTo(A);
        assertThat(failedReads).as("failed reads during the switchover").isEmpty();
        assertThat(MirrorRegions.state(clientB).getRole()).isEqualTo(RegionHandle.ROLE_PRIMARY);

        // 3. Writes through both mounts, same mounts, land on B: its metadata and its store hold them.
        assertWritesLandOn(B, clientB, storeB, onA, onB, "after-switchover", 10);
        for (Path mount : List.of(onA, onB)) {
            assertThat(Files.readAllBytes(mount.resolve("from-a.bin"))).as("from-a on " + mount).isEqualTo(fromA);
            assertThat(Files.readAllBytes(mount.resolve("from-b.bin"))).as("from-b on " + mount).isEqualTo(fromB);
        }

        // 4. Switch back B -> A; writes through both mounts again, now landing on A.
        Switchover.Result back = switchover(A);
        assertThat(back.from()).isEqualTo(B);
        assertThat(back.newEpoch()).isGreaterThan(there.newEpoch());
        assertWritesLandOn(A, clientA, storeA, onA, onB, "after-switchback", 20);
        for (Path mount : List.of(onA, onB)) {
            assertThat(Files.readAllBytes(mount.resolve("from-b.bin"))).as("from-b on " + mount).isEqualTo(fromB);
        }
    }

    /**
     * Writes one file through each mount and checks the named primary's own metadata has both at their
     * sizes, its changelog grew, and its store got every new block (uploads go to the current primary).
     */
    private void assertWritesLandOn(String region, RaftMetadataClient primary, ObjectStore primaryStore, Path onA,
                                    Path onB, String tag, long seed) throws Exception {
        long indexBefore = MirrorRegions.state(primary).getChangelogLastIndex();
        long objectsBefore = objects(primaryStore);
        byte[] viaA = data(seed, 2 * BLOCK + 3);
        byte[] viaB = data(seed + 1, BLOCK + 9);
        Files.write(onA.resolve(tag + "-via-a.bin"), viaA);
        Files.write(onB.resolve(tag + "-via-b.bin"), viaB);
        assertThat(sizeOn(primary, tag + "-via-a.bin")).as(tag + "-via-a.bin on " + region).isEqualTo(viaA.length);
        assertThat(sizeOn(primary, tag + "-via-b.bin")).as(tag + "-via-b.bin on " + region).isEqualTo(viaB.length);
        assertThat(MirrorRegions.state(primary).getChangelogLastIndex()).as(region + "'s changelog").isGreaterThan(indexBefore);
        assertThat(objects(primaryStore)).as(region + "'s store: 3 + 2 new blocks").isEqualTo(objectsBefore + 5);
        for (Path mount : List.of(onA, onB)) {
            assertThat(Files.readAllBytes(mount.resolve(tag + "-via-a.bin"))).as(tag + " via a, on " + mount).isEqualTo(viaA);
            assertThat(Files.readAllBytes(mount.resolve(tag + "-via-b.bin"))).as(tag + " via b, on " + mount).isEqualTo(viaB);
        }
    }

    private Switchover.Result switchover(String target) throws Exception {
        try (Deployment deployment = new Deployment(topology, Duration.ofSeconds(5))) {
            return new Switchover(deployment, WAIT).run(target, Timeline.systemClock(System.out));
        }
    }

    /** A FUSE mount reading from {@code local}, with both regions as primary candidates. */
    private Path mount(String local, String name) throws IOException {
        MirrorMounts.RegionEndpoint a = new MirrorMounts.RegionEndpoint(A, regionA.group(), storeA);
        MirrorMounts.RegionEndpoint b = new MirrorMounts.RegionEndpoint(B, regionB.group(), storeB);
        MirrorMounts.Parts parts = MirrorMounts.open(local.equals(A) ? a : b, List.of(a, b), MirrorMountConfig.defaults(),
                MetadataClientOptions.defaults());
        closing(parts.client());
        MountedVolume mounted = closing(MountedVolume.mount(parts.client(), parts.uploadStore(), parts.blocks(), null, 0,
                VfsConfig.defaults().withTtlMillis(0, 0), dir.resolve(name),
                FuseMount.Options.defaults(VOLUME).withTimeouts(0, 0)));
        return mounted.mountPoint();
    }

    private Region region(String name, Role role, String nodeId) throws IOException {
        Path blocks = Files.createDirectories(dir.resolve("store-" + name));
        return new Region(name, role, blocks.toUri().toString(),
                List.of(new MetaPeer(nodeId, "127.0.0.1", LoopbackPorts.freePortPair())), Optional.empty());
    }

    private static SyncDaemonConfig syncConfig(Region region, RegionStores stores) {
        return SyncDaemonConfig.defaults(region.name(), region.group())
                .withTimings(Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofSeconds(1),
                        Duration.ofMillis(100), Duration.ofMillis(50), Duration.ofSeconds(1))
                .withRegionStores(stores).withRolePoll(Duration.ofMillis(100));
    }

    private static long sizeOn(RaftMetadataClient client, String name) throws Exception {
        MetaReply reply = client.query(MetaOps.lookup(MetaOps.ROOT, FsLimits.ROOT_INODE, name)).get(30, TimeUnit.SECONDS);
        assertThat(reply.getErrno()).as("lookup " + name).isZero();
        return reply.getAttr().getSize();
    }

    private static long objects(ObjectStore store) throws IOException {
        return store.list("", null, 100_000).objects().size();
    }

    private static byte[] data(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private <T extends AutoCloseable> T closing(T resource) {
        toClose.push(resource);
        return resource;
    }

    /** Reads one file over and over on a mount, recording every read that failed or returned other bytes. */
    private static final class Reader implements AutoCloseable {
        private final Path file;
        private final byte[] expected;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private volatile long reads;
        private volatile long slowestMillis;
        private Thread thread;

        private Reader(Path file, byte[] expected) {
            this.file = file;
            this.expected = expected;
        }

        static Reader start(String name, Path file, byte[] expected) {
            Reader reader = new Reader(file, expected);
            reader.thread = Thread.ofPlatform().name(name).daemon().start(reader::loop);
            return reader;
        }

        private void loop() {
            while (!stop.get()) {
                long started = System.nanoTime();
                try {
                    byte[] got = Files.readAllBytes(file);
                    if (!Arrays.equals(got, expected)) {
                        failures.add(file + ": read " + got.length + " bytes, not the " + expected.length + " written");
                    }
                } catch (IOException e) {
                    failures.add(file + ": " + e);
                }
                slowestMillis = Math.max(slowestMillis, (System.nanoTime() - started) / 1_000_000);
                reads++;
            }
        }

        long reads() {
            return reads;
        }

        long slowestMillis() {
            return slowestMillis;
        }

        List<String> failures() {
            return List.copyOf(failures);
        }

        void awaitReads(long count) throws Exception {
            Await.until(count + " reads of " + file, WAIT, () -> reads >= count);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(WAIT.toMillis());
        }
    }
}
