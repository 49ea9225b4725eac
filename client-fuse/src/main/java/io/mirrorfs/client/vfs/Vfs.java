package io.mirrorfs.client.vfs;

import com.google.protobuf.ByteString;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.AccessQuery;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.CommitSliceOp;
import io.mirrorfs.api.proto.CreateOp;
import io.mirrorfs.api.proto.DirEntry;
import io.mirrorfs.api.proto.FallocateOp;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.GetAttrQuery;
import io.mirrorfs.api.proto.GetLockQuery;
import io.mirrorfs.api.proto.GetXattrQuery;
import io.mirrorfs.api.proto.IdKind;
import io.mirrorfs.api.proto.LinkOp;
import io.mirrorfs.api.proto.ListXattrQuery;
import io.mirrorfs.api.proto.LockKind;
import io.mirrorfs.api.proto.LockOp;
import io.mirrorfs.api.proto.LockRange;
import io.mirrorfs.api.proto.LockType;
import io.mirrorfs.api.proto.LookupQuery;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.ReadChunkQuery;
import io.mirrorfs.api.proto.ReadDirQuery;
import io.mirrorfs.api.proto.ReadDirReply;
import io.mirrorfs.api.proto.ReadLinkQuery;
import io.mirrorfs.api.proto.RemoveXattrOp;
import io.mirrorfs.api.proto.RenameOp;
import io.mirrorfs.api.proto.RmdirOp;
import io.mirrorfs.api.proto.SetAttrOp;
import io.mirrorfs.api.proto.SetXattrOp;
import io.mirrorfs.api.proto.SliceRef;
import io.mirrorfs.api.proto.StatFsQuery;
import io.mirrorfs.api.proto.StatFsReply;
import io.mirrorfs.api.proto.TruncateOp;
import io.mirrorfs.api.proto.UnlinkOp;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.client.FsException;
import io.mirrorfs.client.chunk.BlockFetcher;
import io.mirrorfs.client.chunk.BlockSource;
import io.mirrorfs.client.chunk.StoreBlockSource;
import io.mirrorfs.client.chunk.BlockUploader;
import io.mirrorfs.client.chunk.DiskBlockCache;
import io.mirrorfs.client.chunk.FileReader;
import io.mirrorfs.client.chunk.FileWriter;
import io.mirrorfs.client.chunk.SliceCommitter;
import io.mirrorfs.client.meta.IdAllocator;
import io.mirrorfs.client.meta.MetaCache;
import io.mirrorfs.client.meta.MetaGateway;
import io.mirrorfs.client.meta.SessionKeeper;
import io.mirrorfs.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filesystem as the kernel sees it, by inode, independent of FUSE: namespace operations go to
 * the metadata group (through the attribute/entry caches), file data through the chunk writer and
 * reader. Thread-safe: libfuse calls it from many native threads at once.
 *
 * <p>Consistency: close-to-open. {@link #open} always fetches fresh attributes and drops the file's
 * cached slice lists; between opens, cached metadata is trusted for the configured TTLs.
 */
public final class Vfs implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Vfs.class);
    public static final int O_ACCMODE = 3;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_EXCL = 0200;
    public static final int O_TRUNC = 01000;
    private static final int READDIR_PAGE = 1000;

    private final MetaGateway meta;
    private final VolumeInfo volume;
    private final VfsConfig config;
    private final MetaCache cache;
    private final IdAllocator inodeIds;
    private final IdAllocator sliceIds;
    private final ExecutorService uploadPool;
    private final ExecutorService fetchPool;
    private final ExecutorService commitPool;
    private final BlockUploader uploader;
    private final FileReader reader;
    private final FileTable files;
    private final PageCacheVersions pageCache;
    private final LocksTakenHere locksTaken;
    /** This mount's session (locks are taken in it, so the server frees them if the mount dies); null: none. */
    private final SessionKeeper session;
    private final AtomicLong nextDirHandle = new AtomicLong(1);
    /** Lock requests refused because the mount had no session (logged: the first ones, then every 100th). */
    private final AtomicLong locksRefusedWithoutSession = new AtomicLong();
    private final ConcurrentHashMap<Long, DirHandle> dirs = new ConcurrentHashMap<>();

    public Vfs(MetaGateway meta, VolumeInfo volume, ObjectStore store, DiskBlockCache diskCache, VfsConfig config) {
        this(meta, volume, store, new StoreBlockSource(store), diskCache, config);
    }

    /**
     * A mount whose blocks are written to {@code uploadStore} but read through {@code blocks}: on a
     * mirror mount, uploads go to the primary's store and reads to the mirror's (see MirrorBlockSource).
     */
    public Vfs(MetaGateway meta, VolumeInfo volume, ObjectStore uploadStore, BlockSource blocks, DiskBlockCache diskCache,
               VfsConfig config) {
        this(meta, volume, uploadStore, blocks, diskCache, config, null);
    }

    /**
     * A mount whose locks belong to {@code session} (null: no keeper, so every lock is refused with
     * ENOLCK — see {@link #lock}); the VFS owns the keeper and closes it — ending the session — when it
     * closes.
     */
    public Vfs(MetaGateway meta, VolumeInfo volume, ObjectStore uploadStore, BlockSource blocks, DiskBlockCache diskCache,
               VfsConfig config, SessionKeeper session) {
        if (volume.getBlockSizeBytes() <= 0 || volume.getBlockSizeBytes() > FsLimits.BLOCK_SIZE_BYTES_MAX) {
            throw new IllegalArgumentException("volume block size out of range: " + volume.getBlockSizeBytes());
        }
        this.meta = meta;
        this.volume = volume;
        this.config = config;
        this.cache = new MetaCache(config.attrTtlMillis(), config.entryTtlMillis(), config.cacheEntriesMax());
        this.inodeIds = new IdAllocator(meta, IdKind.INODE, config.inodeBatch());
        this.sliceIds = new IdAllocator(meta, IdKind.SLICE, config.sliceBatch());
        this.uploadPool = Executors.newFixedThreadPool(config.uploadThreads(), daemon("mirrorfs-upload"));
        this.fetchPool = Executors.newFixedThreadPool(config.fetchThreads(), daemon("mirrorfs-fetch"));
        this.commitPool = Executors.newFixedThreadPool(4, daemon("mirrorfs-commit"));
        this.uploader = new BlockUploader(uploadStore, uploadPool, config.uploadBufferBytesMax());
        BlockFetcher fetcher = new BlockFetcher(blocks, diskCache, fetchPool, config.readBufferBytesMax());
        this.reader = new FileReader(volume.getVolume(), volume.getBlockSizeBytes(), this::slices, fetcher);
        this.files = new FileTable(Math.min(4L << 20, config.readaheadBytesMax()), config.readaheadBytesMax());
        this.pageCache = new PageCacheVersions(config.cacheEntriesMax());
        this.locksTaken = new LocksTakenHere(config.cacheEntriesMax());
        this.session = session;
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public VolumeInfo volume() {
        return volume;
    }

    // ------------------------------------------------------------------------------------------
    // Names and attributes

    static ByteString name(String name) throws FsException {
        ByteString bytes = ByteString.copyFrom(name, StandardCharsets.UTF_8);
        if (bytes.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new FsException(Errno.EINVAL, "bad name");
        }
        if (bytes.size() > FsLimits.NAME_BYTES_MAX) {
            throw new FsException(Errno.ENAMETOOLONG, "name of " + bytes.size() + " bytes");
        }
        return bytes;
    }

    /**
     * The inode at an absolute path ("/" is the root). A cached name is enough here: the attributes
     * of the directories on the way are not needed (a create in a directory drops the directory's
     * cached attributes, and requiring them would cost one lookup round trip per created file).
     */
    public long resolve(Ctx ctx, String path) throws FsException {
        long inode = FsLimits.ROOT_INODE;
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                long cached = cache.entry(inode, name(part));
                inode = cached != 0 ? cached : lookup(ctx, inode, part).getInode();
            }
        }
        return inode;
    }

    public Attr lookup(Ctx ctx, long parent, String name) throws FsException {
        ByteString n = name(name);
        long cached = cache.entry(parent, n);
        if (cached != 0) {
            Attr attr = cache.attr(cached);
            if (attr != null) {
                return withLocalSize(attr);
            }
        }
        Attr attr = meta.query(ctx.caller(), MetaQuery.newBuilder()
                .setLookup(LookupQuery.newBuilder().setParent(parent).setName(n))).getAttr();
        cache.putEntry(parent, n, attr.getInode());
        cache.putAttr(attr);
        return withLocalSize(attr);
    }

    public Attr getattr(Ctx ctx, long inode) throws FsException {
        Attr attr = cache.attr(inode);
        return withLocalSize(attr != null ? attr : fetchAttr(ctx, inode));
    }

    private Attr fetchAttr(Ctx ctx, long inode) throws FsException {
        Attr attr = meta.query(ctx.caller(), MetaQuery.newBuilder().setGetattr(GetAttrQuery.newBuilder().setInode(inode)))
                .getAttr();
        cache.putAttr(attr);
        return attr;
    }

    /** Bytes written here but not yet committed already count towards the size the kernel sees. */
    private Attr withLocalSize(Attr attr) {
        FileWriter writer = files.writer(attr.getInode());
        if (writer != null && writer.writtenEndBytes() > attr.getSize()) {
            return attr.toBuilder().setSize(writer.writtenEndBytes()).build();
        }
        return attr;
    }

    private Attr remember(long parent, ByteString name, Attr attr) {
        cache.putEntry(parent, name, attr.getInode());
        cache.putAttr(attr);
        cache.invalidateAttr(parent);
        return attr;
    }

    // ------------------------------------------------------------------------------------------
    // Namespace mutations

    public Attr create(Ctx ctx, long parent, String name, FileType type, int mode, int rdev, String symlinkTarget,
                       boolean openExisting) throws FsException {
        return create(ctx, parent, name, type, mode, rdev, symlinkTarget, openExisting, inodeIds.next());
    }

    private Attr create(Ctx ctx, long parent, String name, FileType type, int mode, int rdev, String symlinkTarget,
                        boolean openExisting, long newInode) throws FsException {
        ByteString n = name(name);
        CreateOp.Builder op = CreateOp.newBuilder().setParent(parent).setName(n).setType(type)
                .setMode(mode & 07777 & ~ctx.umask()).setRdev(rdev).setInode(newInode)
                .setOpenExisting(openExisting);
        if (symlinkTarget != null) {
            ByteString target = ByteString.copyFrom(symlinkTarget, StandardCharsets.UTF_8);
            if (target.size() > FsLimits.SYMLINK_TARGET_BYTES_MAX) {
                throw new FsException(Errno.ENAMETOOLONG, "symlink target of " + target.size() + " bytes");
            }
            op.setSymlinkTarget(target);
        }
        Attr attr = meta.mutate(ctx.caller(), MetaRequest.newBuilder().setCreate(op)).getAttr();
        if (attr.getInode() == newInode && type != FileType.DIRECTORY) {
            return rememberCreated(parent, n, attr);
        }
        return remember(parent, n, attr);
    }

    /**
     * A new non-directory entry changes its parent exactly as the engine's apply does: mtime and
     * ctime become the create's timestamp (the child's ctime); nlink and the rest stay. Updating the
     * cached parent instead of dropping it saves the GETATTR the kernel sends for the directory's
     * permission check before the next create in it.
     */
    private Attr rememberCreated(long parent, ByteString name, Attr attr) {
        cache.putEntry(parent, name, attr.getInode());
        cache.putAttr(attr);
        cache.updateAttrIfCached(parent,
                dir -> dir.toBuilder().setMtimeNs(attr.getCtimeNs()).setCtimeNs(attr.getCtimeNs()).build());
        return attr;
    }

    public void unlink(Ctx ctx, long parent, String name) throws FsException {
        ByteString n = name(name);
        long victim = cache.entry(parent, n);
        try {
            meta.mutate(ctx.caller(), MetaRequest.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(parent).setName(n)));
        } finally {
            forget(parent, n, victim);
        }
    }

    public void rmdir(Ctx ctx, long parent, String name) throws FsException {
        ByteString n = name(name);
        long victim = cache.entry(parent, n);
        try {
            meta.mutate(ctx.caller(), MetaRequest.newBuilder().setRmdir(RmdirOp.newBuilder().setParent(parent).setName(n)));
        } finally {
            forget(parent, n, victim);
        }
    }

    private void forget(long parent, ByteString name, long inode) {
        cache.invalidateEntry(parent, name);
        cache.invalidateAttr(parent);
        if (inode != 0) {
            cache.invalidateAttr(inode);
        }
    }

    public void rename(Ctx ctx, long parent, String name, long newParent, String newName, int flags) throws FsException {
        ByteString from = name(name);
        ByteString to = name(newName);
        long moved = cache.entry(parent, from);
        long replaced = cache.entry(newParent, to);
        try {
            meta.mutate(ctx.caller(), MetaRequest.newBuilder().setRename(RenameOp.newBuilder().setParent(parent)
                    .setName(from).setNewParent(newParent).setNewName(to).setFlags(flags)));
        } finally {
            forget(parent, from, moved);
            forget(newParent, to, replaced);
        }
    }

    public Attr link(Ctx ctx, long inode, long newParent, String newName) throws FsException {
        ByteString n = name(newName);
        Attr attr = meta.mutate(ctx.caller(), MetaRequest.newBuilder()
                .setLink(LinkOp.newBuilder().setInode(inode).setNewParent(newParent).setNewName(n))).getAttr();
        return remember(newParent, n, attr);
    }

    /** chmod/chown/utimens: {@code valid} is a mask of FsLimits.SET_* bits (not SET_SIZE). */
    public Attr setattr(Ctx ctx, long inode, int valid, int mode, int uid, int gid, long atimeNs, long mtimeNs)
            throws FsException {
        assert (valid & FsLimits.SET_SIZE) == 0 : "size changes go through truncate";
        try {
            Attr attr = meta.mutate(ctx.caller(), MetaRequest.newBuilder().setSetattr(SetAttrOp.newBuilder()
                    .setInode(inode).setValid(valid).setMode(mode & 07777).setUid(uid).setGid(gid)
                    .setAtimeNs(atimeNs).setMtimeNs(mtimeNs))).getAttr();
            cache.putAttr(attr);
            return withLocalSize(attr);
        } finally {
            cache.invalidateAttr(inode);
        }
    }

    public Attr truncate(Ctx ctx, long inode, long length) throws FsException {
        if (length < 0) {
            throw new FsException(Errno.EINVAL, "negative length");
        }
        if (length > FsLimits.FILE_SIZE_BYTES_MAX) {
            throw new FsException(Errno.EFBIG, "truncate to " + length);
        }
        FileWriter writer = files.writer(inode);
        if (writer != null) {
            writer.flush(); // earlier writes must land before the truncate, not after it
        }
        try {
            Attr attr = meta.mutate(ctx.caller(), MetaRequest.newBuilder()
                    .setTruncate(TruncateOp.newBuilder().setInode(inode).setLength(length))).getAttr();
            if (writer != null) {
                writer.resetWrittenEnd(length);
            }
            cache.putAttr(attr);
            return attr;
        } finally {
            cache.invalidateChunks(inode);
            cache.invalidateAttr(inode);
        }
    }

    public void fallocate(Ctx ctx, long inode, int mode, long offset, long length) throws FsException {
        if (offset < 0 || length <= 0) {
            throw new FsException(Errno.EINVAL, "bad fallocate range");
        }
        if (offset + length > FsLimits.FILE_SIZE_BYTES_MAX) {
            throw new FsException(Errno.EFBIG, "fallocate past the largest file size");
        }
        FileWriter writer = files.writer(inode);
        if (writer != null) {
            writer.flush();
        }
        try {
            meta.mutate(ctx.caller(), MetaRequest.newBuilder().setFallocate(FallocateOp.newBuilder()
                    .setInode(inode).setMode(mode).setOffset(offset).setLength(length)));
        } finally {
            cache.invalidateChunks(inode);
            cache.invalidateAttr(inode);
        }
    }

    public byte[] readlink(Ctx ctx, long inode) throws FsException {
        return meta.query(ctx.caller(), MetaQuery.newBuilder().setReadlink(ReadLinkQuery.newBuilder().setInode(inode)))
                .getValue().toByteArray();
    }

    public void access(Ctx ctx, long inode, int mask) throws FsException {
        meta.query(ctx.caller(), MetaQuery.newBuilder().setAccess(AccessQuery.newBuilder().setInode(inode).setMask(mask)));
    }

    // ------------------------------------------------------------------------------------------
    // Files

    /** Opens an existing file; revalidates its attributes and slice lists (close-to-open). */
    public long open(Ctx ctx, long inode, int flags) throws FsException {
        cache.invalidateChunks(inode);
        Attr attr = fetchAttr(ctx, inode);
        if (attr.getType() == FileType.DIRECTORY && (flags & O_ACCMODE) != 0) {
            throw new FsException(Errno.EISDIR, "directory opened for writing");
        }
        boolean keepPageCache = pageCache.openedAt(attr);
        if ((flags & O_TRUNC) != 0 && (flags & O_ACCMODE) != 0 && attr.getSize() != 0) {
            truncate(ctx, inode, 0);
            pageCache.forget(inode);
            keepPageCache = false;
        }
        Caller caller = ctx.caller();
        return files.open(inode, flags, keepPageCache, i -> newWriter(i, caller));
    }

    /**
     * Creates (or with !exclusive, opens an existing) regular file and opens it. A file this call
     * created is opened with the attributes the create returned: no second round trip, and none
     * for the kernel's xattr check before the first write (a new file has no xattrs).
     */
    public long create(Ctx ctx, long parent, String name, int mode, int flags, Attr[] created) throws FsException {
        long newInode = inodeIds.next();
        Attr attr = create(ctx, parent, name, FileType.REGULAR, mode, 0, null, (flags & O_EXCL) == 0, newInode);
        created[0] = attr;
        if (attr.getInode() != newInode) {
            return open(ctx, attr.getInode(), flags); // an existing file: open it like any other
        }
        assert attr.getSize() == 0 : "a new file has data: " + attr;
        cache.putNoXattrs(newInode);
        pageCache.openedAt(attr);
        Caller caller = ctx.caller();
        return files.open(newInode, flags, false, i -> newWriter(i, caller));
    }

    /** Whether the kernel may keep the page cache of the file behind this handle (see {@link PageCacheVersions}). */
    public boolean keepsPageCache(long fh) throws FsException {
        return files.handle(fh).keepPageCache;
    }

    private FileWriter newWriter(long inode, Caller caller) {
        SliceCommitter committer = new SliceCommitter() {
            @Override
            public void commit(long ino, int chunkIndex, SliceRef slice) throws FsException {
                MetaReply reply;
                try {
                    reply = meta.mutate(caller, MetaRequest.newBuilder().setCommitSlice(
                            CommitSliceOp.newBuilder().setInode(ino).setChunkIndex(chunkIndex).setSlice(slice)));
                } finally {
                    cache.invalidateChunk(ino, chunkIndex);
                    cache.invalidateAttr(ino);
                }
                if (reply.hasAttr()) {
                    cache.putAttr(reply.getAttr());
                }
            }

            @Override
            public long nextSliceId() throws FsException {
                return sliceIds.next();
            }
        };
        return new FileWriter(inode, volume.getVolume(), volume.getBlockSizeBytes(), uploader, committer, commitPool);
    }

    public byte[] read(Ctx ctx, long fh, long offset, int length) throws FsException {
        OpenFile file = files.handle(fh);
        FileWriter writer = files.writer(file.inode);
        if (writer != null && writer.hasUncommitted()) {
            writer.flush(); // read-your-writes: what we buffered must be readable
            cache.invalidateAttr(file.inode);
        }
        long size = getattr(ctx, file.inode).getSize();
        byte[] data = reader.read(file.inode, offset, length, size);
        long[] ahead = file.readPattern.onRead(offset, data.length);
        if (ahead != null) {
            reader.prefetch(file.inode, ahead[0], ahead[1], size);
        }
        return data;
    }

    public void write(long fh, long offset, byte[] data, int length) throws FsException {
        OpenFile file = files.handle(fh);
        if ((file.flags & O_ACCMODE) == 0) {
            throw new FsException(Errno.EBADF, "file not open for writing");
        }
        FileWriter writer = files.writer(file.inode);
        assert writer != null : "open handle without a writer";
        try {
            writer.write(offset, data, 0, length);
        } catch (FsException e) {
            pageCache.forget(file.inode); // the kernel may hold bytes that never reached the store
            throw e;
        }
    }

    /** close(2) of one descriptor and fsync(2): everything written is committed, or the error is reported. */
    public void flush(long fh) throws FsException {
        OpenFile file = files.handle(fh);
        flushWriter(file.inode);
    }

    private void flushWriter(long inode) throws FsException {
        FileWriter writer = files.writer(inode);
        if (writer != null) {
            try {
                writer.flush();
            } catch (FsException e) {
                pageCache.forget(inode); // the kernel may hold bytes that never reached the store
                cache.invalidateAttr(inode);
                throw e;
            }
        }
    }

    /**
     * The last close of a handle. Its flush has already waited for the commits (the kernel calls
     * flush first), so this one returns at once unless something was written in between; the
     * attributes from the last commit reply stay cached.
     */
    public void release(long fh) throws FsException {
        OpenFile file = files.close(fh);
        try {
            flushWriter(file.inode);
        } finally {
            files.release(file.inode);
        }
    }

    public long inodeOf(long fh) throws FsException {
        return files.handle(fh).inode;
    }

    // ------------------------------------------------------------------------------------------
    // Directories

    public long opendir(Ctx ctx, long inode) throws FsException {
        Attr attr = fetchAttr(ctx, inode);
        if (attr.getType() != FileType.DIRECTORY) {
            throw new FsException(Errno.ENOTDIR, "not a directory");
        }
        long dh = nextDirHandle.getAndIncrement();
        DirHandle dir = new DirHandle(inode);
        dir.entries.add(DirEntry.newBuilder().setName(ByteString.copyFromUtf8(".")).setInode(inode)
                .setType(FileType.DIRECTORY).setAttr(attr).build());
        long parent = attr.getParent() == 0 ? inode : attr.getParent();
        dir.entries.add(DirEntry.newBuilder().setName(ByteString.copyFromUtf8("..")).setInode(parent)
                .setType(FileType.DIRECTORY).build());
        dirs.put(dh, dir);
        return dh;
    }

    /** The entry at {@code position} of an open directory, or null past its end. */
    public DirEntry readdir(Ctx ctx, long dh, int position) throws FsException {
        DirHandle dir = dirs.get(dh);
        if (dir == null) {
            throw new FsException(Errno.EBADF, "no open directory " + dh);
        }
        synchronized (dir) {
            while (position >= dir.entries.size() && !dir.eof) {
                ReadDirReply page = meta.query(ctx.caller(), MetaQuery.newBuilder().setReaddir(ReadDirQuery.newBuilder()
                        .setInode(dir.inode).setAfterName(dir.cursor).setLimit(READDIR_PAGE).setWithAttrs(true)))
                        .getReaddir();
                for (DirEntry e : page.getEntriesList()) {
                    dir.entries.add(e);
                    if (e.hasAttr()) {
                        cache.putAttr(e.getAttr());
                        cache.putEntry(dir.inode, e.getName(), e.getInode());
                    }
                }
                if (!page.getEntriesList().isEmpty()) {
                    dir.cursor = page.getEntries(page.getEntriesCount() - 1).getName();
                }
                dir.eof = page.getEof() || page.getEntriesList().isEmpty();
            }
            return position < dir.entries.size() ? dir.entries.get(position) : null;
        }
    }

    public void releasedir(long dh) {
        dirs.remove(dh);
    }

    public StatFsReply statfs(Ctx ctx) throws FsException {
        return meta.query(ctx.caller(), MetaQuery.newBuilder().setStatfs(StatFsQuery.getDefaultInstance())).getStatfs();
    }

    // ------------------------------------------------------------------------------------------
    // Extended attributes

    public byte[] getxattr(Ctx ctx, long inode, String name) throws FsException {
        if (cache.xattrAbsent(inode, name)) {
            throw new FsException(Errno.ENODATA, name);
        }
        try {
            return meta.query(ctx.caller(), MetaQuery.newBuilder().setGetxattr(GetXattrQuery.newBuilder().setInode(inode)
                    .setName(xattrName(name)))).getValue().toByteArray();
        } catch (FsException e) {
            if (e.errno() == Errno.ENODATA) {
                cache.putXattrAbsent(inode, name);
            }
            throw e;
        }
    }

    public List<ByteString> listxattr(Ctx ctx, long inode) throws FsException {
        return meta.query(ctx.caller(), MetaQuery.newBuilder().setListxattr(ListXattrQuery.newBuilder().setInode(inode)))
                .getXattrNames().getNamesList();
    }

    public void setxattr(Ctx ctx, long inode, String name, byte[] value, int flags) throws FsException {
        if (value.length > FsLimits.XATTR_VALUE_BYTES_MAX) {
            throw new FsException(Errno.E2BIG, "xattr value of " + value.length + " bytes");
        }
        meta.mutate(ctx.caller(), MetaRequest.newBuilder().setSetxattr(SetXattrOp.newBuilder().setInode(inode)
                .setName(xattrName(name)).setValue(ByteString.copyFrom(value)).setFlags(flags)));
        cache.invalidateAttr(inode);
        cache.invalidateXattrs(inode);
    }

    public void removexattr(Ctx ctx, long inode, String name) throws FsException {
        meta.mutate(ctx.caller(), MetaRequest.newBuilder().setRemovexattr(RemoveXattrOp.newBuilder().setInode(inode)
                .setName(xattrName(name))));
        cache.invalidateAttr(inode);
        cache.invalidateXattrs(inode);
    }

    private static ByteString xattrName(String name) throws FsException {
        ByteString n = ByteString.copyFrom(name, StandardCharsets.UTF_8);
        if (n.isEmpty() || n.size() > FsLimits.XATTR_NAME_BYTES_MAX) {
            throw new FsException(Errno.ERANGE, "xattr name of " + n.size() + " bytes");
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------
    // Locks

    /**
     * Takes or releases a lock. The server never blocks; a blocking request polls with a growing
     * pause until it gets the lock or {@code lockWaitMillisMax} passes (then ENOLCK). A lock is only
     * taken inside this mount's session (ENOLCK if there is none and none can be opened now).
     */
    public void lock(Ctx ctx, long inode, LockKind kind, LockType type, long start, long end, long owner, boolean wait)
            throws FsException {
        if (type == LockType.UNLOCK && !locksTaken.mayHold(inode, kind)) {
            return; // nothing of ours to release: libfuse's unlock-on-every-close costs no round trip
        }
        if (type != LockType.UNLOCK) {
            locksTaken.locking(inode, kind);
        }
        LockRange.Builder range = LockRange.newBuilder().setType(type).setStart(start).setEnd(end).setOwner(owner)
                .setPid(ctx.pid());
        boolean renewed = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.lockWaitMillisMax());
        long pauseMillis = 5;
        while (true) {
            try {
                range.setSessionId(lockSession(type, inode));
                meta.mutate(ctx.caller(), MetaRequest.newBuilder().setLock(LockOp.newBuilder().setInode(inode)
                        .setKind(kind).setRange(range)));
                return;
            } catch (FsException e) {
                // EINVAL for a valid request: the server no longer has our session (it expired); the
                // keeper opens a new one and the lock is sent once more in it.
                if (e.errno() == Errno.EINVAL && session != null && !renewed) {
                    renewed = true;
                    if (session.renewIfGone()) {
                        continue;
                    }
                }
                if (e.errno() != Errno.EAGAIN || !wait) {
                    throw e;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new FsException(Errno.ENOLCK, "lock wait on inode " + inode + " exceeded "
                            + config.lockWaitMillisMax() + " ms");
                }
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new FsException(Errno.EIO, "interrupted waiting for a lock");
            }
            pauseMillis = Math.min(200, pauseMillis * 2);
        }
    }

    /**
     * The session a lock request goes out in. A lock is only ever taken inside a session: the server
     * drops a session's locks when the mount closes it or stops heartbeating, whereas a lock in
     * session 0 would outlive a dead mount for good. So with no session yet the keeper opens one now,
     * and if it cannot the lock is refused with ENOLCK. An unlock goes out in whatever session there
     * is: releasing is always right (the server matches locks by owner).
     */
    private long lockSession(LockType type, long inode) throws FsException {
        if (type == LockType.UNLOCK) {
            return session == null ? 0 : session.id();
        }
        long id = session == null ? 0 : session.idOpeningIfNone();
        if (id == 0) {
            long refused = locksRefusedWithoutSession.incrementAndGet();
            if (refused <= 10 || refused % 100 == 0) {
                log.warn("lock on inode {} refused with ENOLCK ({} so far): this mount has no metadata session{}, and"
                        + " a lock outside a session would never be released if the mount died", inode, refused,
                        session == null ? " keeper" : " (the primary could not be reached to open one; retrying)");
            }
            throw new FsException(Errno.ENOLCK, "no metadata session to take a lock in");
        }
        return id;
    }

    /** The first lock conflicting with the given one (type UNLOCK if none). */
    public LockRange getlock(Ctx ctx, long inode, LockKind kind, LockType type, long start, long end, long owner)
            throws FsException {
        return meta.query(ctx.caller(), MetaQuery.newBuilder().setGetlock(GetLockQuery.newBuilder().setInode(inode)
                .setKind(kind).setRange(LockRange.newBuilder().setType(type).setStart(start).setEnd(end)
                        .setOwner(owner).setPid(ctx.pid())))).getLock().getConflict();
    }

    // ------------------------------------------------------------------------------------------

    private List<SliceRef> slices(long inode, int chunkIndex) throws FsException {
        List<SliceRef> cached = cache.chunk(inode, chunkIndex);
        if (cached != null) {
            return cached;
        }
        List<SliceRef> slices = meta.query(Ctx.ROOT.caller(), MetaQuery.newBuilder()
                .setReadChunk(ReadChunkQuery.newBuilder().setInode(inode).setChunkIndex(chunkIndex)))
                .getChunk().getSlicesList();
        cache.putChunk(inode, chunkIndex, slices);
        return slices;
    }

    /** The session this mount's locks are taken in (0: none). */
    public long sessionId() {
        return session == null ? 0 : session.id();
    }

    /** Metadata round trips made by this mount so far, per operation kind. */
    public io.mirrorfs.client.meta.MetaOpStats metaStats() {
        return meta.stats();
    }

    @Override
    public void close() {
        log.info("metadata round trips of this mount: {}", meta.stats().summary());
        if (files.openHandles() > 0) {
            log.warn("closing the VFS with {} files still open", files.openHandles());
        }
        commitPool.shutdown();
        uploadPool.shutdown();
        fetchPool.shutdownNow();
        try {
            if (!commitPool.awaitTermination(30, TimeUnit.SECONDS) || !uploadPool.awaitTermination(30, TimeUnit.SECONDS)) {
                log.error("uploads or commits still running after 30 s at shutdown; their writes were never acknowledged");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (session != null) {
                session.close(); // a clean unmount: the server releases this mount's locks now
            }
        }
    }
}
