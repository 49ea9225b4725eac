package io.mirrorfs.meta.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.CreateOp;
import io.mirrorfs.api.proto.FenceOp;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MutationBatch;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.UnlinkOp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit in the engine (proto MutationBatch): members see each other's rows in order, each is
 * deduplicated and refused on its own, the batch is one changelog entry that a mirror applies to the
 * same namespace, and an invalid envelope changes nothing. (ModelBasedTest checks random batches
 * against the reference model.)
 */
class BatchApplyTest {
    @TempDir
    Path dir;

    private static MetaRequest.Builder create(TestFs fs, long parent, String name) throws Exception {
        return MetaRequest.newBuilder().setCaller(TestFs.ROOT).setCreate(CreateOp.newBuilder().setParent(parent)
                .setName(TestFs.name(name)).setType(FileType.REGULAR).setMode(0644).setInode(fs.newInode()));
    }

    private static MetaRequest.Builder unlink(long parent, String name) {
        return MetaRequest.newBuilder().setCaller(TestFs.ROOT)
                .setUnlink(UnlinkOp.newBuilder().setParent(parent).setName(TestFs.name(name)));
    }

    @Test
    void membersApplyInOrderEachSeeingTheOnesBeforeAndARefusalStopsNothing() throws Exception {
        try (TestFs fs = TestFs.formatted(dir.resolve("db"))) {
            long d = fs.mkdir(TestFs.ROOT_INODE, "d");
            MetaReply reply = fs.runBatch(List.of(
                    create(fs, d, "a"),
                    create(fs, d, "a"), // sees the first member's dentry
                    unlink(d, "a"), // and removes it
                    create(fs, d, "b"),
                    MetaRequest.newBuilder().setCaller(TestFs.ROOT).setFence(FenceOp.newBuilder().setEpoch(1)),
                    create(fs, 999_999, "orphan")));
            assertThat(reply.getErrno()).isZero();
            assertThat(reply.getBatchList()).extracting(r -> Errno.of(r.getErrno()))
                    .containsExactly(Errno.OK, Errno.EEXIST, Errno.OK, Errno.OK, Errno.EINVAL, Errno.ENOENT);
            assertThat(reply.getBatchList()).allSatisfy(r -> assertThat(r.getIndex()).isEqualTo(fs.index));
            assertThat(TestFs.errno(fs.lookup(d, "a"))).isEqualTo(Errno.ENOENT);
            TestFs.ok(fs.lookup(d, "b"));
            // Each success is stamped strictly after the one before it: the same time never repeats.
            assertThat(reply.getBatch(3).getAttr().getCtimeNs()).isGreaterThan(reply.getBatch(0).getAttr().getCtimeNs());
            assertThat(fs.attr(d).getNlink()).isEqualTo(2);

            List<ChangelogRow> log = fs.engine.readChangelog(1, 10_000, Long.MAX_VALUE);
            ChangelogRow last = log.get(log.size() - 1);
            assertThat(last.index()).as("the batch is one changelog entry").isEqualTo(fs.index);
            assertThat(LogEntry.parseFrom(last.logEntry()).getRequest().getBatch().getRequestsCount()).isEqualTo(6);
        }
    }

    @Test
    void aResentBatchIsAnsweredFromEachMembersFirstReplyAndChangesNothing() throws Exception {
        try (TestFs fs = TestFs.formatted(dir.resolve("db"))) {
            List<MetaRequest.Builder> members = List.of(create(fs, TestFs.ROOT_INODE, "x"),
                    create(fs, TestFs.ROOT_INODE, "y"), create(fs, TestFs.ROOT_INODE, "x"));
            MetaReply first = fs.runBatch(members);
            long changelogBefore = fs.engine.changelogStats().lastIndex();
            byte[] before = fs.engine.namespaceDigest();

            MetaReply again = fs.runBatch(members); // same request ids: a client's retry after a timeout
            assertThat(again.getBatch(0)).isEqualTo(first.getBatch(0));
            assertThat(again.getBatch(1)).isEqualTo(first.getBatch(1));
            // A refusal is not remembered: re-running it is its first attempt ordered later, refused again.
            assertThat(TestFs.errno(again.getBatch(2))).isEqualTo(Errno.EEXIST);
            assertThat(fs.engine.namespaceDigest()).isEqualTo(before);
            assertThat(fs.engine.changelogStats().lastIndex()).as("an entry that changed nothing is not kept")
                    .isEqualTo(changelogBefore);
            assertThat(again.getBatch(2).getChangelogIndex()).isEqualTo(changelogBefore);

            // Ratis redelivering the entry after a restart (index at or below applied) gets the stored replies.
            LogEntry entry = fs.log.get(fs.log.size() - 2);
            MetaReply replayed = fs.engine.apply(fs.index - 1, entry);
            assertThat(replayed.getBatch(0)).isEqualTo(first.getBatch(0));
            assertThat(replayed.getBatch(1)).isEqualTo(first.getBatch(1));
        }
    }

    @Test
    void anInvalidEnvelopeOrMemberIsRefusedAloneAndTheEnvelopeNeedsNoId() throws Exception {
        try (TestFs fs = TestFs.formatted(dir.resolve("db"))) {
            List<MetaRequest.Builder> tooMany = new ArrayList<>();
            for (int i = 0; i <= FsLimits.MUTATION_BATCH_MAX; i++) {
                tooMany.add(create(fs, TestFs.ROOT_INODE, "n" + i)); // allocates inodes: before the digest
            }
            byte[] before = fs.engine.namespaceDigest();
            MetaReply empty = fs.engine.apply(++fs.index, NamespaceEngine.prepare(MetaRequest.newBuilder()
                    .setBatch(MutationBatch.getDefaultInstance()).build(), fs.timeNs += 1000));
            assertThat(TestFs.errno(empty)).isEqualTo(Errno.EINVAL);

            assertThat(TestFs.errno(fs.runBatch(tooMany))).isEqualTo(Errno.EINVAL);
            assertThat(fs.engine.namespaceDigest()).isEqualTo(before);

            MetaRequest noId = create(fs, TestFs.ROOT_INODE, "no-id").build();
            MetaRequest nested = MetaRequest.newBuilder().setRequestId(RequestId.newBuilder().setClientId(7).setSeq(1))
                    .setBatch(MutationBatch.newBuilder().addRequests(create(fs, TestFs.ROOT_INODE, "inner")
                            .setRequestId(RequestId.newBuilder().setClientId(7).setSeq(2)))).build();
            MetaRequest format = MetaRequest.newBuilder().setRequestId(RequestId.newBuilder().setClientId(7).setSeq(3))
                    .setFormat(FormatOp.newBuilder().setVolume("again")).build();
            MetaRequest good = create(fs, TestFs.ROOT_INODE, "good")
                    .setRequestId(RequestId.newBuilder().setClientId(7).setSeq(4)).build();
            byte[] raw = MetaRequest.newBuilder().setBatch(MutationBatch.newBuilder().addRequests(noId)
                    .addRequests(nested).addRequests(format).addRequests(good)).build().toByteArray();
            MetaRequest parsed = NamespaceEngine.parseRequest(raw); // no request_id on the envelope: accepted
            MetaReply reply = fs.engine.apply(++fs.index, NamespaceEngine.prepare(parsed, fs.timeNs += 1000));
            assertThat(reply.getBatchList()).extracting(r -> Errno.of(r.getErrno()))
                    .containsExactly(Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.OK);
            TestFs.ok(fs.lookup(TestFs.ROOT_INODE, "good"));
            assertThat(TestFs.errno(fs.lookup(TestFs.ROOT_INODE, "inner"))).isEqualTo(Errno.ENOENT);
        }
    }

    @Test
    void aMirrorAppliesBatchEntriesToTheSameNamespaceAndRefusesClientBatches() throws Exception {
        try (TestFs primary = TestFs.formatted(dir.resolve("primary"));
                NamespaceEngine mirror = NamespaceEngine.open(dir.resolve("mirror"))) {
            long d = primary.mkdir(TestFs.ROOT_INODE, "d");
            for (int round = 0; round < 5; round++) {
                primary.runBatch(List.of(create(primary, d, "f" + round), create(primary, d, "g" + round),
                        unlink(d, "f" + (round - 1))));
            }
            long local = 0;
            for (ChangelogRow row : primary.engine.readChangelog(1, 10_000, Long.MAX_VALUE)) {
                MetaReply applied = mirror.applyMirrored(++local, row.index(), LogEntry.parseFrom(row.logEntry()));
                assertThat(Errno.of(applied.getErrno())).isEqualTo(Errno.OK);
            }
            assertThat(HexFormat.of().formatHex(mirror.namespaceDigest()))
                    .isEqualTo(HexFormat.of().formatHex(primary.engine.namespaceDigest()));

            MetaRequest clientBatch = MetaRequest.newBuilder().setBatch(MutationBatch.newBuilder()
                    .addRequests(create(primary, d, "m1").setRequestId(RequestId.newBuilder().setClientId(9).setSeq(1)))
                    .addRequests(create(primary, d, "m2").setRequestId(RequestId.newBuilder().setClientId(9).setSeq(2))))
                    .build();
            byte[] before = mirror.namespaceDigest();
            MetaReply refused = mirror.apply(++local, NamespaceEngine.prepare(clientBatch, 5_000_000_000L));
            assertThat(refused.getBatchList()).extracting(r -> Errno.of(r.getErrno()))
                    .containsExactly(Errno.EROFS, Errno.EROFS);
            assertThat(mirror.namespaceDigest()).isEqualTo(before);
        }
    }
}
