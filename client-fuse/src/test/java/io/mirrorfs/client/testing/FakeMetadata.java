package io.mirrorfs.client.testing;

import com.google.protobuf.ByteString;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.*;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A small in-memory metadata service for client unit tests only, used until (and beside) the real
 * engine: single lock, no permission checks, POSIX-ish semantics for the ops the client sends.
 * Not a model of the real engine; tests of real behaviour run against NamespaceEngine / Ratis.
 */
public final class FakeMetadata implements MetadataClient {
    private final Map<Long, Attr.Builder> inodes = new HashMap<>();
    private final Map<Long, TreeMap<ByteString, Long>> dirs = new HashMap<>();
    private final Map<Long, Map<Integer, List<SliceRef>>> chunks = new HashMap<>();
    private final Map<Long, ByteString> symlinks = new HashMap<>();
    private final Map<Long, TreeMap<ByteString, ByteString>> xattrs = new HashMap<>();
    private final Map<String, Long> counters = new HashMap<>();
    private final VolumeInfo volume;
    private long index;
    public volatile int commits;

    public FakeMetadata(String volumeName, int blockSizeBytes) {
        volume = VolumeInfo.newBuilder().setVolume(volumeName).setBlockSizeBytes(blockSizeBytes).setFormatVersion(1)
                .setStoreUri("mem://").build();
        Attr.Builder root = Attr.newBuilder().setInode(FsLimits.ROOT_INODE).setType(FileType.DIRECTORY).setMode(0755)
                .setNlink(2).setParent(FsLimits.ROOT_INODE);
        inodes.put(FsLimits.ROOT_INODE, root);
        dirs.put(FsLimits.ROOT_INODE, new TreeMap<>(FakeMetadata::compareBytes));
    }

    private static int compareBytes(ByteString a, ByteString b) {
        return ByteString.unsignedLexicographicalComparator().compare(a, b);
    }

    @Override
    public synchronized CompletableFuture<MetaReply> mutate(MetaRequest r) {
        index++;
        long now = System.nanoTime();
        try {
            MetaReply.Builder reply = MetaReply.newBuilder().setIndex(index);
            switch (r.getOpCase()) {
                case CREATE -> reply.setAttr(create(r.getCreate(), now));
                case UNLINK -> remove(r.getUnlink().getParent(), r.getUnlink().getName(), false, now);
                case RMDIR -> remove(r.getRmdir().getParent(), r.getRmdir().getName(), true, now);
                case RENAME -> rename(r.getRename(), now);
                case LINK -> reply.setAttr(link(r.getLink(), now));
                case SETATTR -> reply.setAttr(setattr(r.getSetattr(), now));
                case COMMIT_SLICE -> reply.setAttr(commit(r.getCommitSlice(), now));
                case TRUNCATE -> reply.setAttr(truncate(r.getTruncate().getInode(), r.getTruncate().getLength(), now));
                case FALLOCATE -> fallocate(r.getFallocate(), now);
                case SETXATTR -> xattrs.computeIfAbsent(attr(r.getSetxattr().getInode()).getInode(), i -> new TreeMap<>(FakeMetadata::compareBytes))
                        .put(r.getSetxattr().getName(), r.getSetxattr().getValue());
                case REMOVEXATTR -> {
                    TreeMap<ByteString, ByteString> x = xattrs.get(r.getRemovexattr().getInode());
                    if (x == null || x.remove(r.getRemovexattr().getName()) == null) throw new Fail(Errno.ENODATA);
                }
                case ALLOCATE_IDS -> {
                    String k = r.getAllocateIds().getKind().name();
                    long first = counters.getOrDefault(k, 1000L);
                    counters.put(k, first + r.getAllocateIds().getCount());
                    reply.setIds(IdRange.newBuilder().setFirst(first).setCount(r.getAllocateIds().getCount()));
                }
                case LOCK, OPEN_SESSION, CLOSE_SESSION, HEARTBEAT -> { }
                default -> throw new Fail(Errno.ENOSYS);
            }
            return CompletableFuture.completedFuture(reply.build());
        } catch (Fail f) {
            return CompletableFuture.completedFuture(MetaReply.newBuilder().setIndex(index).setErrno(f.errno.code()).build());
        }
    }

    private static final class Fail extends Exception {
        final Errno errno;

        Fail(Errno errno) {
            super(errno.name(), null, false, false);
            this.errno = errno;
        }
    }

    private Attr.Builder attr(long inode) throws Fail {
        Attr.Builder a = inodes.get(inode);
        if (a == null) throw new Fail(Errno.ENOENT);
        return a;
    }

    private TreeMap<ByteString, Long> dir(long inode) throws Fail {
        attr(inode);
        TreeMap<ByteString, Long> d = dirs.get(inode);
        if (d == null) throw new Fail(Errno.ENOTDIR);
        return d;
    }

    private static void checkName(ByteString name) throws Fail {
        if (name.size() > FsLimits.NAME_BYTES_MAX) throw new Fail(Errno.ENAMETOOLONG);
    }

    private Attr create(CreateOp op, long now) throws Fail {
        checkName(op.getName());
        TreeMap<ByteString, Long> d = dir(op.getParent());
        Long existing = d.get(op.getName());
        if (existing != null) {
            if (op.getOpenExisting() && inodes.get(existing).getType() == FileType.REGULAR) return inodes.get(existing).build();
            throw new Fail(Errno.EEXIST);
        }
        Attr.Builder a = Attr.newBuilder().setInode(op.getInode()).setType(op.getType()).setMode(op.getMode())
                .setNlink(op.getType() == FileType.DIRECTORY ? 2 : 1).setAtimeNs(now).setMtimeNs(now).setCtimeNs(now)
                .setRdev(op.getRdev());
        if (op.getType() == FileType.DIRECTORY) {
            a.setParent(op.getParent());
            dirs.put(op.getInode(), new TreeMap<>(FakeMetadata::compareBytes));
            attr(op.getParent()).setNlink(attr(op.getParent()).getNlink() + 1);
        }
        if (op.getType() == FileType.SYMLINK) {
            symlinks.put(op.getInode(), op.getSymlinkTarget());
            a.setSize(op.getSymlinkTarget().size());
        }
        inodes.put(op.getInode(), a);
        d.put(op.getName(), op.getInode());
        attr(op.getParent()).setMtimeNs(now).setCtimeNs(now);
        return a.build();
    }

    private void remove(long parent, ByteString name, boolean directory, long now) throws Fail {
        TreeMap<ByteString, Long> d = dir(parent);
        Long inode = d.get(name);
        if (inode == null) throw new Fail(Errno.ENOENT);
        Attr.Builder a = attr(inode);
        if (directory && a.getType() != FileType.DIRECTORY) throw new Fail(Errno.ENOTDIR);
        if (!directory && a.getType() == FileType.DIRECTORY) throw new Fail(Errno.EISDIR);
        if (directory && !dirs.get(inode).isEmpty()) throw new Fail(Errno.ENOTEMPTY);
        d.remove(name);
        dropLink(inode, now);
        if (directory) attr(parent).setNlink(attr(parent).getNlink() - 1);
        attr(parent).setMtimeNs(now).setCtimeNs(now);
    }

    private void dropLink(long inode, long now) {
        Attr.Builder a = inodes.get(inode);
        int links = a.getType() == FileType.DIRECTORY ? 0 : a.getNlink() - 1;
        a.setNlink(links).setCtimeNs(now);
        if (links == 0) {
            inodes.remove(inode);
            dirs.remove(inode);
            chunks.remove(inode);
            symlinks.remove(inode);
            xattrs.remove(inode);
        }
    }

    private void rename(RenameOp op, long now) throws Fail {
        checkName(op.getNewName());
        TreeMap<ByteString, Long> from = dir(op.getParent());
        TreeMap<ByteString, Long> to = dir(op.getNewParent());
        Long moved = from.get(op.getName());
        if (moved == null) throw new Fail(Errno.ENOENT);
        Long replaced = to.get(op.getNewName());
        if (replaced != null && replaced.equals(moved)) return;
        Attr.Builder m = attr(moved);
        if (m.getType() == FileType.DIRECTORY) {
            for (long p = op.getNewParent(); ; p = inodes.get(p).getParent()) {
                if (p == moved) throw new Fail(Errno.EINVAL);
                if (p == FsLimits.ROOT_INODE) break;
            }
        }
        if (replaced != null) {
            Attr.Builder r = attr(replaced);
            if (r.getType() == FileType.DIRECTORY) {
                if (m.getType() != FileType.DIRECTORY) throw new Fail(Errno.EISDIR);
                if (!dirs.get(replaced).isEmpty()) throw new Fail(Errno.ENOTEMPTY);
                attr(op.getNewParent()).setNlink(attr(op.getNewParent()).getNlink() - 1);
            } else if (m.getType() == FileType.DIRECTORY) {
                throw new Fail(Errno.ENOTDIR);
            }
            dropLink(replaced, now);
        }
        from.remove(op.getName());
        to.put(op.getNewName(), moved);
        if (m.getType() == FileType.DIRECTORY && op.getParent() != op.getNewParent()) {
            m.setParent(op.getNewParent());
            attr(op.getParent()).setNlink(attr(op.getParent()).getNlink() - 1);
            attr(op.getNewParent()).setNlink(attr(op.getNewParent()).getNlink() + 1);
        }
        m.setCtimeNs(now);
    }

    private Attr link(LinkOp op, long now) throws Fail {
        checkName(op.getNewName());
        Attr.Builder a = attr(op.getInode());
        if (a.getType() == FileType.DIRECTORY) throw new Fail(Errno.EPERM);
        TreeMap<ByteString, Long> d = dir(op.getNewParent());
        if (d.containsKey(op.getNewName())) throw new Fail(Errno.EEXIST);
        d.put(op.getNewName(), op.getInode());
        a.setNlink(a.getNlink() + 1).setCtimeNs(now);
        return a.build();
    }

    private Attr setattr(SetAttrOp op, long now) throws Fail {
        Attr.Builder a = attr(op.getInode());
        int v = op.getValid();
        if ((v & FsLimits.SET_MODE) != 0) a.setMode(op.getMode() & 07777);
        if ((v & FsLimits.SET_UID) != 0) a.setUid(op.getUid());
        if ((v & FsLimits.SET_GID) != 0) a.setGid(op.getGid());
        if ((v & FsLimits.SET_ATIME) != 0) a.setAtimeNs(op.getAtimeNs());
        if ((v & FsLimits.SET_MTIME) != 0) a.setMtimeNs(op.getMtimeNs());
        if ((v & FsLimits.SET_ATIME_NOW) != 0) a.setAtimeNs(now);
        if ((v & FsLimits.SET_MTIME_NOW) != 0) a.setMtimeNs(now);
        if ((v & FsLimits.SET_SIZE) != 0) truncate(op.getInode(), op.getSize(), now);
        a.setCtimeNs(now);
        return a.build();
    }

    private Attr commit(CommitSliceOp op, long now) throws Fail {
        Attr.Builder a = attr(op.getInode());
        if (a.getType() != FileType.REGULAR) throw new Fail(Errno.EINVAL);
        chunks.computeIfAbsent(op.getInode(), i -> new HashMap<>())
                .computeIfAbsent(op.getChunkIndex(), c -> new ArrayList<>()).add(op.getSlice());
        long end = op.getChunkIndex() * FsLimits.CHUNK_SIZE_BYTES + op.getSlice().getPositionInChunk() + op.getSlice().getLength();
        a.setSize(Math.max(a.getSize(), end)).setMtimeNs(now).setCtimeNs(now);
        commits++;
        return a.build();
    }

    private Attr truncate(long inode, long length, long now) throws Fail {
        Attr.Builder a = attr(inode);
        if (a.getType() != FileType.REGULAR) throw new Fail(Errno.EINVAL);
        if (length > FsLimits.FILE_SIZE_BYTES_MAX) throw new Fail(Errno.EFBIG);
        if (length < a.getSize()) {
            Map<Integer, List<SliceRef>> file = chunks.getOrDefault(inode, new HashMap<>());
            int last = (int) (length / FsLimits.CHUNK_SIZE_BYTES);
            file.keySet().removeIf(c -> c > last);
            int pos = (int) (length % FsLimits.CHUNK_SIZE_BYTES);
            long oldEndInChunk = Math.min(FsLimits.CHUNK_SIZE_BYTES, a.getSize() - last * FsLimits.CHUNK_SIZE_BYTES);
            if (file.containsKey(last) && oldEndInChunk > pos) {
                file.get(last).add(SliceRef.newBuilder().setPositionInChunk(pos).setLength((int) (oldEndInChunk - pos)).build());
            }
        }
        a.setSize(length).setMtimeNs(now).setCtimeNs(now);
        return a.build();
    }

    private void fallocate(FallocateOp op, long now) throws Fail {
        Attr.Builder a = attr(op.getInode());
        long end = op.getOffset() + op.getLength();
        if ((op.getMode() & FsLimits.FALLOC_PUNCH_HOLE) != 0) {
            for (long at = op.getOffset(); at < Math.min(end, a.getSize()); ) {
                int c = (int) (at / FsLimits.CHUNK_SIZE_BYTES);
                int pos = (int) (at % FsLimits.CHUNK_SIZE_BYTES);
                long stop = Math.min(Math.min(end, a.getSize()), (c + 1) * FsLimits.CHUNK_SIZE_BYTES);
                chunks.computeIfAbsent(op.getInode(), i -> new HashMap<>()).computeIfAbsent(c, x -> new ArrayList<>())
                        .add(SliceRef.newBuilder().setPositionInChunk(pos).setLength((int) (stop - at)).build());
                at = stop;
            }
        } else if ((op.getMode() & FsLimits.FALLOC_KEEP_SIZE) == 0 && end > a.getSize()) {
            a.setSize(end);
        }
        a.setCtimeNs(now);
    }

    @Override
    public synchronized CompletableFuture<MetaReply> query(MetaQuery q) {
        try {
            MetaReply.Builder reply = MetaReply.newBuilder().setIndex(index);
            switch (q.getQueryCase()) {
                case LOOKUP -> {
                    Long inode = dir(q.getLookup().getParent()).get(q.getLookup().getName());
                    if (inode == null) throw new Fail(Errno.ENOENT);
                    reply.setAttr(attr(inode));
                }
                case GETATTR -> reply.setAttr(attr(q.getGetattr().getInode()));
                case READDIR -> {
                    ReadDirReply.Builder page = ReadDirReply.newBuilder();
                    TreeMap<ByteString, Long> d = dir(q.getReaddir().getInode());
                    var tail = q.getReaddir().getAfterName().isEmpty() ? d : d.tailMap(q.getReaddir().getAfterName(), false);
                    int limit = Math.max(1, Math.min(q.getReaddir().getLimit(), 3)); // tiny pages exercise paging
                    for (var e : tail.entrySet()) {
                        if (page.getEntriesCount() == limit) break;
                        Attr a = inodes.get(e.getValue()).build();
                        page.addEntries(DirEntry.newBuilder().setName(e.getKey()).setInode(e.getValue()).setType(a.getType()).setAttr(a));
                    }
                    page.setEof(page.getEntriesCount() < limit);
                    reply.setReaddir(page);
                }
                case READLINK -> {
                    ByteString t = symlinks.get(q.getReadlink().getInode());
                    if (t == null) throw new Fail(Errno.EINVAL);
                    reply.setValue(t);
                }
                case GETXATTR -> {
                    attr(q.getGetxattr().getInode());
                    ByteString v = xattrs.getOrDefault(q.getGetxattr().getInode(), new TreeMap<>(FakeMetadata::compareBytes)).get(q.getGetxattr().getName());
                    if (v == null) throw new Fail(Errno.ENODATA);
                    reply.setValue(v);
                }
                case LISTXATTR -> reply.setXattrNames(XattrNames.newBuilder().addAllNames(
                        xattrs.getOrDefault(attr(q.getListxattr().getInode()).getInode(), new TreeMap<>(FakeMetadata::compareBytes)).keySet()));
                case STATFS -> reply.setStatfs(StatFsReply.newBuilder().setTotalBytes(1L << 50).setTotalInodes(1L << 32)
                        .setUsedInodes(inodes.size()));
                case READ_CHUNK -> reply.setChunk(ChunkReply.newBuilder().addAllSlices(
                        chunks.getOrDefault(attr(q.getReadChunk().getInode()).getInode(), Map.of())
                                .getOrDefault(q.getReadChunk().getChunkIndex(), List.of())));
                case ACCESS -> attr(q.getAccess().getInode());
                case GETLOCK -> reply.setLock(LockReply.newBuilder().setConflict(LockRange.newBuilder().setType(LockType.UNLOCK)));
                case VOLUME -> reply.setVolume(volume);
                default -> throw new Fail(Errno.ENOSYS);
            }
            return CompletableFuture.completedFuture(reply.build());
        } catch (Fail f) {
            return CompletableFuture.completedFuture(MetaReply.newBuilder().setIndex(index).setErrno(f.errno.code()).build());
        }
    }

    @Override
    public CompletableFuture<MetaReply> queryAtLeast(MetaQuery query, long minIndex) {
        return query(query);
    }

    /** Every slice referenced by any file, for "no metadata points at a missing object" checks. */
    public synchronized List<SliceRef> allSlices() {
        List<SliceRef> all = new ArrayList<>();
        chunks.values().forEach(f -> f.values().forEach(all::addAll));
        return all;
    }

    @Override
    public void close() {}
}
