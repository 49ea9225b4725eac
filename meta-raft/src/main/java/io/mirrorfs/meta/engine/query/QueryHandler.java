package io.mirrorfs.meta.engine.query;

import com.google.protobuf.ByteString;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.AccessQuery;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.ChunkReply;
import io.mirrorfs.api.proto.DirEntry;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.GetLockQuery;
import io.mirrorfs.api.proto.GetXattrQuery;
import io.mirrorfs.api.proto.LockKind;
import io.mirrorfs.api.proto.LockList;
import io.mirrorfs.api.proto.LockRange;
import io.mirrorfs.api.proto.LockReply;
import io.mirrorfs.api.proto.LockType;
import io.mirrorfs.api.proto.LookupQuery;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.ReadChunkQuery;
import io.mirrorfs.api.proto.ReadDirQuery;
import io.mirrorfs.api.proto.ReadDirReply;
import io.mirrorfs.api.proto.StatFsReply;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.api.proto.XattrNames;
import io.mirrorfs.meta.engine.ops.Applier;
import io.mirrorfs.meta.engine.ops.ChunkLists;
import io.mirrorfs.meta.engine.ops.Counters;
import io.mirrorfs.meta.engine.ops.FsException;
import io.mirrorfs.meta.engine.ops.LockHandler;
import io.mirrorfs.meta.engine.ops.MetaKeys;
import io.mirrorfs.meta.engine.ops.Names;
import io.mirrorfs.meta.engine.ops.OpContext;
import io.mirrorfs.meta.engine.ops.Perms;
import io.mirrorfs.meta.engine.ops.XattrHandler;
import io.mirrorfs.meta.engine.region.RegionState;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.KeyValue;
import io.mirrorfs.meta.engine.store.Keys;
import io.mirrorfs.meta.engine.store.StateReader;
import java.util.List;

/** Answers reads from one consistent view of the state. Bad input is an errno, never an exception. */
public final class QueryHandler {
    /** statfs's answer for a volume formatted without a capacity: 1 PiB. */
    public static final long CAPACITY_UNLIMITED_BYTES = 1L << 50;
    /** xattr names listed per inode at most (a bound on the reply size). */
    static final int XATTR_NAMES_MAX = 4096;

    private final StateReader state;
    private final Caller caller;

    public QueryHandler(StateReader state, Caller caller) {
        this.state = state;
        this.caller = caller;
    }

    public MetaReply.Builder answer(MetaQuery q) {
        try {
            if (q.getQueryCase() == MetaQuery.QueryCase.MIRROR_STATE) {
                // Answered before the volume check: a new mirror is unformatted until it applies the
                // primary's FormatOp, and its follower must still learn that it is at primary index 0.
                return MetaReply.newBuilder().setMirrorState(mirrorState());
            }
            VolumeInfo volume = Applier.volume(state);
            FsException.check(volume != null, Errno.ENODEV);
            return switch (q.getQueryCase()) {
                case LOOKUP -> lookup(q.getLookup());
                case GETATTR -> MetaReply.newBuilder().setAttr(inode(q.getGetattr().getInode()));
                case READDIR -> readDir(q.getReaddir());
                case READLINK -> readLink(q.getReadlink().getInode());
                case GETXATTR -> getXattr(q.getGetxattr());
                case LISTXATTR -> listXattr(q.getListxattr().getInode());
                case STATFS -> statFs(volume);
                case READ_CHUNK -> readChunk(q.getReadChunk());
                case ACCESS -> access(q.getAccess());
                case GETLOCK -> getLock(q.getGetlock());
                case VOLUME -> MetaReply.newBuilder().setVolume(volume);
                case MIRROR_STATE -> throw new AssertionError("handled above");
                case QUERY_NOT_SET -> throw new FsException(Errno.EINVAL);
            };
        } catch (FsException e) {
            return MetaReply.newBuilder().setErrno(e.errno().code());
        }
    }

    private Attr inode(long ino) throws FsException {
        byte[] raw = ino == 0 ? null : state.get(Cf.INODES, Keys.inode(ino));
        FsException.check(raw != null, Errno.ENOENT);
        return OpContext.parse(Attr.parser(), raw);
    }

    private Attr dir(long ino) throws FsException {
        Attr dir = inode(ino);
        FsException.check(dir.getType() == FileType.DIRECTORY, Errno.ENOTDIR);
        return dir;
    }

    /** "." and ".." are answered too (the kernel asks for ".." when exporting over NFS). */
    private MetaReply.Builder lookup(LookupQuery q) throws FsException {
        Attr parent = dir(q.getParent());
        byte[] name = q.getName().toByteArray();
        Perms.require(parent, caller, Perms.X);
        if (Names.isDot(name)) {
            return MetaReply.newBuilder().setAttr(parent);
        }
        if (Names.isDotDot(name)) {
            return MetaReply.newBuilder().setAttr(inode(parent.getParent()));
        }
        Names.validate(name);
        byte[] raw = state.get(Cf.DENTRIES, Keys.dentry(parent.getInode(), name));
        FsException.check(raw != null, Errno.ENOENT);
        return MetaReply.newBuilder().setAttr(inode(OpContext.parse(DirEntry.parser(), raw).getInode()));
    }

    private MetaReply.Builder readDir(ReadDirQuery q) throws FsException {
        Attr dir = dir(q.getInode());
        Perms.require(dir, caller, Perms.R);
        int limit = q.getLimit() == 0 ? FsLimits.READDIR_PAGE_MAX : Math.min(q.getLimit(), FsLimits.READDIR_PAGE_MAX);
        byte[] prefix = Keys.inode(dir.getInode());
        byte[] after = q.getAfterName().isEmpty() ? null : Keys.dentry(dir.getInode(), q.getAfterName().toByteArray());
        // One row more than asked tells whether this page is the last.
        List<KeyValue> rows = state.scan(Cf.DENTRIES, prefix, after, limit + 1);
        ReadDirReply.Builder out = ReadDirReply.newBuilder().setEof(rows.size() <= limit);
        for (KeyValue kv : rows.subList(0, Math.min(limit, rows.size()))) {
            DirEntry e = OpContext.parse(DirEntry.parser(), kv.value()).toBuilder()
                    .setName(ByteString.copyFrom(Keys.dentryName(kv.key()))).build();
            if (q.getWithAttrs()) {
                e = e.toBuilder().setAttr(inode(e.getInode())).build();
            }
            out.addEntries(e);
        }
        return MetaReply.newBuilder().setReaddir(out);
    }

    private MetaReply.Builder readLink(long ino) throws FsException {
        Attr a = inode(ino);
        FsException.check(a.getType() == FileType.SYMLINK, Errno.EINVAL);
        byte[] target = state.get(Cf.SYMLINKS, Keys.inode(ino));
        assert target != null : "a symlink inode without its target";
        return MetaReply.newBuilder().setValue(ByteString.copyFrom(target));
    }

    private MetaReply.Builder getXattr(GetXattrQuery q) throws FsException {
        Attr a = inode(q.getInode());
        byte[] name = q.getName().toByteArray();
        XattrHandler.validateName(name);
        Perms.require(a, caller, Perms.R);
        byte[] value = state.get(Cf.XATTRS, Keys.xattr(a.getInode(), name));
        FsException.check(value != null, Errno.ENODATA);
        return MetaReply.newBuilder().setValue(ByteString.copyFrom(value));
    }

    private MetaReply.Builder listXattr(long ino) throws FsException {
        Attr a = inode(ino);
        XattrNames.Builder names = XattrNames.newBuilder();
        for (KeyValue kv : state.scan(Cf.XATTRS, Keys.inode(a.getInode()), null, XATTR_NAMES_MAX)) {
            names.addNames(ByteString.copyFrom(Keys.dentryName(kv.key())));
        }
        return MetaReply.newBuilder().setXattrNames(names);
    }

    private MetaReply.Builder statFs(VolumeInfo volume) {
        long capacity = volume.getCapacityBytes() == 0 ? CAPACITY_UNLIMITED_BYTES : volume.getCapacityBytes();
        long usedInodes = counter(Counters.USED_INODES);
        long inodesMax = volume.getInodesMax() == 0 ? Math.max(1L << 40, usedInodes) : volume.getInodesMax();
        return MetaReply.newBuilder().setStatfs(StatFsReply.newBuilder()
                .setTotalBytes(capacity)
                .setUsedBytes(counter(Counters.USED_BYTES))
                .setTotalInodes(inodesMax)
                .setUsedInodes(usedInodes));
    }

    private long counter(String name) {
        byte[] raw = state.get(Cf.COUNTERS, Keys.name(name));
        return raw == null ? 0 : Keys.readU64(raw, 0);
    }

    /** The chunk's visible runs, resolved: sorted, non-overlapping, holes omitted (they read as zeros). */
    private MetaReply.Builder readChunk(ReadChunkQuery q) throws FsException {
        Attr a = inode(q.getInode());
        FsException.check(a.getType() != FileType.DIRECTORY, Errno.EISDIR);
        FsException.check(a.getType() == FileType.REGULAR, Errno.EINVAL);
        byte[] raw = state.get(Cf.CHUNKS, Keys.chunk(a.getInode(), q.getChunkIndex()));
        ChunkReply.Builder out = ChunkReply.newBuilder();
        if (raw != null) {
            out.addAllSlices(ChunkLists.resolve(OpContext.parse(ChunkReply.parser(), raw).getSlicesList(), false));
        }
        return MetaReply.newBuilder().setChunk(out);
    }

    private MetaReply.Builder access(AccessQuery q) throws FsException {
        Attr a = inode(q.getInode());
        FsException.check((q.getMask() & ~7) == 0, Errno.EINVAL);
        Perms.require(a, caller, q.getMask());
        return MetaReply.newBuilder();
    }

    private MetaReply.Builder getLock(GetLockQuery q) throws FsException {
        Attr a = inode(q.getInode());
        LockKind kind = q.getKind();
        FsException.check(kind == LockKind.FLOCK || kind == LockKind.POSIX, Errno.EINVAL);
        LockRange want = LockHandler.normalize(kind, q.getRange());
        byte[] raw = state.get(Cf.LOCKS, Keys.lock(a.getInode(), kind.getNumber()));
        List<LockRange> held = raw == null ? List.of() : OpContext.parse(LockList.parser(), raw).getRangesList();
        LockRange conflict = want.getType() == LockType.UNLOCK ? null : LockHandler.conflict(held, want);
        LockRange answer = conflict != null ? conflict : want.toBuilder().setType(LockType.UNLOCK).build();
        return MetaReply.newBuilder().setLock(LockReply.newBuilder().setConflict(answer));
    }

    private MirrorState mirrorState() {
        return RegionState.read(state).toProto();
    }
}
