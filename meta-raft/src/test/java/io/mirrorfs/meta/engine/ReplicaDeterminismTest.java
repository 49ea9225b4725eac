package io.mirrorfs.meta.engine;

import static io.mirrorfs.meta.engine.TestFs.name;
import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.CloseSessionOp;
import io.mirrorfs.api.proto.CommitSliceOp;
import io.mirrorfs.api.proto.CreateOp;
import io.mirrorfs.api.proto.FallocateOp;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.LinkOp;
import io.mirrorfs.api.proto.LockKind;
import io.mirrorfs.api.proto.LockOp;
import io.mirrorfs.api.proto.LockRange;
import io.mirrorfs.api.proto.LockType;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.OpenSessionOp;
import io.mirrorfs.api.proto.RenameOp;
import io.mirrorfs.api.proto.RmdirOp;
import io.mirrorfs.api.proto.SetXattrOp;
import io.mirrorfs.api.proto.SliceRef;
import io.mirrorfs.api.proto.TruncateOp;
import io.mirrorfs.api.proto.UnlinkOp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas applying the same log reach byte-identical state (equal digests) and equal replies — also
 * when one replica is closed and reopened midway, and when one starts from a checkpoint taken midway.
 * The log mixes every kind of mutation, many of them refused, plus index-only entries (markApplied).
 */
class ReplicaDeterminismTest {
    static final int ENTRIES = 1200;

    @TempDir
    Path dir;

    /** A recorded log: an entry, or null for an index-only Raft entry. */
    private List<LogEntry> randomLog(long seed) throws Exception {
        Random rnd = new Random(seed);
        try (TestFs fs = TestFs.formatted(dir.resolve("source"))) {
            List<Long> inodes = new ArrayList<>(List.of(FsLimits.ROOT_INODE));
            String[] names = {"a", "b", "c"};
            for (int i = 0; i < ENTRIES; i++) {
                long parent = inodes.get(rnd.nextInt(inodes.size()));
                long target = inodes.get(rnd.nextInt(inodes.size()));
                String nm = names[rnd.nextInt(names.length)];
                MetaRequest.Builder req = MetaRequest.newBuilder();
                switch (rnd.nextInt(12)) {
                    case 0, 1 -> {
                        long ino = fs.newInode();
                        inodes.add(ino);
                        req.setCreate(CreateOp.newBuilder().setParent(parent).setName(name(nm)).setInode(ino)
                                .setType(rnd.nextBoolean() ? FileType.DIRECTORY : FileType.REGULAR).setMode(0755));
                    }
                    case 2 -> req.setUnlink(UnlinkOp.newBuilder().setParent(parent).setName(name(nm)));
                    case 3 -> req.setRmdir(RmdirOp.newBuilder().setParent(parent).setName(name(nm)));
                    case 4 -> req.setRename(RenameOp.newBuilder().setParent(parent).setName(name(nm))
                            .setNewParent(target).setNewName(name(names[rnd.nextInt(3)])).setFlags(rnd.nextInt(3)));
                    case 5 -> req.setLink(LinkOp.newBuilder().setInode(target).setNewParent(parent).setNewName(name(nm)));
                    case 6 -> req.setCommitSlice(CommitSliceOp.newBuilder().setInode(target).setChunkIndex(rnd.nextInt(2))
                            .setSlice(SliceRef.newBuilder().setSliceId(fs.newSlice()).setSliceSize(100).setLength(100)
                                    .setPositionInChunk(rnd.nextInt(1000))));
                    case 7 -> req.setTruncate(TruncateOp.newBuilder().setInode(target).setLength(rnd.nextInt(1200)));
                    case 8 -> req.setFallocate(FallocateOp.newBuilder().setInode(target).setMode(rnd.nextInt(4))
                            .setOffset(rnd.nextInt(1000)).setLength(1 + rnd.nextInt(500)));
                    case 9 -> req.setSetxattr(SetXattrOp.newBuilder().setInode(target).setName(name("user." + nm))
                            .setValue(name("v" + i)));
                    case 10 -> req.setOpenSession(OpenSessionOp.newBuilder().setHost("h").setPid(i));
                    default -> {
                        long session = 1 + rnd.nextInt(3);
                        if (rnd.nextInt(4) == 0) {
                            req.setCloseSession(CloseSessionOp.newBuilder().setSessionId(session));
                        } else {
                            long start = rnd.nextInt(100);
                            req.setLock(LockOp.newBuilder().setInode(target)
                                    .setKind(rnd.nextBoolean() ? LockKind.POSIX : LockKind.FLOCK)
                                    .setRange(LockRange.newBuilder().setType(LockType.forNumber(1 + rnd.nextInt(3)))
                                            .setStart(start).setEnd(start + rnd.nextInt(50)).setOwner(rnd.nextInt(3))
                                            .setSessionId(session)));
                        }
                    }
                }
                fs.run(req);
            }
            List<LogEntry> log = new ArrayList<>();
            // Re-run the recorded log with index-only entries sprinkled in, as Raft would deliver it.
            for (LogEntry e : fs.log) {
                if (rnd.nextInt(50) == 0) {
                    log.add(null);
                }
                log.add(e);
            }
            return log;
        }
    }

    private static void applyRange(NamespaceEngine engine, List<LogEntry> log, int from, int to, List<MetaReply> replies)
            throws Exception {
        for (int i = from; i < to; i++) {
            long index = i + 1;
            if (log.get(i) == null) {
                engine.markApplied(index);
            } else {
                replies.add(engine.apply(index, log.get(i)));
            }
        }
    }

    @Test
    void replicasReachIdenticalState() throws Exception {
        List<LogEntry> log = randomLog(7);
        int half = log.size() / 2;

        List<MetaReply> straight = new ArrayList<>();
        byte[] expected;
        try (NamespaceEngine a = NamespaceEngine.open(dir.resolve("a"))) {
            applyRange(a, log, 0, log.size(), straight);
            expected = a.digest();
            assertThat(a.appliedIndex()).isEqualTo(log.size());
        }

        List<MetaReply> reopened = new ArrayList<>();
        NamespaceEngine b = NamespaceEngine.open(dir.resolve("b"));
        applyRange(b, log, 0, half, reopened);
        b.close();
        b = NamespaceEngine.open(dir.resolve("b"));
        assertThat(b.appliedIndex()).isEqualTo(half);
        // Raft may redeliver entries at or below the applied index after a restart: they are skipped.
        applyRange(b, log, half - 5, half, new ArrayList<>());
        applyRange(b, log, half, log.size(), reopened);
        assertThat(HexFormat.of().formatHex(b.digest())).isEqualTo(HexFormat.of().formatHex(expected));
        b.close();
        assertThat(reopened).isEqualTo(straight);

        List<MetaReply> fromCheckpoint = new ArrayList<>();
        Path checkpoint = dir.resolve("checkpoint");
        try (NamespaceEngine c = NamespaceEngine.open(dir.resolve("c"))) {
            applyRange(c, log, 0, half, fromCheckpoint);
            assertThat(c.checkpoint(checkpoint)).isEqualTo(half);
            applyRange(c, log, half, half + 10, new ArrayList<>()); // moves on; the checkpoint must not
        }
        try (NamespaceEngine d = NamespaceEngine.open(checkpoint)) {
            assertThat(d.appliedIndex()).isEqualTo(half);
            applyRange(d, log, half, log.size(), fromCheckpoint);
            assertThat(HexFormat.of().formatHex(d.digest())).isEqualTo(HexFormat.of().formatHex(expected));
            assertThat(d.volumeInfo()).isNotNull();
        }
        assertThat(fromCheckpoint).isEqualTo(straight);
    }

    @Test
    void differentStateGivesDifferentDigest() throws Exception {
        try (TestFs a = TestFs.formatted(dir.resolve("x")); TestFs b = TestFs.formatted(dir.resolve("y"))) {
            assertThat(a.engine.digest()).isEqualTo(b.engine.digest());
            a.mkdir(FsLimits.ROOT_INODE, "only-in-a");
            assertThat(a.engine.digest()).isNotEqualTo(b.engine.digest());
        }
    }
}
