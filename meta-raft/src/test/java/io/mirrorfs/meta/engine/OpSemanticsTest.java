package io.mirrorfs.meta.engine;

import static io.mirrorfs.meta.engine.TestFs.ROOT_INODE;
import static io.mirrorfs.meta.engine.TestFs.errno;
import static io.mirrorfs.meta.engine.TestFs.name;
import static io.mirrorfs.meta.engine.TestFs.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.AccessQuery;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.CloseSessionOp;
import io.mirrorfs.api.proto.FallocateOp;
import io.mirrorfs.api.proto.GetLockQuery;
import io.mirrorfs.api.proto.HeartbeatOp;
import io.mirrorfs.api.proto.LockKind;
import io.mirrorfs.api.proto.LockOp;
import io.mirrorfs.api.proto.LockRange;
import io.mirrorfs.api.proto.LockType;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.OpenSessionOp;
import io.mirrorfs.api.proto.ReadChunkQuery;
import io.mirrorfs.api.proto.ReadDirQuery;
import io.mirrorfs.api.proto.RenameOp;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.SetAttrOp;
import io.mirrorfs.api.proto.SliceRef;
import io.mirrorfs.api.proto.StatFsQuery;
import io.mirrorfs.api.proto.TruncateOp;
import io.mirrorfs.api.proto.UnlinkOp;
import io.mirrorfs.api.proto.CreateOp;
import io.mirrorfs.api.proto.FileType;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-operation rules: permissions, time and nlink bookkeeping, data, sessions, locks, dedup. */
class OpSemanticsTest {
    static final Caller ALICE = TestFs.user(1000, 1000, 50);
    static final Caller BOB = TestFs.user(1001, 1001);

    @TempDir
    Path dir;
    TestFs fs;

    @BeforeEach
    void setUp() throws Exception {
        fs = TestFs.formatted(dir.resolve("db"));
    }

    @AfterEach
    void tearDown() {
        fs.close();
    }

    private MetaReply setattr(Caller who, SetAttrOp.Builder op) throws Exception {
        return fs.runAs(who, MetaRequest.newBuilder().setSetattr(op));
    }

    private long fileOf(Caller owner, long parent, String n, int mode) throws Exception {
        return ok(fs.runAs(owner, MetaRequest.newBuilder().setCreate(CreateOp.newBuilder().setParent(parent)
                .setName(name(n)).setType(FileType.REGULAR).setMode(mode).setInode(fs.newInode())))).getAttr().getInode();
    }

    /** A world-writable directory (the root is 0755 root's, so users cannot create there). */
    private long publicDir() throws Exception {
        return ok(fs.create(ROOT_INODE, "pub", FileType.DIRECTORY, 0777)).getAttr().getInode();
    }

    @Test
    void mkdirRmdirAndRenameKeepNlinkAndTimes() throws Exception {
        long t0 = fs.timeNs;
        long a = fs.mkdir(ROOT_INODE, "a");
        Attr root = fs.attr(ROOT_INODE);
        assertThat(root.getNlink()).isEqualTo(3);
        assertThat(root.getMtimeNs()).isEqualTo(fs.timeNs).isGreaterThan(t0);
        assertThat(root.getCtimeNs()).isEqualTo(fs.timeNs);
        long b = fs.mkdir(ROOT_INODE, "b");
        long child = fs.mkdir(a, "child");
        assertThat(fs.attr(a).getNlink()).isEqualTo(3);
        ok(fs.run(MetaRequest.newBuilder().setRename(RenameOp.newBuilder().setParent(a).setName(name("child"))
                .setNewParent(b).setNewName(name("moved")))));
        assertThat(fs.attr(a).getNlink()).isEqualTo(2);
        assertThat(fs.attr(b).getNlink()).isEqualTo(3);
        assertThat(fs.attr(child).getParent()).isEqualTo(b);
        assertThat(fs.attr(child).getCtimeNs()).isEqualTo(fs.timeNs);
        assertThat(fs.attr(a).getMtimeNs()).isEqualTo(fs.timeNs);
        assertThat(fs.attr(b).getMtimeNs()).isEqualTo(fs.timeNs);
        // Exchange a directory in b with a file in a: links move with the directory.
        long f = fs.file(a, "f");
        ok(fs.run(MetaRequest.newBuilder().setRename(RenameOp.newBuilder().setParent(a).setName(name("f"))
                .setNewParent(b).setNewName(name("moved")).setFlags(FsLimits.RENAME_EXCHANGE))));
        assertThat(fs.attr(a).getNlink()).isEqualTo(3);
        assertThat(fs.attr(b).getNlink()).isEqualTo(2);
        assertThat(fs.lookup(a, "f").getAttr().getInode()).isEqualTo(child);
        assertThat(fs.lookup(b, "moved").getAttr().getInode()).isEqualTo(f);
        // Renaming a name onto a hard link of the same inode is a successful no-op.
        ok(fs.run(MetaRequest.newBuilder().setLink(io.mirrorfs.api.proto.LinkOp.newBuilder().setInode(f)
                .setNewParent(b).setNewName(name("hard")))));
        assertThat(fs.attr(f).getNlink()).isEqualTo(2);
        ok(fs.run(MetaRequest.newBuilder().setRename(RenameOp.newBuilder().setParent(b).setName(name("moved"))
                .setNewParent(b).setNewName(name("hard")))));
        assertThat(fs.lookup(b, "moved").getErrno()).isZero();
        // Rename over a non-empty directory.
        fs.mkdir(b, "full");
        fs.file(fs.lookup(b, "full").getAttr().getInode(), "x");
        assertThat(errno(fs.run(MetaRequest.newBuilder().setRename(RenameOp.newBuilder().setParent(a)
                .setName(name("f")).setNewParent(b).setNewName(name("full")))))).isEqualTo(Errno.ENOTEMPTY);
    }

    @Test
    void chmodChownRules() throws Exception {
        long f = fileOf(ALICE, publicDir(), "f", 06755);
        assertThat(errno(setattr(BOB, SetAttrOp.newBuilder().setInode(f).setValid(FsLimits.SET_MODE).setMode(0777))))
                .isEqualTo(Errno.EPERM);
        // Alice's file is in group 1000 (hers); after chgrp to 50 (a supplementary group) she may keep setgid.
        ok(setattr(ALICE, SetAttrOp.newBuilder().setInode(f).setValid(FsLimits.SET_GID).setGid(50)));
        Attr a = fs.attr(f);
        assertThat(a.getGid()).isEqualTo(50);
        assertThat(a.getMode()).as("chgrp by non-root clears setuid/setgid").isEqualTo(0755);
        assertThat(errno(setattr(ALICE, SetAttrOp.newBuilder().setInode(f).setValid(FsLimits.SET_GID).setGid(7))))
                .isEqualTo(Errno.EPERM);
        assertThat(errno(setattr(ALICE, SetAttrOp.newBuilder().setInode(f).setValid(FsLimits.SET_UID).setUid(1001))))
                .isEqualTo(Errno.EPERM);
        ok(setattr(TestFs.ROOT, SetAttrOp.newBuilder().setInode(f).setValid(FsLimits.SET_GID).setGid(7)));
        ok(setattr(ALICE, SetAttrOp.newBuilder().setInode(f).setValid(FsLimits.SET_MODE).setMode(02755)));
        assertThat(fs.attr(f).getMode()).as("setgid dropped: gid 7 is not Alice's").isEqualTo(0755);
        long ctime = fs.attr(f).getCtimeNs();
        ok(setattr(TestFs.ROOT, SetAttrOp.newBuilder().setInode(f).setValid(FsLimits.SET_UID).setUid(1001)));
        assertThat(fs.attr(f).getUid()).isEqualTo(1001);
        assertThat(fs.attr(f).getCtimeNs()).isGreaterThan(ctime);
    }

    @Test
    void timesAndSizeNeedTheRightPermission() throws Exception {
        long f = fileOf(ALICE, publicDir(), "f", 0646); // others may write
        assertThat(errno(setattr(BOB, SetAttrOp.newBuilder().setInode(f)
                .setValid(FsLimits.SET_ATIME | FsLimits.SET_MTIME).setAtimeNs(5).setMtimeNs(6)))).isEqualTo(Errno.EPERM);
        ok(setattr(BOB, SetAttrOp.newBuilder().setInode(f).setValid(FsLimits.SET_ATIME_NOW | FsLimits.SET_MTIME_NOW)));
        assertThat(fs.attr(f).getMtimeNs()).isEqualTo(fs.timeNs);
        ok(setattr(BOB, SetAttrOp.newBuilder().setInode(f).setValid(FsLimits.SET_SIZE).setSize(10)));
        ok(setattr(ALICE, SetAttrOp.newBuilder().setInode(f).setValid(FsLimits.SET_MODE).setMode(0644)));
        assertThat(errno(setattr(BOB, SetAttrOp.newBuilder().setInode(f).setValid(FsLimits.SET_SIZE).setSize(0))))
                .isEqualTo(Errno.EACCES);
        assertThat(errno(setattr(BOB, SetAttrOp.newBuilder().setInode(f)
                .setValid(FsLimits.SET_MTIME_NOW)))).isEqualTo(Errno.EACCES);
        ok(setattr(ALICE, SetAttrOp.newBuilder().setInode(f).setValid(FsLimits.SET_ATIME | FsLimits.SET_MTIME)
                .setAtimeNs(5).setMtimeNs(6)));
        assertThat(fs.attr(f).getAtimeNs()).isEqualTo(5);
        assertThat(fs.attr(f).getMtimeNs()).isEqualTo(6);
    }

    @Test
    void stickyDirectoryAndSearchPermission() throws Exception {
        long tmp = fs.mkdir(ROOT_INODE, "tmp");
        ok(setattr(TestFs.ROOT, SetAttrOp.newBuilder().setInode(tmp).setValid(FsLimits.SET_MODE).setMode(01777)));
        fileOf(ALICE, tmp, "hers", 0644);
        MetaRequest.Builder unlink = MetaRequest.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(tmp)
                .setName(name("hers")));
        assertThat(errno(fs.runAs(BOB, unlink.clone()))).isEqualTo(Errno.EPERM);
        ok(fs.runAs(ALICE, unlink.clone()));

        long priv = fs.mkdir(ROOT_INODE, "priv");
        ok(setattr(TestFs.ROOT, SetAttrOp.newBuilder().setInode(priv).setValid(FsLimits.SET_MODE).setMode(0700)));
        fs.file(priv, "secret");
        fs.caller = BOB;
        assertThat(errno(fs.lookup(priv, "secret"))).isEqualTo(Errno.EACCES);
        assertThat(errno(fs.query(MetaQuery.newBuilder().setReaddir(ReadDirQuery.newBuilder().setInode(priv)))))
                .isEqualTo(Errno.EACCES);
        fs.caller = TestFs.ROOT;
        assertThat(errno(fs.lookup(priv, "secret"))).isEqualTo(Errno.OK);
        // Root needs some x bit to execute a file, not to search a directory.
        long plain = fs.lookup(priv, "secret").getAttr().getInode();
        assertThat(errno(fs.query(MetaQuery.newBuilder().setAccess(AccessQuery.newBuilder().setInode(plain).setMask(1)))))
                .isEqualTo(Errno.EACCES);
        assertThat(errno(fs.query(MetaQuery.newBuilder().setAccess(AccessQuery.newBuilder().setInode(priv).setMask(7)))))
                .isEqualTo(Errno.OK);
    }

    private List<SliceRef> chunk(long inode, int index) {
        return ok(fs.query(MetaQuery.newBuilder().setReadChunk(ReadChunkQuery.newBuilder().setInode(inode)
                .setChunkIndex(index)))).getChunk().getSlicesList();
    }

    @Test
    void truncateDownThenUpReadsZerosAndStatfsCountsBytes() throws Exception {
        long f = fs.file(ROOT_INODE, "f");
        ok(fs.commit(f, 0, 0, 1000));
        ok(fs.commit(f, 1, 0, 10));
        assertThat(fs.attr(f).getSize()).isEqualTo(FsLimits.CHUNK_SIZE_BYTES + 10);
        ok(fs.run(MetaRequest.newBuilder().setTruncate(TruncateOp.newBuilder().setInode(f).setLength(100))));
        ok(fs.run(MetaRequest.newBuilder().setTruncate(TruncateOp.newBuilder().setInode(f).setLength(5000))));
        assertThat(chunk(f, 0)).singleElement().satisfies(s -> assertThat(s.getLength()).isEqualTo(100));
        assertThat(chunk(f, 1)).isEmpty();
        assertThat(fs.attr(f).getSize()).isEqualTo(5000);
        MetaReply st = ok(fs.query(MetaQuery.newBuilder().setStatfs(StatFsQuery.getDefaultInstance())));
        assertThat(st.getStatfs().getUsedBytes()).isEqualTo(5000);
        assertThat(st.getStatfs().getTotalBytes()).isEqualTo(1L << 50);
        assertThat(st.getStatfs().getUsedInodes()).isEqualTo(2);
        ok(fs.run(MetaRequest.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(ROOT_INODE).setName(name("f")))));
        st = ok(fs.query(MetaQuery.newBuilder().setStatfs(StatFsQuery.getDefaultInstance())));
        assertThat(st.getStatfs().getUsedBytes()).isZero();
        assertThat(st.getStatfs().getUsedInodes()).isEqualTo(1);
    }

    @Test
    void fallocateModes() throws Exception {
        long f = fs.file(ROOT_INODE, "f");
        ok(fs.commit(f, 0, 0, 100));
        ok(fallocate(f, 0, 0, 300));
        assertThat(fs.attr(f).getSize()).isEqualTo(300);
        ok(fallocate(f, FsLimits.FALLOC_KEEP_SIZE, 0, 900));
        assertThat(fs.attr(f).getSize()).isEqualTo(300);
        ok(fallocate(f, FsLimits.FALLOC_PUNCH_HOLE | FsLimits.FALLOC_KEEP_SIZE, 10, 20));
        assertThat(chunk(f, 0)).extracting(SliceRef::getPositionInChunk, SliceRef::getLength)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 10), org.assertj.core.groups.Tuple.tuple(30, 70));
        assertThat(errno(fallocate(f, FsLimits.FALLOC_PUNCH_HOLE, 0, 10))).isEqualTo(Errno.EINVAL);
        ok(fallocate(f, FsLimits.FALLOC_ZERO_RANGE, 50, 1000));
        assertThat(fs.attr(f).getSize()).isEqualTo(1050);
        assertThat(chunk(f, 0)).extracting(SliceRef::getLength).containsExactly(10, 20);
    }

    private MetaReply fallocate(long f, int mode, long offset, long length) throws Exception {
        return fs.run(MetaRequest.newBuilder().setFallocate(FallocateOp.newBuilder().setInode(f).setMode(mode)
                .setOffset(offset).setLength(length)));
    }

    private MetaReply lock(long f, LockKind kind, LockType type, long start, long end, long owner, long session)
            throws Exception {
        return fs.run(MetaRequest.newBuilder().setLock(LockOp.newBuilder().setInode(f).setKind(kind)
                .setRange(LockRange.newBuilder().setType(type).setStart(start).setEnd(end).setOwner(owner)
                        .setSessionId(session))));
    }

    private LockRange getLock(long f, LockKind kind, LockType type, long start, long end, long owner) {
        return ok(fs.query(MetaQuery.newBuilder().setGetlock(GetLockQuery.newBuilder().setInode(f).setKind(kind)
                .setRange(LockRange.newBuilder().setType(type).setStart(start).setEnd(end).setOwner(owner)))))
                .getLock().getConflict();
    }

    @Test
    void sessionsAndLocks() throws Exception {
        long f = fs.file(ROOT_INODE, "f");
        long s1 = ok(fs.run(MetaRequest.newBuilder().setOpenSession(OpenSessionOp.newBuilder().setHost("h1")))).getSessionId();
        long s2 = ok(fs.run(MetaRequest.newBuilder().setOpenSession(OpenSessionOp.newBuilder().setHost("h2")))).getSessionId();
        assertThat(s2).isEqualTo(s1 + 1);
        ok(fs.run(MetaRequest.newBuilder().setHeartbeat(HeartbeatOp.newBuilder().setSessionId(s1))));
        assertThat(errno(fs.run(MetaRequest.newBuilder().setHeartbeat(HeartbeatOp.newBuilder().setSessionId(99)))))
                .isEqualTo(Errno.ENOENT);

        ok(lock(f, LockKind.POSIX, LockType.WRITE, 0, 99, 1, s1));
        assertThat(errno(lock(f, LockKind.POSIX, LockType.READ, 50, 60, 2, s2))).isEqualTo(Errno.EAGAIN);
        ok(lock(f, LockKind.POSIX, LockType.UNLOCK, 40, 69, 1, s1)); // splits owner 1's lock in two
        ok(lock(f, LockKind.POSIX, LockType.READ, 50, 60, 2, s2));
        assertThat(getLock(f, LockKind.POSIX, LockType.WRITE, 0, 200, 3).getOwner()).isEqualTo(1);
        assertThat(getLock(f, LockKind.POSIX, LockType.READ, 45, 65, 3).getType()).isEqualTo(LockType.UNLOCK);
        assertThat(getLock(f, LockKind.POSIX, LockType.WRITE, 45, 65, 3).getOwner()).isEqualTo(2);
        ok(lock(f, LockKind.POSIX, LockType.WRITE, 40, 49, 1, s1)); // merges with [0,39]
        assertThat(getLock(f, LockKind.POSIX, LockType.READ, 0, 49, 3)).satisfies(l -> {
            assertThat(l.getStart()).isZero();
            assertThat(l.getEnd()).isEqualTo(49);
        });

        ok(lock(f, LockKind.FLOCK, LockType.READ, 0, 0, 7, s1));
        ok(lock(f, LockKind.FLOCK, LockType.READ, 0, 0, 8, s2));
        assertThat(errno(lock(f, LockKind.FLOCK, LockType.WRITE, 0, 0, 7, s1))).isEqualTo(Errno.EAGAIN);

        ok(fs.run(MetaRequest.newBuilder().setCloseSession(CloseSessionOp.newBuilder().setSessionId(s1))));
        assertThat(getLock(f, LockKind.POSIX, LockType.WRITE, 0, 39, 3).getType()).isEqualTo(LockType.UNLOCK);
        ok(lock(f, LockKind.FLOCK, LockType.WRITE, 0, 0, 8, s2)); // owner 7's read lock went with s1
        assertThat(errno(fs.run(MetaRequest.newBuilder().setHeartbeat(HeartbeatOp.newBuilder().setSessionId(s1)))))
                .isEqualTo(Errno.ENOENT);
    }

    @Test
    void dedupTableIsBoundedPerClient() throws Exception {
        long first = 0;
        for (int seq = 1; seq <= 1100; seq++) {
            MetaReply r = fs.run(MetaRequest.newBuilder().setRequestId(RequestId.newBuilder().setClientId(77).setSeq(seq))
                    .setOpenSession(OpenSessionOp.getDefaultInstance()));
            if (seq == 1) {
                first = r.getSessionId();
            }
        }
        // Seq 1100 is remembered; seq 1 fell out of the window and would be applied again.
        MetaReply retried = fs.run(MetaRequest.newBuilder().setRequestId(RequestId.newBuilder().setClientId(77).setSeq(1100))
                .setOpenSession(OpenSessionOp.getDefaultInstance()));
        assertThat(retried.getSessionId()).isEqualTo(first + 1099);
        MetaReply evicted = fs.run(MetaRequest.newBuilder().setRequestId(RequestId.newBuilder().setClientId(77).setSeq(1))
                .setOpenSession(OpenSessionOp.getDefaultInstance()));
        assertThat(evicted.getSessionId()).isEqualTo(first + 1100);
    }
}
