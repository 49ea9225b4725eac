package io.mirrorfs.meta.engine;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.FileType;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small in-memory reference filesystem: a tree of nodes with byte-level file contents. It is written
 * independently of the engine's key-value layout, so bookkeeping bugs (nlink, times, rename, chunk
 * trimming) show up as differences. Contents are tags (slice id, offset in slice) per byte.
 */
final class ModelFs {
    static final class Node {
        long ino;
        FileType type;
        int mode;
        int uid;
        int gid;
        long size;
        int nlink;
        long atime;
        long mtime;
        long ctime;
        long parent;
        final TreeMap<String, Long> entries = new TreeMap<>();
        String target;
        final TreeMap<String, String> xattrs = new TreeMap<>();
        final TreeMap<Long, Long> bytes = new TreeMap<>();
    }

    final Map<Long, Node> nodes = new HashMap<>();
    long usedBytes;

    ModelFs(long now) {
        Node root = new Node();
        root.ino = FsLimits.ROOT_INODE;
        root.type = FileType.DIRECTORY;
        root.mode = 0755;
        root.nlink = 2;
        root.atime = root.mtime = root.ctime = now;
        root.parent = FsLimits.ROOT_INODE;
        nodes.put(root.ino, root);
    }

    static final class Fail extends Exception {
        final Errno errno;

        Fail(Errno errno) {
            super(errno.name(), null, false, false);
            this.errno = errno;
        }
    }

    private static void need(boolean ok, Errno e) throws Fail {
        if (!ok) {
            throw new Fail(e);
        }
    }

    static boolean inGroup(Caller c, int gid) {
        return c.getGid() == gid || c.getGroupsList().contains(gid);
    }

    static boolean allowed(Node n, Caller c, int mask) {
        if (c.getUid() == 0) {
            return (mask & 1) == 0 || n.type == FileType.DIRECTORY || (n.mode & 0111) != 0;
        }
        int shift = c.getUid() == n.uid ? 6 : inGroup(c, n.gid) ? 3 : 0;
        return (((n.mode >> shift) & 7) & mask) == mask;
    }

    Node node(long ino) throws Fail {
        Node n = nodes.get(ino);
        need(n != null, Errno.ENOENT);
        return n;
    }

    Node dir(long ino) throws Fail {
        Node n = node(ino);
        need(n.type == FileType.DIRECTORY, Errno.ENOTDIR);
        return n;
    }

    static void validName(String name) throws Fail {
        need(!name.isEmpty(), Errno.EINVAL);
        need(name.length() <= 255, Errno.ENAMETOOLONG);
        need(!name.equals(".") && !name.equals(".."), Errno.EINVAL);
        need(name.indexOf('/') < 0 && name.indexOf('\0') < 0, Errno.EINVAL);
    }

    static void sticky(Node dir, Node victim, Caller c) throws Fail {
        if ((dir.mode & 01000) != 0 && c.getUid() != 0) {
            need(c.getUid() == dir.uid || c.getUid() == victim.uid, Errno.EPERM);
        }
    }

    void touchDir(Node d, long now) {
        d.mtime = now;
        d.ctime = now;
    }

    void dropLink(Node n, long now) {
        n.nlink = n.type == FileType.DIRECTORY ? 0 : n.nlink - 1;
        n.ctime = now;
        if (n.nlink == 0) {
            nodes.remove(n.ino);
            if (n.type == FileType.REGULAR) {
                usedBytes -= n.size;
            }
        }
    }

    void create(Caller c, long now, long parent, String name, FileType type, int mode, long ino, String target)
            throws Fail {
        if (type == FileType.SYMLINK) {
            need(!target.isEmpty(), Errno.ENOENT);
            need(target.length() <= 4096, Errno.ENAMETOOLONG);
        }
        Node p = dir(parent);
        validName(name);
        need(allowed(p, c, 1), Errno.EACCES);
        need(!p.entries.containsKey(name), Errno.EEXIST);
        need(allowed(p, c, 3), Errno.EACCES);
        boolean setgid = (p.mode & 02000) != 0;
        Node n = new Node();
        n.ino = ino;
        n.type = type;
        n.mode = type == FileType.SYMLINK ? 0777 : mode & 07777;
        boolean isDir = type == FileType.DIRECTORY;
        if (isDir && setgid) {
            n.mode |= 02000;
        }
        n.uid = c.getUid();
        n.gid = setgid ? p.gid : c.getGid();
        n.size = type == FileType.SYMLINK ? target.length() : 0;
        n.nlink = isDir ? 2 : 1;
        n.atime = n.mtime = n.ctime = now;
        n.parent = isDir ? p.ino : 0;
        n.target = type == FileType.SYMLINK ? target : null;
        nodes.put(ino, n);
        p.entries.put(name, ino);
        if (isDir) {
            p.nlink++;
        }
        touchDir(p, now);
    }

    void remove(Caller c, long now, long parent, String name, boolean rmdir) throws Fail {
        Node p = dir(parent);
        validName(name);
        need(allowed(p, c, 1), Errno.EACCES);
        Long ino = p.entries.get(name);
        need(ino != null, Errno.ENOENT);
        need(allowed(p, c, 3), Errno.EACCES);
        Node v = nodes.get(ino);
        sticky(p, v, c);
        boolean isDir = v.type == FileType.DIRECTORY;
        if (rmdir) {
            need(isDir, Errno.ENOTDIR);
            need(v.entries.isEmpty(), Errno.ENOTEMPTY);
            p.nlink--;
        } else {
            need(!isDir, Errno.EISDIR);
        }
        p.entries.remove(name);
        touchDir(p, now);
        dropLink(v, now);
    }

    void link(Caller c, long now, long ino, long newParent, String name) throws Fail {
        Node n = node(ino);
        Node p = dir(newParent);
        validName(name);
        need(allowed(p, c, 1), Errno.EACCES);
        need(!p.entries.containsKey(name), Errno.EEXIST);
        need(allowed(p, c, 3), Errno.EACCES);
        need(n.type != FileType.DIRECTORY, Errno.EPERM);
        n.nlink++;
        n.ctime = now;
        p.entries.put(name, ino);
        touchDir(p, now);
    }

    boolean isSelfOrAncestor(long ancestor, long dir) {
        long cur = dir;
        while (true) {
            if (cur == ancestor) {
                return true;
            }
            if (cur == FsLimits.ROOT_INODE) {
                return false;
            }
            cur = nodes.get(cur).parent;
        }
    }

    void rename(Caller c, long now, long parent, String name, long newParent, String newName, int flags)
            throws Fail {
        boolean exchange = (flags & 2) != 0;
        boolean noReplace = (flags & 1) != 0;
        need((flags & ~3) == 0 && !(exchange && noReplace), Errno.EINVAL);
        Node sp = dir(parent);
        Node dp = dir(newParent);
        validName(name);
        validName(newName);
        need(allowed(sp, c, 1), Errno.EACCES);
        need(allowed(dp, c, 1), Errno.EACCES);
        Long srcIno = sp.entries.get(name);
        need(srcIno != null, Errno.ENOENT);
        Long dstIno = dp.entries.get(newName);
        need(!exchange || dstIno != null, Errno.ENOENT);
        Node src = nodes.get(srcIno);
        Node dst = dstIno == null ? null : nodes.get(dstIno);
        if (dst == src) {
            return;
        }
        need(!noReplace || dst == null, Errno.EEXIST);
        need(allowed(sp, c, 3), Errno.EACCES);
        need(allowed(dp, c, 3), Errno.EACCES);
        sticky(sp, src, c);
        if (dst != null) {
            sticky(dp, dst, c);
        }
        boolean srcDir = src.type == FileType.DIRECTORY;
        boolean dstDir = dst != null && dst.type == FileType.DIRECTORY;
        boolean moves = sp != dp;
        if (srcDir) {
            need(!isSelfOrAncestor(src.ino, dp.ino), Errno.EINVAL);
            if (moves) {
                need(allowed(src, c, 2), Errno.EACCES);
            }
        }
        if (exchange && dstDir) {
            need(!isSelfOrAncestor(dst.ino, sp.ino), Errno.EINVAL);
            if (moves) {
                need(allowed(dst, c, 2), Errno.EACCES);
            }
        }
        if (exchange) {
            sp.entries.put(name, dst.ino);
            dp.entries.put(newName, src.ino);
            if (moves) {
                if (srcDir) {
                    sp.nlink--;
                    dp.nlink++;
                    src.parent = dp.ino;
                }
                if (dstDir) {
                    dp.nlink--;
                    sp.nlink++;
                    dst.parent = sp.ino;
                }
            }
            dst.ctime = now;
        } else {
            if (dst != null) {
                need(!srcDir || dstDir, Errno.ENOTDIR);
                need(srcDir || !dstDir, Errno.EISDIR);
                need(!dstDir || dst.entries.isEmpty(), Errno.ENOTEMPTY);
                if (dstDir) {
                    dp.nlink--;
                }
                dropLink(dst, now);
            }
            sp.entries.remove(name);
            dp.entries.put(newName, src.ino);
            if (srcDir && moves) {
                sp.nlink--;
                dp.nlink++;
                src.parent = dp.ino;
            }
        }
        src.ctime = now;
        touchDir(sp, now);
        touchDir(dp, now);
    }

    void chmod(Caller c, long now, long ino, int mode) throws Fail {
        Node n = node(ino);
        need(c.getUid() == 0 || c.getUid() == n.uid, Errno.EPERM);
        mode &= 07777;
        if (c.getUid() != 0 && !inGroup(c, n.gid)) {
            mode &= ~02000;
        }
        n.mode = mode;
        n.ctime = now;
    }

    void chown(Caller c, long now, long ino, int uid, int gid) throws Fail {
        Node n = node(ino);
        boolean root = c.getUid() == 0;
        boolean owner = root || c.getUid() == n.uid;
        need(root || (owner && uid == n.uid), Errno.EPERM);
        need(root || (owner && (gid == n.gid || inGroup(c, gid))), Errno.EPERM);
        n.uid = uid;
        n.gid = gid;
        if (!root && n.type == FileType.REGULAR) {
            n.mode &= ~06000;
        }
        n.ctime = now;
    }

    void utimes(Caller c, long now, long ino, boolean toNow, long atime, long mtime) throws Fail {
        Node n = node(ino);
        boolean owner = c.getUid() == 0 || c.getUid() == n.uid;
        if (toNow) {
            need(owner || allowed(n, c, 2), Errno.EACCES);
            n.atime = now;
            n.mtime = now;
        } else {
            need(owner, Errno.EPERM);
            n.atime = atime;
            n.mtime = mtime;
        }
        n.ctime = now;
    }

    void truncate(Caller c, long now, long ino, long length) throws Fail {
        Node n = node(ino);
        need(n.type != FileType.DIRECTORY, Errno.EISDIR);
        need(n.type == FileType.REGULAR, Errno.EINVAL);
        need(length <= FsLimits.FILE_SIZE_BYTES_MAX, Errno.EFBIG);
        need(allowed(n, c, 2), Errno.EACCES);
        n.bytes.tailMap(length, true).clear();
        usedBytes += length - n.size;
        n.size = length;
        n.mtime = now;
        n.ctime = now;
    }

    void commit(long now, long ino, int chunk, int position, int length, long sliceId) throws Fail {
        Node n = node(ino);
        need(n.type != FileType.DIRECTORY, Errno.EISDIR);
        need(n.type == FileType.REGULAR, Errno.EINVAL);
        long base = chunk * FsLimits.CHUNK_SIZE_BYTES + position;
        for (int i = 0; i < length; i++) {
            n.bytes.put(base + i, tag(sliceId, i));
        }
        if (base + length > n.size) {
            usedBytes += base + length - n.size;
            n.size = base + length;
        }
        n.mtime = now;
        n.ctime = now;
    }

    void punch(long now, long ino, long offset, long length) throws Fail {
        Node n = node(ino);
        need(n.type != FileType.DIRECTORY, Errno.EISDIR);
        need(n.type == FileType.REGULAR, Errno.EINVAL);
        n.bytes.subMap(offset, offset + length).clear();
        n.mtime = now;
        n.ctime = now;
    }

    static long tag(long sliceId, long offsetInSlice) {
        return (sliceId << 32) | offsetInSlice;
    }

    void setXattr(Caller c, long now, long ino, String name, String value, int flags) throws Fail {
        Node n = node(ino);
        need(!name.isEmpty(), Errno.EINVAL);
        need(name.length() <= 255, Errno.ERANGE);
        need(value.length() <= 65536, Errno.E2BIG);
        need(allowed(n, c, 2), Errno.EACCES);
        boolean exists = n.xattrs.containsKey(name);
        need(!exists || (flags & 1) == 0, Errno.EEXIST);
        need(exists || (flags & 2) == 0, Errno.ENODATA);
        n.xattrs.put(name, value);
        n.ctime = now;
    }

    void removeXattr(Caller c, long now, long ino, String name) throws Fail {
        Node n = node(ino);
        need(!name.isEmpty(), Errno.EINVAL);
        need(name.length() <= 255, Errno.ERANGE);
        need(allowed(n, c, 2), Errno.EACCES);
        need(n.xattrs.remove(name) != null, Errno.ENODATA);
        n.ctime = now;
    }
}
