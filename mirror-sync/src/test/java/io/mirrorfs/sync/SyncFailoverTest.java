package io.mirrorfs.sync;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.FenceOp;
import io.mirrorfs.api.proto.FollowPrimaryOp;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.PromoteOp;
import io.mirrorfs.store.Crc32c;
import io.mirrorfs.store.ObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Sync across a switchover and a switchback (DESIGN §5), with a sync service on each of two regions,
 * both given the topology's stores. Region "primary" (A) starts as the primary, "mirror" (B) as its
 * mirror. Proves: the sync of a region that is primary idles (one INFO line, no warnings) instead of
 * failing or spinning on EROFS; after A → B the old primary A, now a mirror, copies from B's store
 * (not from the store the volume recorded at format, which is A's own); B idles while primary; after
 * B → A, B resumes and copies from A's store again. Real in-process Ratis groups, local stores.
 */
class SyncFailoverTest {
    private static final Duration ROLE_POLL = Duration.ofMillis(100);

    @TempDir
    Path dir;

    private TwoRegions regions;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger syncLogger = (Logger) LoggerFactory.getLogger("io.mirrorfs.sync");

    @BeforeEach
    void start() throws Exception {
        regions = new TwoRegions(dir).start();
        logs.start();
        syncLogger.addAppender(logs);
    }

    @AfterEach
    void stop() throws Exception {
        syncLogger.detachAppender(logs);
        try {
            for (int i = toClose.size() - 1; i >= 0; i--) {
                toClose.get(i).close();
            }
        } finally {
            regions.close();
        }
    }

    @Test
    void syncIdlesOnAPrimaryAndCopiesFromThePrimaryItFollowsAfterEachFailover() throws Exception {
        regions.formatPrimary();
        PrimaryWriter onA = regions.writer();
        List<PrimaryWriter.WrittenFile> fromA = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fromA.add(onA.write("a-" + i, 2 * TwoRegions.BLOCK + i));
        }
        RegionStores stores = new RegionStores(Map.of("primary", regions.primaryStore.uri(), TwoRegions.MIRROR,
                regions.mirrorStore.uri()), "primary");
        SyncDaemon syncB = daemon(regions.daemonConfig().withRegionStores(stores).withRolePoll(ROLE_POLL),
                regions.mirrorStore);
        SyncDaemonConfig base = regions.daemonConfig();
        SyncDaemon syncA = daemon(SyncDaemonConfig.defaults("primary", regions.primaryGroup)
                .withTimings(base.rpcTimeout(), base.ackInterval(), base.progressInterval(), base.waitPoll(),
                        base.followBackoffMin(), base.followBackoffMax())
                .withCopy(base.copy()).withRegionStores(stores).withRolePoll(ROLE_POLL), regions.primaryStore);

        await("A's sync to idle: A is the primary", () -> syncA.phase() == SyncDaemon.Phase.PRIMARY_IDLE);
        assertThat(syncA.status().getWatermarkHeldBy()).contains("region 'primary' is primary now: nothing to copy");
        assertThat(syncA.status().getLastError()).isEmpty();
        awaitWatermark(regions.mirrorClient(), regions.primaryLastIndex(), syncB);
        assertThat(syncB.status().getSourceStore()).isEqualTo(regions.primaryStore.uri());

        // Switchover A -> B: fence A, B catches up, promote B.
        MetaClientOps a = new MetaClientOps(regions.primaryClient());
        MetaClientOps b = new MetaClientOps(regions.mirrorClient());
        long aFencedAt = a.ok(MetaRequest.newBuilder().setFence(FenceOp.newBuilder().setEpoch(1))).getChangelogIndex();
        awaitState(regions.mirrorClient(), "B to apply A's fence", s -> s.getPrimaryIndex() == aFencedAt);
        logs.list.clear();
        b.ok(MetaRequest.newBuilder().setPromote(PromoteOp.newBuilder().setNewEpoch(2).setRegion(TwoRegions.MIRROR)));
        await("B's sync to idle once B is primary", () -> syncB.phase() == SyncDaemon.Phase.PRIMARY_IDLE);

        // A follows B; B's clients write into B's store.
        a.ok(MetaRequest.newBuilder().setFollowPrimary(FollowPrimaryOp.newBuilder().setEpoch(2)
                .setPrimaryRegion(TwoRegions.MIRROR).setResumeAfterIndex(aFencedAt)
                .setPrimaryPeers(peers(regions.mirrorGroup)).setPrimaryGroup(regions.mirrorGroup.name())));
        PrimaryWriter onB = new PrimaryWriter(regions.mirrorClient(), regions.mirrorStore, TwoRegions.VOLUME,
                TwoRegions.BLOCK);
        List<PrimaryWriter.WrittenFile> fromB = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fromB.add(onB.write("b-" + i, 3 * TwoRegions.BLOCK + i));
        }
        long bLast = stateOf(regions.mirrorClient()).getChangelogLastIndex();
        awaitWatermark(regions.primaryClient(), bLast, syncA);
        for (PrimaryWriter.WrittenFile f : fromB) {
            assertBlocksIn(regions.primaryStore, f);
        }
        assertThat(syncA.status().getSourceStore()).as("the old primary copies from the new primary's store")
                .isEqualTo(regions.mirrorStore.uri());
        assertThat(syncB.phase()).isEqualTo(SyncDaemon.Phase.PRIMARY_IDLE);
        assertThat(syncB.status().getWatermarkHeldBy()).contains("region 'mirror' is primary now: nothing to copy");
        assertThat(syncB.status().getLastError()).isEmpty();
        // B was primary all along this part: one INFO line, no warnings or errors from sync code.
        List<ILoggingEvent> idleLogs = List.copyOf(logs.list);
        assertThat(idleLogs.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList())).isEmpty();
        assertThat(idleLogs.stream().filter(e -> e.getFormattedMessage()
                .contains("region 'mirror' is primary now: nothing to copy")).count()).isEqualTo(1);

        // Switchback B -> A: fence B, A catches up, promote A, B follows A again and its sync resumes.
        long bFencedAt = b.ok(MetaRequest.newBuilder().setFence(FenceOp.newBuilder().setEpoch(2))).getChangelogIndex();
        awaitState(regions.primaryClient(), "A to apply B's fence", s -> s.getPrimaryIndex() == bFencedAt);
        a.ok(MetaRequest.newBuilder().setPromote(PromoteOp.newBuilder().setNewEpoch(3).setRegion("primary")));
        b.ok(MetaRequest.newBuilder().setFollowPrimary(FollowPrimaryOp.newBuilder().setEpoch(3)
                .setPrimaryRegion("primary").setResumeAfterIndex(bFencedAt)
                .setPrimaryPeers(peers(regions.primaryGroup)).setPrimaryGroup(regions.primaryGroup.name())));
        await("A's sync to idle again", () -> syncA.phase() == SyncDaemon.Phase.PRIMARY_IDLE);
        List<PrimaryWriter.WrittenFile> fromA2 = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fromA2.add(onA.write("a2-" + i, 2 * TwoRegions.BLOCK + 5 + i));
        }
        long aLast = stateOf(regions.primaryClient()).getChangelogLastIndex();
        awaitWatermark(regions.mirrorClient(), aLast, syncB);
        for (PrimaryWriter.WrittenFile f : fromA2) {
            assertBlocksIn(regions.mirrorStore, f);
        }
        for (PrimaryWriter.WrittenFile f : fromA) {
            assertBlocksIn(regions.mirrorStore, f);
        }
        assertThat(syncB.phase()).isEqualTo(SyncDaemon.Phase.SYNCING);
        assertThat(syncB.status().getSourceStore()).isEqualTo(regions.primaryStore.uri());
        assertThat(syncB.status().getPoisonCount()).isZero();
    }

    private SyncDaemon daemon(SyncDaemonConfig config, ObjectStore target) throws Exception {
        // Hands out non-closing wrappers of the test's stores, by URI: the daemon picks the source itself.
        SyncDaemon d = SyncDaemon.start(config, target, uri -> {
            if (uri.equals(regions.primaryStore.uri())) {
                return new CountingStore(regions.primaryStore);
            }
            assertThat(uri).isEqualTo(regions.mirrorStore.uri());
            return new CountingStore(regions.mirrorStore);
        });
        toClose.add(d);
        return d;
    }

    private static String peers(MetaGroup group) {
        return group.peers().stream().map(MetaPeer::toString).collect(Collectors.joining(","));
    }

    private static MirrorState stateOf(MetadataClient client) throws Exception {
        return new MirrorMetadata(client, "group", Duration.ofSeconds(30)).mirrorState();
    }

    private static void awaitWatermark(MetadataClient client, long index, SyncDaemon daemon) throws Exception {
        awaitState(client, "committed data watermark " + index + " (sync status: see below)",
                s -> s.getDataWatermark() >= index, daemon);
    }

    private interface StateCondition {
        boolean test(MirrorState state);
    }

    private static void awaitState(MetadataClient client, String what, StateCondition condition) throws Exception {
        awaitState(client, what, condition, null);
    }

    private static void awaitState(MetadataClient client, String what, StateCondition condition, SyncDaemon daemon)
            throws Exception {
        long deadline = System.nanoTime() + TwoRegions.WAIT.toNanos();
        MirrorState last = null;
        while (last == null || !condition.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; state " + last
                        + (daemon == null ? "" : "; sync status " + daemon.status()));
            }
            if (last != null) {
                Thread.sleep(50); // polling the condition
            }
            last = stateOf(client);
        }
    }

    private static void assertBlocksIn(ObjectStore store, PrimaryWriter.WrittenFile f) throws Exception {
        for (int i = 0; i < f.blocks().size(); i++) {
            BlockRef block = f.blocks().get(i);
            byte[] got = store.get(block.objectKey());
            assertThat(Crc32c.of(got)).as("CRC of %s in %s", block.objectKey(), store.uri()).isEqualTo(block.crc32c());
            assertThat(got).isEqualTo(f.data().get(i));
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        Fixture.await(what, TwoRegions.WAIT, condition);
    }

    /** Region ops sent as root through a region's own group, each required to succeed. */
    private record MetaClientOps(MetadataClient client) {
        private static final RequestIds IDS = new RequestIds();

        MetaReply ok(MetaRequest.Builder request) throws Exception {
            MetaReply reply = client.mutate(request.setRequestId(IDS.next()).setCaller(MetaOps.ROOT).build())
                    .get(30, TimeUnit.SECONDS);
            assertThat(Errno.of(reply.getErrno())).as("%s", request.getOpCase()).isEqualTo(Errno.OK);
            return reply;
        }
    }
}
