package io.mirrorfs.meta.engine.ops;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.ChunkReply;
import io.mirrorfs.api.proto.DirEntry;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.LockKind;
import io.mirrorfs.api.proto.SliceRef;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.KeyValue;
import io.mirrorfs.meta.engine.store.Keys;
import io.mirrorfs.meta.engine.store.Tx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one operation sees while it applies: the caller, the entry's time, and a {@link Tx} over the
 * state. Inodes are loaded once per operation into builders, so an operation touching the same inode
 * twice (rename within one directory) edits one copy; {@link #finish()} writes the changed ones.
 */
public final class OpContext {
    /** Rows read per page when an operation walks a family (a file's chunks, an inode's xattrs). */
    static final int SCAN_PAGE_ROWS = 1024;

    private final Tx tx;
    private final Caller caller;
    private final long nowNs;
    private final VolumeInfo volume;
    private final Map<Long, Attr.Builder> inodes = new TreeMap<>();
    private final Map<Long, Boolean> dirty = new TreeMap<>();

    public OpContext(Tx tx, Caller caller, long nowNs, VolumeInfo volume) {
        this.tx = tx;
        this.volume = volume;
        this.caller = caller;
        this.nowNs = nowNs;
    }

    public Tx tx() {
        return tx;
    }

    public Caller caller() {
        return caller;
    }

    public long now() {
        return nowNs;
    }

    /** The formatted volume (never null: the dispatcher refuses operations on an unformatted one). */
    public VolumeInfo volume() {
        return volume;
    }

    // ---- inodes

    /** The inode's attributes for editing; ENOENT if it does not exist. */
    public Attr.Builder inode(long inode) throws FsException {
        Attr.Builder a = inodeOrNull(inode);
        FsException.check(a != null, Errno.ENOENT);
        return a;
    }

    public Attr.Builder inodeOrNull(long inode) {
        Attr.Builder cached = inodes.get(inode);
        if (cached != null || inodes.containsKey(inode)) {
            return cached;
        }
        byte[] raw = inode == 0 ? null : tx.get(Cf.INODES, Keys.inode(inode));
        Attr.Builder a = raw == null ? null : parse(Attr.parser(), raw).toBuilder();
        inodes.put(inode, a);
        return a;
    }

    /** A directory (ENOENT, ENOTDIR otherwise); callers check the permission their operation needs. */
    public Attr.Builder directory(long inode) throws FsException {
        Attr.Builder dir = inode(inode);
        FsException.check(dir.getType() == FileType.DIRECTORY, Errno.ENOTDIR);
        return dir;
    }

    public void changed(Attr.Builder a) {
        assert inodes.get(a.getInode()) == a : "changed() on an inode not loaded through this context";
        dirty.put(a.getInode(), Boolean.TRUE);
    }

    public void created(Attr.Builder a) {
        inodes.put(a.getInode(), a);
        dirty.put(a.getInode(), Boolean.TRUE);
        addCounter(Counters.USED_INODES, 1);
    }

    /** An entry was added to or removed from {@code dir}: mtime and ctime move. */
    public void entriesChanged(Attr.Builder dir) {
        dir.setMtimeNs(nowNs).setCtimeNs(nowNs);
        changed(dir);
    }

    /**
     * Drops one link of {@code a}; at zero links the inode and everything hanging off it go, and its
     * slices move to delayed deletion. A directory loses both its links (its own "." too).
     */
    public void dropLink(Attr.Builder a) {
        if (a.getType() == FileType.DIRECTORY) {
            a.setNlink(0);
        } else {
            assert a.getNlink() > 0;
            a.setNlink(a.getNlink() - 1);
        }
        a.setCtimeNs(nowNs);
        if (a.getNlink() > 0) {
            changed(a);
            return;
        }
        long ino = a.getInode();
        inodes.put(ino, null);
        dirty.put(ino, Boolean.TRUE);
        addCounter(Counters.USED_INODES, -1);
        if (a.getType() == FileType.REGULAR) {
            addCounter(Counters.USED_BYTES, -a.getSize());
            dropChunksFrom(ino, 0);
        }
        if (a.getType() == FileType.SYMLINK) {
            tx.delete(Cf.SYMLINKS, Keys.inode(ino));
        }
        deleteAll(Cf.XATTRS, Keys.inode(ino));
        tx.delete(Cf.LOCKS, Keys.lock(ino, LockKind.FLOCK_VALUE));
        tx.delete(Cf.LOCKS, Keys.lock(ino, LockKind.POSIX_VALUE));
    }

    // ---- dentries

    public DirEntry dentry(long parent, byte[] name) {
        byte[] raw = tx.get(Cf.DENTRIES, Keys.dentry(parent, name));
        return raw == null ? null : parse(DirEntry.parser(), raw);
    }

    public void putDentry(long parent, byte[] name, Attr.Builder target) {
        DirEntry e = DirEntry.newBuilder().setInode(target.getInode()).setType(target.getType()).build();
        tx.put(Cf.DENTRIES, Keys.dentry(parent, name), e.toByteArray());
    }

    public void deleteDentry(long parent, byte[] name) {
        tx.delete(Cf.DENTRIES, Keys.dentry(parent, name));
    }

    public boolean isEmptyDir(long inode) {
        return tx.scan(Cf.DENTRIES, Keys.inode(inode), null, 1).isEmpty();
    }

    // ---- chunks

    public List<SliceRef> chunk(long inode, int chunkIndex) {
        byte[] raw = tx.get(Cf.CHUNKS, Keys.chunk(inode, chunkIndex));
        return raw == null ? new ArrayList<>() : new ArrayList<>(parse(ChunkReply.parser(), raw).getSlicesList());
    }

    /** Stores a chunk's new list; slices the old list referenced and the new one does not are released. */
    public void putChunk(long inode, int chunkIndex, List<SliceRef> before, List<SliceRef> after) {
        byte[] key = Keys.chunk(inode, chunkIndex);
        if (after.isEmpty()) {
            tx.delete(Cf.CHUNKS, key);
        } else {
            tx.put(Cf.CHUNKS, key, ChunkReply.newBuilder().addAllSlices(after).build().toByteArray());
        }
        release(inode, ChunkLists.released(before, after));
    }

    /**
     * Cuts the file's data at byte {@code length}: later chunks go, the chunk holding the cut keeps only
     * what lies before it, so a later extension reads zeros there rather than the old bytes.
     */
    public void dropChunksFrom(long inode, long length) {
        int firstWhole = (int) ((length + FsLimits.CHUNK_SIZE_BYTES - 1) / FsLimits.CHUNK_SIZE_BYTES);
        int partial = (int) (length / FsLimits.CHUNK_SIZE_BYTES);
        int cut = (int) (length % FsLimits.CHUNK_SIZE_BYTES);
        if (cut != 0) {
            List<SliceRef> before = chunk(inode, partial);
            if (!before.isEmpty()) {
                putChunk(inode, partial, before, ChunkLists.trim(ChunkLists.resolve(before, false), cut));
            }
        }
        byte[] prefix = Keys.inode(inode);
        byte[] after = firstWhole == 0 ? null : Keys.chunk(inode, firstWhole - 1);
        while (true) {
            List<KeyValue> page = tx.scan(Cf.CHUNKS, prefix, after, SCAN_PAGE_ROWS);
            for (KeyValue kv : page) {
                List<SliceRef> before = parse(ChunkReply.parser(), kv.value()).getSlicesList();
                tx.delete(Cf.CHUNKS, kv.key());
                release(inode, ChunkLists.released(before, List.of()));
            }
            if (page.size() < SCAN_PAGE_ROWS) {
                return;
            }
            after = page.get(page.size() - 1).key();
        }
    }

    private void release(long inode, List<SliceRef> slices) {
        for (SliceRef s : slices) {
            SliceRef whole = SliceRef.newBuilder().setSliceId(s.getSliceId()).setSliceSize(s.getSliceSize())
                    .addAllBlockCrc32C(s.getBlockCrc32CList()).build();
            tx.put(Cf.DELAYED, Keys.delayed(nowNs, s.getSliceId(), inode), whole.toByteArray());
        }
    }

    // ---- counters

    public long counter(String name) {
        byte[] raw = tx.get(Cf.COUNTERS, Keys.name(name));
        return raw == null ? 0 : Keys.readU64(raw, 0);
    }

    public void setCounter(String name, long value) {
        tx.put(Cf.COUNTERS, Keys.name(name), Keys.u64(value));
    }

    public void addCounter(String name, long delta) {
        setCounter(name, counter(name) + delta);
    }

    // ---- helpers

    public void deleteAll(Cf cf, byte[] prefix) {
        while (true) {
            List<KeyValue> page = tx.scan(cf, prefix, null, SCAN_PAGE_ROWS);
            for (KeyValue kv : page) {
                tx.delete(cf, kv.key());
            }
            if (page.size() < SCAN_PAGE_ROWS) {
                return;
            }
        }
    }

    public static <T extends MessageLite> T parse(Parser<T> parser, byte[] raw) {
        try {
            return parser.parseFrom(raw);
        } catch (InvalidProtocolBufferException e) {
            // Only the engine writes these rows: an unreadable one is corruption, not bad input.
            throw new IllegalStateException("corrupt row in the namespace database", e);
        }
    }

    /** Writes every inode this operation changed. */
    public void finish() {
        for (Long ino : dirty.keySet()) {
            Attr.Builder a = inodes.get(ino);
            if (a == null) {
                tx.delete(Cf.INODES, Keys.inode(ino));
            } else {
                tx.put(Cf.INODES, Keys.inode(ino), a.build().toByteArray());
            }
        }
    }
}
