package io.mirrorfs.client.fuse;

import com.google.protobuf.ByteString;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.DirEntry;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.LockKind;
import io.mirrorfs.api.proto.LockRange;
import io.mirrorfs.api.proto.LockType;
import io.mirrorfs.api.proto.StatFsReply;
import io.mirrorfs.client.FsException;
import io.mirrorfs.client.vfs.Ctx;
import io.mirrorfs.client.vfs.Vfs;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jnr.ffi.Pointer;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.Flock;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FUSE binding: a thin adapter from libfuse2's path-based callbacks to the {@link Vfs}. It
 * resolves paths, copies bytes between native buffers and Java, and is the one place where an
 * {@link FsException} becomes {@code -errno}. Nothing thrown here reaches native code: an
 * unexpected exception is logged and reported as EIO, so a bad request never kills the daemon.
 */
public final class MirrorFuseFs extends FuseStubFS {
    private static final Logger log = LoggerFactory.getLogger(MirrorFuseFs.class);
    static final int IO_BLOCK_BYTES = 128 * 1024;
    private static final long UTIME_NOW = (1L << 30) - 1;
    private static final long UTIME_OMIT = (1L << 30) - 2;
    private static final int F_GETLK = 5;
    private static final int F_SETLKW = 7;
    private static final int F_RDLCK = 0;
    private static final int F_WRLCK = 1;
    private static final int LOCK_SH = 1;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;

    private final Vfs vfs;
    private final CallerGroups groups = new CallerGroups(java.nio.file.Path.of("/proc"));
    /** Counted down by libfuse's init callback: the loop is running and its signal handlers are set. */
    final java.util.concurrent.CountDownLatch initialized = new java.util.concurrent.CountDownLatch(1);

    public MirrorFuseFs(Vfs vfs) {
        this.vfs = vfs;
    }

    @Override
    public Pointer init(Pointer conn) {
        initialized.countDown();
        return null;
    }

    @FunctionalInterface
    private interface Op {
        int run(Ctx ctx) throws FsException;
    }

    /** Runs one callback: the caller's identity in, an errno out, nothing thrown. */
    private int call(String what, String path, Op op) {
        try {
            return op.run(ctx());
        } catch (FsException e) {
            if (e.errno() == Errno.EIO) {
                log.warn("{} {}: {}", what, path, e.getMessage(), e.getCause());
            } else {
                log.debug("{} {}: {}", what, path, e.getMessage());
            }
            return -e.errno().code();
        } catch (Throwable t) {
            log.error("{} {} failed unexpectedly; reporting EIO", what, path, t);
            return -Errno.EIO.code();
        }
    }

    private Ctx ctx() {
        FuseContext c = getContext();
        int pid = c.pid.intValue();
        return new Ctx(c.uid.intValue(), c.gid.intValue(), c.umask.intValue(), pid, groups.of(pid));
    }

    private record Parent(long inode, String name) {}

    private Parent parentOf(Ctx ctx, String path) throws FsException {
        int slash = path.lastIndexOf('/');
        String name = path.substring(slash + 1);
        if (name.isEmpty()) {
            throw new FsException(Errno.EEXIST, "the root has no parent entry");
        }
        return new Parent(vfs.resolve(ctx, slash <= 0 ? "/" : path.substring(0, slash)), name);
    }

    private static long fh(FuseFileInfo fi) {
        return fi.fh.get();
    }

    // ------------------------------------------------------------------------------------------
    // Attributes

    @Override
    public int getattr(String path, FileStat stat) {
        return call("getattr", path, ctx -> {
            fill(stat, vfs.getattr(ctx, vfs.resolve(ctx, path)));
            return 0;
        });
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        return call("fgetattr", path, ctx -> {
            fill(stat, vfs.getattr(ctx, vfs.inodeOf(fh(fi))));
            return 0;
        });
    }

    static void fill(FileStat stat, Attr attr) {
        stat.st_ino.set(attr.getInode());
        stat.st_mode.set(typeBits(attr.getType()) | attr.getMode());
        stat.st_nlink.set(attr.getNlink());
        stat.st_uid.set(attr.getUid());
        stat.st_gid.set(attr.getGid());
        stat.st_size.set(attr.getSize());
        stat.st_rdev.set(attr.getRdev());
        stat.st_blksize.set(IO_BLOCK_BYTES);
        stat.st_blocks.set((attr.getSize() + 511) / 512);
        setTime(stat.st_atim, attr.getAtimeNs());
        setTime(stat.st_mtim, attr.getMtimeNs());
        setTime(stat.st_ctim, attr.getCtimeNs());
    }

    private static void setTime(Timespec t, long ns) {
        t.tv_sec.set(Math.floorDiv(ns, 1_000_000_000L));
        t.tv_nsec.set(Math.floorMod(ns, 1_000_000_000L));
    }

    static int typeBits(FileType type) {
        return switch (type) {
            case DIRECTORY -> FileStat.S_IFDIR;
            case SYMLINK -> FileStat.S_IFLNK;
            case FIFO -> FileStat.S_IFIFO;
            case SOCKET -> FileStat.S_IFSOCK;
            case CHAR_DEVICE -> FileStat.S_IFCHR;
            case BLOCK_DEVICE -> FileStat.S_IFBLK;
            default -> FileStat.S_IFREG;
        };
    }

    static FileType typeOf(long mode) {
        int type = (int) mode & FileStat.S_IFMT;
        if (type == FileStat.S_IFDIR) return FileType.DIRECTORY;
        if (type == FileStat.S_IFLNK) return FileType.SYMLINK;
        if (type == FileStat.S_IFIFO) return FileType.FIFO;
        if (type == FileStat.S_IFSOCK) return FileType.SOCKET;
        if (type == FileStat.S_IFCHR) return FileType.CHAR_DEVICE;
        if (type == FileStat.S_IFBLK) return FileType.BLOCK_DEVICE;
        return FileType.REGULAR;
    }

    @Override
    public int chmod(String path, long mode) {
        return call("chmod", path, ctx -> {
            vfs.setattr(ctx, vfs.resolve(ctx, path), FsLimits.SET_MODE, (int) mode, 0, 0, 0, 0);
            return 0;
        });
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return call("chown", path, ctx -> {
            // (uid_t) -1 means "leave as is".
            int valid = ((int) uid != -1 ? FsLimits.SET_UID : 0) | ((int) gid != -1 ? FsLimits.SET_GID : 0);
            if (valid != 0) {
                vfs.setattr(ctx, vfs.resolve(ctx, path), valid, 0, (int) uid, (int) gid, 0, 0);
            }
            return 0;
        });
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return call("utimens", path, ctx -> {
            int valid = 0;
            long[] ns = new long[2];
            int[][] bits = {{FsLimits.SET_ATIME, FsLimits.SET_ATIME_NOW}, {FsLimits.SET_MTIME, FsLimits.SET_MTIME_NOW}};
            for (int i = 0; i < 2; i++) {
                long nsec = timespec[i].tv_nsec.longValue();
                if (nsec == UTIME_OMIT) {
                    continue;
                }
                if (nsec == UTIME_NOW) {
                    valid |= bits[i][1];
                } else {
                    valid |= bits[i][0];
                    ns[i] = timespec[i].tv_sec.get() * 1_000_000_000L + nsec;
                }
            }
            if (valid != 0) {
                vfs.setattr(ctx, vfs.resolve(ctx, path), valid, 0, 0, 0, ns[0], ns[1]);
            }
            return 0;
        });
    }

    @Override
    public int truncate(String path, long size) {
        return call("truncate", path, ctx -> {
            vfs.truncate(ctx, vfs.resolve(ctx, path), size);
            return 0;
        });
    }

    @Override
    public int ftruncate(String path, long size, FuseFileInfo fi) {
        return call("ftruncate", path, ctx -> {
            vfs.truncate(ctx, vfs.inodeOf(fh(fi)), size);
            return 0;
        });
    }

    @Override
    public int access(String path, int mask) {
        return call("access", path, ctx -> {
            vfs.access(ctx, vfs.resolve(ctx, path), mask);
            return 0;
        });
    }

    // ------------------------------------------------------------------------------------------
    // Namespace

    @Override
    public int mknod(String path, long mode, long rdev) {
        return call("mknod", path, ctx -> {
            Parent p = parentOf(ctx, path);
            vfs.create(ctx, p.inode(), p.name(), typeOf(mode), (int) mode, (int) rdev, null, false);
            return 0;
        });
    }

    @Override
    public int mkdir(String path, long mode) {
        return call("mkdir", path, ctx -> {
            Parent p = parentOf(ctx, path);
            vfs.create(ctx, p.inode(), p.name(), FileType.DIRECTORY, (int) mode, 0, null, false);
            return 0;
        });
    }

    @Override
    public int symlink(String target, String path) {
        return call("symlink", path, ctx -> {
            Parent p = parentOf(ctx, path);
            vfs.create(ctx, p.inode(), p.name(), FileType.SYMLINK, 0777, 0, target, false);
            return 0;
        });
    }

    @Override
    public int readlink(String path, Pointer buf, long size) {
        return call("readlink", path, ctx -> {
            byte[] target = vfs.readlink(ctx, vfs.resolve(ctx, path));
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        });
    }

    @Override
    public int unlink(String path) {
        return call("unlink", path, ctx -> {
            Parent p = parentOf(ctx, path);
            vfs.unlink(ctx, p.inode(), p.name());
            return 0;
        });
    }

    @Override
    public int rmdir(String path) {
        return call("rmdir", path, ctx -> {
            Parent p = parentOf(ctx, path);
            vfs.rmdir(ctx, p.inode(), p.name());
            return 0;
        });
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return call("rename", oldpath, ctx -> {
            Parent from = parentOf(ctx, oldpath);
            Parent to = parentOf(ctx, newpath);
            // libfuse2's high-level API carries no renameat2 flags; the kernel refuses them first.
            vfs.rename(ctx, from.inode(), from.name(), to.inode(), to.name(), 0);
            return 0;
        });
    }

    @Override
    public int link(String oldpath, String newpath) {
        return call("link", newpath, ctx -> {
            long inode = vfs.resolve(ctx, oldpath);
            Parent to = parentOf(ctx, newpath);
            vfs.link(ctx, inode, to.inode(), to.name());
            return 0;
        });
    }

    // ------------------------------------------------------------------------------------------
    // Files

    @Override
    public int create(String path, long mode, FuseFileInfo fi) {
        return call("create", path, ctx -> {
            Parent p = parentOf(ctx, path);
            fi.fh.set(vfs.create(ctx, p.inode(), p.name(), (int) mode, fi.flags.get(), new Attr[1]));
            return 0;
        });
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return call("open", path, ctx -> {
            long fh = vfs.open(ctx, vfs.resolve(ctx, path), fi.flags.get());
            fi.fh.set(fh);
            if (vfs.keepsPageCache(fh)) {
                KeepCacheFlag.set(fi); // unchanged since our last open: the kernel's pages are current
            }
            return 0;
        });
    }

    @Override
    public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return call("read", path, ctx -> {
            byte[] data = vfs.read(ctx, fh(fi), offset, (int) Math.min(size, Integer.MAX_VALUE));
            buf.put(0, data, 0, data.length);
            return data.length;
        });
    }

    @Override
    public int write(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return call("write", path, ctx -> {
            int n = (int) size;
            byte[] data = new byte[n];
            buf.get(0, data, 0, n);
            vfs.write(fh(fi), offset, data, n);
            return n;
        });
    }

    @Override
    public int flush(String path, FuseFileInfo fi) {
        return call("flush", path, ctx -> {
            vfs.flush(fh(fi));
            return 0;
        });
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return call("fsync", path, ctx -> {
            vfs.flush(fh(fi));
            return 0;
        });
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return call("release", path, ctx -> {
            // libfuse2's high-level API does not unlock flocks on close: it passes the flock owner
            // (non-zero only when the kernel saw a flock on this open file) to release and leaves the
            // unlock to the filesystem. Without this the lock outlives its holder.
            long flockOwner = fi.lock_owner.get();
            if (flockOwner != 0) {
                vfs.lock(ctx, vfs.inodeOf(fh(fi)), LockKind.FLOCK, LockType.UNLOCK, 0, -1L, flockOwner, false);
            }
            vfs.release(fh(fi));
            return 0;
        });
    }

    @Override
    public int fallocate(String path, int mode, long off, long length, FuseFileInfo fi) {
        return call("fallocate", path, ctx -> {
            vfs.fallocate(ctx, vfs.inodeOf(fh(fi)), mode, off, length);
            return 0;
        });
    }

    // ------------------------------------------------------------------------------------------
    // Directories

    @Override
    public int opendir(String path, FuseFileInfo fi) {
        return call("opendir", path, ctx -> {
            fi.fh.set(vfs.opendir(ctx, vfs.resolve(ctx, path)));
            return 0;
        });
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filter, long offset, FuseFileInfo fi) {
        return call("readdir", path, ctx -> {
            for (int position = (int) offset; ; position++) {
                DirEntry e = vfs.readdir(ctx, fh(fi), position);
                if (e == null) {
                    return 0;
                }
                FileStat stat = new FileStat(jnr.ffi.Runtime.getSystemRuntime());
                if (e.hasAttr()) {
                    fill(stat, e.getAttr());
                } else {
                    stat.st_ino.set(e.getInode());
                    stat.st_mode.set(typeBits(e.getType()));
                }
                if (filter.apply(buf, e.getName().toString(StandardCharsets.UTF_8), stat, position + 1) != 0) {
                    return 0; // the kernel's buffer is full; it comes back with this offset
                }
            }
        });
    }

    @Override
    public int releasedir(String path, FuseFileInfo fi) {
        vfs.releasedir(fh(fi));
        return 0;
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        return call("statfs", path, ctx -> {
            StatFsReply s = vfs.statfs(ctx);
            long blockBytes = 4096;
            long total = s.getTotalBytes() / blockBytes;
            long free = Math.max(0, (s.getTotalBytes() - s.getUsedBytes()) / blockBytes);
            stbuf.f_bsize.set(blockBytes);
            stbuf.f_frsize.set(blockBytes);
            stbuf.f_blocks.set(total);
            stbuf.f_bfree.set(free);
            stbuf.f_bavail.set(free);
            stbuf.f_files.set(s.getTotalInodes());
            long freeInodes = Math.max(0, s.getTotalInodes() - s.getUsedInodes());
            stbuf.f_ffree.set(freeInodes);
            stbuf.f_favail.set(freeInodes);
            stbuf.f_namemax.set(FsLimits.NAME_BYTES_MAX);
            return 0;
        });
    }

    // ------------------------------------------------------------------------------------------
    // Extended attributes

    @Override
    public int getxattr(String path, String name, Pointer value, long size) {
        return call("getxattr", path, ctx -> {
            byte[] v = vfs.getxattr(ctx, vfs.resolve(ctx, path), name);
            if (size == 0) {
                return v.length;
            }
            if (size < v.length) {
                return -Errno.ERANGE.code();
            }
            value.put(0, v, 0, v.length);
            return v.length;
        });
    }

    @Override
    public int setxattr(String path, String name, Pointer value, long size, int flags) {
        return call("setxattr", path, ctx -> {
            byte[] v = new byte[(int) size];
            value.get(0, v, 0, v.length);
            vfs.setxattr(ctx, vfs.resolve(ctx, path), name, v, flags);
            return 0;
        });
    }

    @Override
    public int listxattr(String path, Pointer list, long size) {
        return call("listxattr", path, ctx -> {
            List<ByteString> names = vfs.listxattr(ctx, vfs.resolve(ctx, path));
            int total = 0;
            for (ByteString n : names) {
                total += n.size() + 1;
            }
            if (size == 0) {
                return total;
            }
            if (size < total) {
                return -Errno.ERANGE.code();
            }
            int at = 0;
            for (ByteString n : names) {
                byte[] bytes = n.toByteArray();
                list.put(at, bytes, 0, bytes.length);
                list.putByte(at + bytes.length, (byte) 0);
                at += bytes.length + 1;
            }
            return total;
        });
    }

    @Override
    public int removexattr(String path, String name) {
        return call("removexattr", path, ctx -> {
            vfs.removexattr(ctx, vfs.resolve(ctx, path), name);
            return 0;
        });
    }

    // ------------------------------------------------------------------------------------------
    // Locks

    @Override
    public int lock(String path, FuseFileInfo fi, int cmd, Flock flock) {
        return call("lock", path, ctx -> {
            long inode = vfs.inodeOf(fh(fi));
            long owner = fi.lock_owner.get();
            long start = flock.l_start.get();
            long len = flock.l_len.get();
            long end = len == 0 ? -1L : start + len - 1; // -1 = UINT64_MAX: to end of file
            int t = flock.l_type.get();
            LockType type = t == F_RDLCK ? LockType.READ : t == F_WRLCK ? LockType.WRITE : LockType.UNLOCK;
            if (cmd == F_GETLK) {
                LockRange conflict = vfs.getlock(ctx, inode, LockKind.POSIX, type, start, end, owner);
                if (conflict.getType() == LockType.UNLOCK) {
                    flock.l_type.set((short) 2);
                } else {
                    flock.l_type.set((short) (conflict.getType() == LockType.READ ? F_RDLCK : F_WRLCK));
                    flock.l_start.set(conflict.getStart());
                    flock.l_len.set(conflict.getEnd() == -1L ? 0 : conflict.getEnd() - conflict.getStart() + 1);
                    flock.l_pid.set(conflict.getPid());
                }
                return 0;
            }
            vfs.lock(ctx, inode, LockKind.POSIX, type, start, end, owner, cmd == F_SETLKW);
            return 0;
        });
    }

    @Override
    public int flock(String path, FuseFileInfo fi, int op) {
        return call("flock", path, ctx -> {
            long inode = vfs.inodeOf(fh(fi));
            LockType type = (op & LOCK_EX) != 0 ? LockType.WRITE : (op & LOCK_SH) != 0 ? LockType.READ : LockType.UNLOCK;
            vfs.lock(ctx, inode, LockKind.FLOCK, type, 0, -1L, fi.lock_owner.get(), (op & LOCK_NB) == 0);
            return 0;
        });
    }
}
