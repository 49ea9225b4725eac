package io.mirrorfs.meta.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.BootstrapChunk;
import io.mirrorfs.api.proto.BootstrapOp;
import io.mirrorfs.api.proto.BootstrapRow;
import io.mirrorfs.api.proto.ChangelogEntry;
import io.mirrorfs.api.proto.CreateOp;
import io.mirrorfs.api.proto.FenceOp;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.TrimChangelogOp;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.meta.changelog.BootstrapSource;
import io.mirrorfs.meta.engine.ChangelogRow;
import io.mirrorfs.meta.engine.NamespaceEngine;
import io.mirrorfs.meta.engine.store.RocksStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BootstrapOp apply on real engines (no Ratis): a source engine's rows, cut into chunks by
 * {@link BootstrapSource} from a checkpoint, installed into a target engine through BEGIN/ROWS/END give
 * the same namespace digest, after which the source's later changelog entries apply as MirroredOps
 * from the snapshot index; and every invalid sequence is refused without changing the target.
 */
class BootstrapApplyTest {
    private static final String VOLUME = "vol";
    /** Small chunks, so a few hundred operations already make many of them. */
    private static final BootstrapSource.Limits SMALL_CHUNKS = new BootstrapSource.Limits(1, 16, 2048, 100);

    @TempDir
    Path dir;
    private NamespaceEngine sourceEngine;
    private NamespaceEngine targetEngine;
    private EngineClient source;
    private EngineClient target;
    private Workload work;

    @BeforeEach
    void startSource() throws Exception {
        sourceEngine = NamespaceEngine.open(dir.resolve("source"));
        source = new EngineClient(sourceEngine, index -> { });
        work = new Workload(source, 5);
        work.format(VOLUME);
        work.run(300);
        // Trim the changelog: a mirror starting from nothing can only bootstrap.
        mutate(source, MetaRequest.newBuilder().setRequestId(RequestId.newBuilder().setClientId(77).setSeq(1))
                .setTrimChangelog(TrimChangelogOp.newBuilder().setBelowIndex(source.index()).setReason("test")));
        targetEngine = NamespaceEngine.open(dir.resolve("target"));
        target = new EngineClient(targetEngine, index -> { });
    }

    @AfterEach
    void closeEngines() {
        if (targetEngine != null) {
            targetEngine.close();
        }
        sourceEngine.close();
    }

    @Test
    void bootstrappedMirrorEqualsTheSourceAndFollowsItsLaterEntries() throws Exception {
        Snapshot snap = snapshot("cp1");
        assertThat(snap.index()).as("a primary's snapshot index is its newest changelog entry")
                .isEqualTo(sourceEngine.changelogStats().lastIndex()).isPositive();
        assertThat(snap.chunks()).hasSizeGreaterThan(10);
        assertThat(snap.chunks().get(snap.chunks().size() - 1).getLast()).isTrue();

        Attempt attempt = new Attempt(1, snap.index());
        attempt.beginUntilCleared();
        assertThat(mirrorState().getBootstrapRequired()).as("visibly bootstrapping").isTrue();
        for (BootstrapChunk chunk : snap.chunks()) {
            assertOk(attempt.rows(chunk.getRowsList()));
        }
        MetaReply end = attempt.end();
        assertOk(end);

        assertThat(targetEngine.namespaceDigest()).isEqualTo(sourceEngine.namespaceDigest());
        MirrorState state = mirrorState();
        assertThat(state.getRole()).isEqualTo("MIRROR");
        assertThat(state.getPrimaryIndex()).isEqualTo(snap.index());
        assertThat(state.getBootstrapRequired()).isFalse();
        assertThat(state.getEpoch()).isEqualTo(1);
        assertThat(targetEngine.volumeInfo().getVolume()).isEqualTo(VOLUME);

        work.run(150);
        applyChangelogFrom(snap.index());
        assertThat(targetEngine.namespaceDigest()).isEqualTo(sourceEngine.namespaceDigest());
        assertThat(mirrorState().getPrimaryIndex()).isEqualTo(source.lastChangedIndex());
        // The mirror refuses client mutations: it only follows the primary.
        assertThat(Errno.of(mutate(target, create("client-write")).getErrno())).isEqualTo(Errno.EROFS);
    }

    @Test
    void aBigOldNamespaceIsClearedOverSeveralBeginsAndAFencedPrimaryMayBootstrap() throws Exception {
        // The target is an old primary of the same volume with more rows than one BEGIN may delete.
        Workload old = new Workload(target, 9);
        old.format(VOLUME);
        old.run(3000);
        Snapshot snap = snapshot("cp2");
        byte[] before = targetEngine.namespaceDigest();
        Attempt attempt = new Attempt(2, snap.index());
        assertErrno(attempt.begin(), Errno.EINVAL); // a live primary never installs another namespace
        assertThat(targetEngine.namespaceDigest()).isEqualTo(before);

        assertOk(mutate(target, MetaRequest.newBuilder().setRequestId(RequestId.newBuilder().setClientId(78).setSeq(1))
                .setFence(FenceOp.newBuilder().setEpoch(1).setReason("rejoin as a mirror"))));
        assertOk(attempt.begin());
        assertErrno(attempt.rows(List.of()), Errno.EAGAIN); // more than CLEAR_ROWS_MAX rows: not clear yet
        int begins = 1 + attempt.beginUntilCleared();
        assertThat(begins).isGreaterThan(1);
        snap.chunks().forEach(chunk -> assertOk(attempt.rows(chunk.getRowsList())));
        assertOk(attempt.end());
        assertThat(targetEngine.namespaceDigest()).isEqualTo(sourceEngine.namespaceDigest());
        assertThat(mirrorState().getFenced()).isFalse();
        assertThat(mirrorState().getRole()).isEqualTo("MIRROR");
    }

    @Test
    void invalidSequencesAreRefusedAndChangeNothing() throws Exception {
        Snapshot snap = snapshot("cp3");
        long s = snap.index();
        Attempt attempt = new Attempt(3, s);
        List<BootstrapRow> someRows = snap.chunks().get(0).getRowsList();

        // Nothing begun: ROWS and END are refused.
        byte[] empty = targetEngine.namespaceDigest();
        assertErrno(attempt.rows(someRows), Errno.EINVAL);
        assertErrno(attempt.end(), Errno.EINVAL);
        assertThat(targetEngine.namespaceDigest()).isEqualTo(empty);
        assertThat(mirrorState().getRole()).isEqualTo("UNSET");
        assertErrno(attempt.send(BootstrapOp.Phase.PHASE_UNSPECIFIED, List.of(), s, VOLUME), Errno.EINVAL);
        assertErrno(new Attempt(3, 0).begin(), Errno.EINVAL);
        assertErrno(attempt.send(BootstrapOp.Phase.BEGIN, List.of(), s, ""), Errno.EINVAL);

        attempt.beginUntilCleared();
        assertOk(attempt.rows(someRows));
        byte[] half = targetEngine.namespaceDigest();
        Consumer<MetaReply> refusedUnchanged = reply -> {
            assertErrno(reply, Errno.EINVAL);
            assertThat(targetEngine.namespaceDigest()).isEqualTo(half);
        };
        refusedUnchanged.accept(attempt.send(BootstrapOp.Phase.ROWS, someRows, s + 1, VOLUME)); // another snapshot
        refusedUnchanged.accept(new Attempt(4, s).rows(someRows)); // another attempt
        refusedUnchanged.accept(attempt.rows(List.of(row("changelog", new byte[] {1}, new byte[] {2}))));
        refusedUnchanged.accept(attempt.rows(List.of(row("no_such_family", new byte[] {1}, new byte[] {2}))));
        refusedUnchanged.accept(attempt.rows(List.of(row("meta", bytes("applied_index"), new byte[8]))));
        refusedUnchanged.accept(attempt.rows(List.of(row("inodes", new byte[0], new byte[] {2}))));
        byte[] otherVolume = VolumeInfo.newBuilder().setVolume("other").setFormatVersion(FsLimits.LOG_FORMAT_VERSION)
                .build().toByteArray();
        refusedUnchanged.accept(attempt.rows(List.of(row("meta", bytes("epoch"), new byte[8]),
                row("meta", bytes("volume"), otherVolume))));
        // A volume row without its epoch row: no reader expects that state.
        refusedUnchanged.accept(attempt.rows(List.of(row("meta", bytes("volume"),
                VolumeInfo.newBuilder().setVolume(VOLUME).build().toByteArray()))));
        refusedUnchanged.accept(attempt.end()); // the meta rows have not arrived: the namespace is incomplete

        // Half installed: MirroredOps and client mutations are refused too.
        MetaReply mirrored = mutate(target, MirroredOps.mirrored(0, ChangelogEntry.newBuilder().setIndex(1)
                .setEntry(LogEntry.newBuilder().setRequest(create("x").setRequestId(RequestId.newBuilder()
                        .setClientId(5).setSeq(1)))).build()).toBuilder());
        assertErrno(mirrored, Errno.ESTALE);
        assertErrno(mutate(target, create("client-write")), Errno.EROFS);
        assertThat(targetEngine.namespaceDigest()).isEqualTo(half);
        assertThat(mirrorState().getBootstrapRequired()).isTrue();
        assertThat(mirrorState().getPrimaryIndex()).as("END is the only thing that sets it").isZero();

        // The attempt itself is intact: it completes, and a duplicate END afterwards is refused.
        snap.chunks().forEach(chunk -> assertOk(attempt.rows(chunk.getRowsList())));
        assertOk(attempt.end());
        assertThat(targetEngine.namespaceDigest()).isEqualTo(sourceEngine.namespaceDigest());
        byte[] done = targetEngine.namespaceDigest();
        assertErrno(attempt.end(), Errno.EINVAL);
        assertErrno(attempt.rows(someRows), Errno.EINVAL);
        assertThat(targetEngine.namespaceDigest()).isEqualTo(done);
        assertThat(mirrorState().getPrimaryIndex()).isEqualTo(s);
    }

    @Test
    void aRedeliveredBeginKeepsItsRowsAndANewAttemptStartsOver() throws Exception {
        Snapshot snap = snapshot("cp4");
        Attempt first = new Attempt(10, snap.index());
        first.beginUntilCleared();
        snap.chunks().forEach(chunk -> assertOk(first.rows(chunk.getRowsList())));
        assertOk(first.begin()); // a redelivered BEGIN of this attempt must not wipe its rows
        assertOk(first.end());
        assertThat(targetEngine.namespaceDigest()).isEqualTo(sourceEngine.namespaceDigest());

        // The source moves on (and trims again); the mirror bootstraps anew over its installed namespace.
        work.run(100);
        mutate(source, MetaRequest.newBuilder().setRequestId(RequestId.newBuilder().setClientId(77).setSeq(2))
                .setTrimChangelog(TrimChangelogOp.newBuilder().setBelowIndex(source.index()).setReason("test")));
        Snapshot later = snapshot("cp5");
        Attempt failed = new Attempt(11, later.index());
        failed.beginUntilCleared();
        assertOk(failed.rows(later.chunks().get(0).getRowsList())); // then the attempt dies
        Attempt retry = new Attempt(12, later.index());
        retry.beginUntilCleared();
        assertErrno(failed.rows(later.chunks().get(1).getRowsList()), Errno.EINVAL); // a straggler of the dead attempt
        later.chunks().forEach(chunk -> assertOk(retry.rows(chunk.getRowsList())));
        assertOk(retry.end());
        assertThat(targetEngine.namespaceDigest()).isEqualTo(sourceEngine.namespaceDigest());
        assertThat(mirrorState().getPrimaryIndex()).isEqualTo(later.index());
        work.run(50);
        applyChangelogFrom(later.index());
        assertThat(targetEngine.namespaceDigest()).isEqualTo(sourceEngine.namespaceDigest());
    }

    // ---- helpers

    private record Snapshot(long index, List<BootstrapChunk> chunks) {}

    /** The source's rows from a checkpoint, cut into chunks exactly as the Bootstrap stream sends them. */
    private Snapshot snapshot(String name) throws Exception {
        Path cp = dir.resolve(name);
        sourceEngine.checkpoint(cp);
        List<BootstrapChunk> chunks = new ArrayList<>();
        try (RocksStore store = RocksStore.open(cp); RocksStore.SnapshotView view = store.snapshot()) {
            long index = BootstrapSource.snapshotIndex(view);
            long rows = BootstrapSource.chunks(view, index, SMALL_CHUNKS, chunks::add);
            assertThat(chunks.stream().mapToLong(BootstrapChunk::getRowsCount).sum()).isEqualTo(rows);
            assertThat(chunks).allSatisfy(c -> assertThat(c.getSnapshotIndex()).isEqualTo(index));
            assertThat(chunks).allSatisfy(c -> assertThat(c.getRowsCount()).isLessThanOrEqualTo(16));
            return new Snapshot(index, chunks);
        }
    }

    /** The source's retained changelog after {@code after}, applied to the target as chained MirroredOps. */
    private void applyChangelogFrom(long after) throws Exception {
        long previous = after;
        for (ChangelogRow row : sourceEngine.readChangelog(after + 1, 100_000, Long.MAX_VALUE)) {
            ChangelogEntry entry = ChangelogEntry.newBuilder().setIndex(row.index())
                    .setEntry(LogEntry.parseFrom(row.logEntry())).build();
            assertOk(mutate(target, MirroredOps.mirrored(previous, entry).toBuilder()));
            previous = row.index();
        }
        assertThat(previous).isGreaterThan(after);
    }

    private MirrorState mirrorState() throws Exception {
        return target.query(MirroredOps.mirrorState()).get().getMirrorState();
    }

    /** The proposals of one bootstrap attempt: its id is every request's client id. */
    private final class Attempt {
        private final long id;
        private final long snapshotIndex;
        private long seq;

        Attempt(long id, long snapshotIndex) {
            this.id = id;
            this.snapshotIndex = snapshotIndex;
        }

        MetaReply begin() {
            return send(BootstrapOp.Phase.BEGIN, List.of(), snapshotIndex, VOLUME);
        }

        MetaReply rows(List<BootstrapRow> rows) {
            return send(BootstrapOp.Phase.ROWS, rows, snapshotIndex, VOLUME);
        }

        MetaReply end() {
            return send(BootstrapOp.Phase.END, List.of(), snapshotIndex, VOLUME);
        }

        /** BEGIN until an empty ROWS is accepted; returns the number of BEGINs. */
        int beginUntilCleared() {
            for (int begins = 1; begins <= 100; begins++) {
                assertOk(begin());
                MetaReply probe = rows(List.of());
                if (probe.getErrno() == 0) {
                    return begins;
                }
                assertErrno(probe, Errno.EAGAIN);
            }
            throw new AssertionError("the clear did not complete in 100 BEGINs");
        }

        MetaReply send(BootstrapOp.Phase phase, List<BootstrapRow> rows, long s, String volume) {
            return mutate(target, MetaRequest.newBuilder().setRequestId(RequestId.newBuilder().setClientId(id).setSeq(++seq))
                    .setBootstrap(BootstrapOp.newBuilder().setPhase(phase).setSnapshotIndex(s).setVolume(volume)
                            .addAllRows(rows)));
        }
    }

    private static MetaReply mutate(EngineClient client, MetaRequest.Builder request) {
        try {
            return client.mutate(request.build()).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static MetaRequest.Builder create(String name) {
        return MetaRequest.newBuilder().setRequestId(RequestId.newBuilder().setClientId(6).setSeq(1))
                .setCreate(CreateOp.newBuilder().setParent(FsLimits.ROOT_INODE).setName(ByteString.copyFromUtf8(name))
                        .setType(FileType.REGULAR).setMode(0644).setInode(2));
    }

    private static BootstrapRow row(String family, byte[] key, byte[] value) {
        return BootstrapRow.newBuilder().setFamily(family).setKey(ByteString.copyFrom(key))
                .setValue(ByteString.copyFrom(value)).build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static void assertOk(MetaReply reply) {
        assertThat(Errno.of(reply.getErrno())).as("errno").isEqualTo(Errno.OK);
    }

    private static void assertErrno(MetaReply reply, Errno expected) {
        assertThat(Errno.of(reply.getErrno())).as("errno").isEqualTo(expected);
    }
}
