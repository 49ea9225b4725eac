package io.mirrorfs.meta.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.FenceOp;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.FollowPrimaryOp;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.MirrorStateQuery;
import io.mirrorfs.api.proto.MirroredOp;
import io.mirrorfs.api.proto.PromoteOp;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.SetDataWatermarkOp;
import io.mirrorfs.api.proto.StatFsQuery;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Region roles and failover state at apply time (DESIGN §4, §5), engine only: a primary and a mirror
 * fed the primary's changelog as MirroredOps, then Fence, Promote, FollowPrimary and the data
 * watermark, each checked for its rule and for changing nothing when refused.
 */
class RegionStateTest {
    @TempDir
    Path dir;

    /** Feeds the mirror every primary changelog entry after its primary index, chained, as its own log entries. */
    private static final class MirrorFeed {
        final NamespaceEngine mirror;
        long localIndex;
        long seq;

        MirrorFeed(NamespaceEngine mirror) {
            this.mirror = mirror;
        }

        void catchUp(NamespaceEngine primary) throws IOException {
            for (ChangelogRow row : primary.readChangelog(mirror.primaryIndex() + 1, 10_000, Long.MAX_VALUE)) {
                MetaReply r = offer(mirror.primaryIndex(), row.index(), LogEntry.parseFrom(row.logEntry()));
                assertThat(r.getErrno()).as("mirrored %d: %s", row.index(), r).isZero();
            }
        }

        MetaReply offer(long previous, long primaryIndex, LogEntry inner) throws IOException {
            MetaRequest request = MetaRequest.newBuilder()
                    .setRequestId(RequestId.newBuilder().setClientId(7).setSeq(primaryIndex))
                    .setMirrored(MirroredOp.newBuilder().setPrimaryIndex(primaryIndex)
                            .setPreviousPrimaryIndex(previous).setEntry(inner))
                    .build();
            return mirror.apply(++localIndex, NamespaceEngine.prepare(request, 5_000_000_000L + localIndex));
        }

        MetaReply local(MetaRequest.Builder request) throws IOException {
            request.setRequestId(RequestId.newBuilder().setClientId(99).setSeq(++seq));
            return mirror.apply(++localIndex, NamespaceEngine.prepare(request.build(), 6_000_000_000L + localIndex));
        }
    }

    private static MirrorState state(NamespaceEngine engine) {
        MetaReply r = engine.query(MetaQuery.newBuilder().setMirrorState(MirrorStateQuery.getDefaultInstance()).build());
        assertThat(r.getErrno()).isZero();
        return r.getMirrorState();
    }

    private static MetaRequest.Builder watermark(long at) {
        return MetaRequest.newBuilder().setSetDataWatermark(SetDataWatermarkOp.newBuilder().setDataWatermark(at));
    }

    @Test
    void primaryIsSetByFormatAndNamesItsChangelogIndexes() throws Exception {
        try (NamespaceEngine fresh = NamespaceEngine.open(dir.resolve("fresh"));
                TestFs fs = TestFs.formatted(dir.resolve("p"))) {
            assertThat(state(fresh).getRole()).isEqualTo("UNSET");
            MirrorState s = state(fs.engine);
            assertThat(s.getRole()).isEqualTo("PRIMARY");
            assertThat(s.getEpoch()).isEqualTo(1);
            assertThat(s.getChangelogLastIndex()).isEqualTo(1);

            MetaReply created = fs.create(1, "a", FileType.REGULAR, 0644);
            assertThat(created.getChangelogIndex()).isEqualTo(fs.index).isEqualTo(created.getIndex());
            MetaReply refused = fs.create(1, "a", FileType.REGULAR, 0644);
            assertThat(Errno.of(refused.getErrno())).isEqualTo(Errno.EEXIST);
            assertThat(refused.getChangelogIndex()).as("a refusal names the last kept entry").isEqualTo(created.getChangelogIndex());
            MetaReply read = fs.query(MetaQuery.newBuilder().setStatfs(StatFsQuery.getDefaultInstance()));
            assertThat(read.getChangelogIndex()).isEqualTo(created.getChangelogIndex());

            assertThat(Errno.of(fs.run(watermark(5)).getErrno())).as("a primary keeps no data watermark").isEqualTo(Errno.EROFS);
        }
    }

    @Test
    void mirrorFollowsInPrimaryIndexSpaceAndRefusesClientMutations() throws Exception {
        try (TestFs primary = TestFs.formatted(dir.resolve("p"));
                NamespaceEngine mirrorEngine = NamespaceEngine.open(dir.resolve("m"))) {
            MirrorApplyTest.workload(primary, 0);
            MirrorFeed mirror = new MirrorFeed(mirrorEngine);
            mirror.catchUp(primary.engine);

            assertThat(mirrorEngine.namespaceDigest()).isEqualTo(primary.engine.namespaceDigest());
            MirrorState s = state(mirrorEngine);
            long last = primary.engine.changelogStats().lastIndex();
            assertThat(s.getRole()).isEqualTo("MIRROR");
            assertThat(s.getPrimaryIndex()).isEqualTo(last);
            assertThat(s.getChangelogLastIndex()).isEqualTo(last);
            java.util.List<ChangelogRow> kept = primary.engine.readChangelog(1, 10_000, Long.MAX_VALUE);
            assertThat(s.getPrimaryTimeNs()).isEqualTo(LogEntry.parseFrom(kept.get(kept.size() - 1).logEntry()).getTimeNs());
            // The mirror's changelog is the primary's, entry for entry, under the primary's indexes.
            assertThat(mirrorEngine.readChangelog(1, 10_000, Long.MAX_VALUE))
                    .usingRecursiveFieldByFieldElementComparator()
                    .isEqualTo(primary.engine.readChangelog(1, 10_000, Long.MAX_VALUE));

            byte[] before = mirrorEngine.digest();
            MetaReply write = mirror.local(MetaRequest.newBuilder().setCaller(TestFs.ROOT)
                    .setCreate(io.mirrorfs.api.proto.CreateOp.newBuilder().setParent(1).setName(TestFs.name("x"))
                            .setType(FileType.DIRECTORY).setMode(0755).setInode(2)));
            assertThat(Errno.of(write.getErrno())).isEqualTo(Errno.EROFS);
            assertThat(write.getChangelogIndex()).isEqualTo(last);
            assertThat(Errno.of(mirror.local(MetaRequest.newBuilder().setFence(FenceOp.newBuilder().setEpoch(1))).getErrno()))
                    .isEqualTo(Errno.EROFS);
            assertThat(mirrorEngine.namespaceDigest()).isEqualTo(primary.engine.namespaceDigest());
            assertThat(mirrorEngine.digest()).as("only applied_index moved").isNotEqualTo(before);
            assertThat(state(mirrorEngine)).isEqualTo(s);
        }
    }

    @Test
    void dataWatermarkOnlyIncreases() throws Exception {
        try (TestFs primary = TestFs.formatted(dir.resolve("p"));
                NamespaceEngine mirrorEngine = NamespaceEngine.open(dir.resolve("m"))) {
            MirrorFeed mirror = new MirrorFeed(mirrorEngine);
            assertThat(Errno.of(mirror.local(watermark(1)).getErrno())).as("unformatted").isEqualTo(Errno.ENODEV);
            mirror.catchUp(primary.engine);
            assertThat(mirror.local(watermark(5)).getErrno()).isZero();
            assertThat(mirror.local(watermark(3)).getErrno()).isZero();
            assertThat(state(mirrorEngine).getDataWatermark()).isEqualTo(5);
            assertThat(mirror.local(watermark(9)).getMirrorState().getDataWatermark()).isEqualTo(9);
            assertThat(state(mirrorEngine).getDataWatermark()).isEqualTo(9);
            assertThat(mirrorEngine.namespaceDigest()).isEqualTo(primary.engine.namespaceDigest());
        }
    }

    @Test
    void fenceNeedsTheCurrentEpochAndStopsClientMutations() throws Exception {
        try (TestFs primary = TestFs.formatted(dir.resolve("p"))) {
            long inode = primary.newInode();
            assertThat(Errno.of(primary.run(MetaRequest.newBuilder().setFence(FenceOp.newBuilder().setEpoch(2))).getErrno()))
                    .isEqualTo(Errno.ESTALE);
            assertThat(state(primary.engine).getFenced()).isFalse();
            MetaReply fenced = primary.run(MetaRequest.newBuilder().setFence(FenceOp.newBuilder().setEpoch(1).setReason("drill")));
            assertThat(fenced.getErrno()).isZero();
            assertThat(fenced.getMirrorState().getFenced()).isTrue();
            assertThat(fenced.getChangelogIndex()).as("kept in the changelog").isEqualTo(primary.index);
            assertThat(primary.engine.changelogStats().lastIndex()).isEqualTo(primary.index);

            byte[] before = primary.engine.namespaceDigest();
            MetaReply refused = primary.run(MetaRequest.newBuilder().setCreate(io.mirrorfs.api.proto.CreateOp.newBuilder()
                    .setParent(1).setName(TestFs.name("late")).setType(FileType.REGULAR).setMode(0644).setInode(inode)));
            assertThat(Errno.of(refused.getErrno())).isEqualTo(Errno.EROFS);
            assertThat(primary.engine.namespaceDigest()).isEqualTo(before);
        }
    }

    @Test
    void promoteContinuesTheChangelogAboveThePrimaryIndex() throws Exception {
        try (TestFs primary = TestFs.formatted(dir.resolve("p"));
                NamespaceEngine mirrorEngine = NamespaceEngine.open(dir.resolve("m"));
                NamespaceEngine secondEngine = NamespaceEngine.open(dir.resolve("m2"))) {
            MirrorApplyTest.workload(primary, 0);
            MirrorFeed mirror = new MirrorFeed(mirrorEngine);
            mirror.catchUp(primary.engine);
            long promotedAt = mirrorEngine.primaryIndex();
            assertThat(mirror.localIndex).as("the mirror's own log is shorter: the offset matters").isLessThan(promotedAt);

            assertThat(Errno.of(primary.run(promote(2)).getErrno())).as("a primary is not promoted").isEqualTo(Errno.EINVAL);
            assertThat(Errno.of(mirror.local(promote(1)).getErrno())).as("epoch must grow").isEqualTo(Errno.ESTALE);
            MetaRequest.Builder promoteOp = promote(2);
            MetaReply promoted = mirror.local(promoteOp);
            assertThat(promoted.getErrno()).isZero();
            MirrorState s = state(mirrorEngine);
            assertThat(s.getRole()).isEqualTo("PRIMARY");
            assertThat(s.getEpoch()).isEqualTo(2);
            assertThat(s.getPromotedAtIndex()).isEqualTo(promotedAt);
            assertThat(promoted.getChangelogIndex()).isGreaterThan(promotedAt);
            assertThat(s.getChangelogLastIndex()).isEqualTo(promoted.getChangelogIndex());

            // A retry of the same request is answered, not refused by its own success.
            MetaReply retried = mirrorEngine.apply(++mirror.localIndex,
                    NamespaceEngine.prepare(promoteOp.build(), 7_000_000_000L));
            assertThat(retried).isEqualTo(promoted);

            // Client writes are accepted now and keep increasing changelog indexes.
            MetaReply write = mirror.local(MetaRequest.newBuilder().setCaller(TestFs.ROOT).setEpoch(2)
                    .setCreate(io.mirrorfs.api.proto.CreateOp.newBuilder().setParent(1).setName(TestFs.name("after"))
                            .setType(FileType.DIRECTORY).setMode(0755).setInode(newInodeOn(mirror))));
            assertThat(write.getErrno()).isZero();
            assertThat(write.getChangelogIndex()).isGreaterThan(promoted.getChangelogIndex());
            // A follower that has not stopped yet can no longer apply anything.
            MetaReply late = mirror.offer(promotedAt, promotedAt + 1000, primary.log.get(primary.log.size() - 1));
            assertThat(Errno.of(late.getErrno())).isEqualTo(Errno.EROFS);

            // A mirror of the new primary follows on in one index space and learns the epoch.
            MirrorFeed second = new MirrorFeed(secondEngine);
            second.catchUp(mirrorEngine);
            assertThat(state(secondEngine).getEpoch()).isEqualTo(2);
            assertThat(state(secondEngine).getPrimaryIndex()).isEqualTo(write.getChangelogIndex());
            // Dedup rows keep each reply's index: the promoted primary's Raft index, the mirror's changelog
            // index; once an offset exists they differ there and only there (ENGINE.md).
            java.util.Set<io.mirrorfs.meta.engine.store.Cf> bookkeeping = java.util.Set.of(
                    io.mirrorfs.meta.engine.store.Cf.META, io.mirrorfs.meta.engine.store.Cf.CHANGELOG,
                    io.mirrorfs.meta.engine.store.Cf.DEDUP);
            assertThat(secondEngine.digest(bookkeeping)).isEqualTo(mirrorEngine.digest(bookkeeping));
        }
    }

    @Test
    void followPrimaryTurnsAFencedPrimaryIntoAMirror() throws Exception {
        try (TestFs old = TestFs.formatted(dir.resolve("old"))) {
            MirrorApplyTest.workload(old, 0);
            long last = old.engine.changelogStats().lastIndex();
            assertThat(Errno.of(old.run(follow(2, last)).getErrno())).as("a live primary is fenced first").isEqualTo(Errno.EBUSY);
            assertThat(Errno.of(old.run(follow(2, last).setFollowPrimary(FollowPrimaryOp.newBuilder().setEpoch(2)
                    .setPrimaryRegion("b").setPrimaryPeers("not a peer list"))).getErrno())).isEqualTo(Errno.EINVAL);
            assertThat(old.run(MetaRequest.newBuilder().setFence(FenceOp.newBuilder().setEpoch(1))).getErrno()).isZero();
            long fencedAt = old.engine.changelogStats().lastIndex();

            MetaReply followed = old.run(follow(2, fencedAt));
            assertThat(followed.getErrno()).isZero();
            MirrorState s = state(old.engine);
            assertThat(s.getRole()).isEqualTo("MIRROR");
            assertThat(s.getEpoch()).isEqualTo(2);
            assertThat(s.getFenced()).isFalse();
            assertThat(s.getPrimaryIndex()).isEqualTo(fencedAt);
            assertThat(s.getPrimaryRegion()).isEqualTo("b");
            assertThat(s.getPrimaryPeers()).isEqualTo("b1=127.0.0.1:7000");
            assertThat(s.getPrimaryGroup()).isEqualTo("b");
            assertThat(s.getBootstrapRequired()).isFalse();
            assertThat(old.engine.changelogStats().lastIndex()).as("not kept: it has no index in the new space").isEqualTo(fencedAt);

            // The new primary's next entry continues the chain.
            LogEntry next = NamespaceEngine.prepare(MetaRequest.newBuilder().setCaller(TestFs.ROOT).setEpoch(2)
                    .setRequestId(RequestId.newBuilder().setClientId(5).setSeq(1))
                    .setPromote(PromoteOp.newBuilder().setNewEpoch(2).setRegion("b")).build(), old.timeNs + 10);
            MetaReply applied = old.run(MetaRequest.newBuilder().setMirrored(MirroredOp.newBuilder()
                    .setPrimaryIndex(fencedAt + 5).setPreviousPrimaryIndex(fencedAt).setEntry(next)));
            assertThat(applied.getErrno()).isZero();
            assertThat(state(old.engine).getPrimaryIndex()).isEqualTo(fencedAt + 5);
        }
    }

    @Test
    void followPrimaryBehindOwnEntriesRequiresABootstrap() throws Exception {
        try (TestFs old = TestFs.formatted(dir.resolve("old"))) {
            MirrorApplyTest.workload(old, 0);
            assertThat(old.run(MetaRequest.newBuilder().setFence(FenceOp.newBuilder().setEpoch(1))).getErrno()).isZero();
            long promotedAt = 3; // the new primary was promoted at 3: everything here after it diverged
            assertThat(old.run(follow(2, promotedAt)).getErrno()).isZero();
            assertThat(state(old.engine).getBootstrapRequired()).isTrue();
            byte[] before = old.engine.namespaceDigest();
            MetaReply refused = old.run(MetaRequest.newBuilder().setMirrored(MirroredOp.newBuilder()
                    .setPrimaryIndex(promotedAt + 1).setPreviousPrimaryIndex(promotedAt).setEntry(old.log.get(1))));
            assertThat(Errno.of(refused.getErrno())).isEqualTo(Errno.ESTALE);
            assertThat(refused.getMirrorState().getBootstrapRequired()).isTrue();
            assertThat(old.engine.namespaceDigest()).isEqualTo(before);
        }
    }

    private static MetaRequest.Builder promote(long epoch) {
        return MetaRequest.newBuilder().setPromote(PromoteOp.newBuilder().setNewEpoch(epoch).setRegion("m").setReason("test"));
    }

    private static MetaRequest.Builder follow(long epoch, long resumeAfter) {
        return MetaRequest.newBuilder().setFollowPrimary(FollowPrimaryOp.newBuilder().setEpoch(epoch)
                .setPrimaryRegion("b").setResumeAfterIndex(resumeAfter).setPrimaryPeers("b1=127.0.0.1:7000")
                .setPrimaryGroup("b"));
    }

    private static long newInodeOn(MirrorFeed feed) throws IOException {
        MetaReply ids = feed.local(MetaRequest.newBuilder().setCaller(TestFs.ROOT).setAllocateIds(
                io.mirrorfs.api.proto.AllocateIdsOp.newBuilder().setKind(io.mirrorfs.api.proto.IdKind.INODE).setCount(1)));
        assertThat(ids.getErrno()).isZero();
        assertThat(FsLimits.ROOT_INODE).isLessThan(ids.getIds().getFirst());
        return ids.getIds().getFirst();
    }
}
