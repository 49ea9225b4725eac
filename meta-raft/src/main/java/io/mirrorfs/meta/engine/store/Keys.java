package io.mirrorfs.meta.engine.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Key encodings. Numbers are big-endian so RocksDB's bytewise order is numeric order, which is what
 * makes prefix scans (a directory's entries, a file's chunks, deletions by time) work.
 */
public final class Keys {
    private Keys() {}

    public static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    public static long readU64(byte[] b, int offset) {
        return ByteBuffer.wrap(b, offset, 8).getLong();
    }

    public static byte[] inode(long inode) {
        return u64(inode);
    }

    /** dentries: parent(8) + name bytes. */
    public static byte[] dentry(long parent, byte[] name) {
        return ByteBuffer.allocate(8 + name.length).putLong(parent).put(name).array();
    }

    public static byte[] dentryName(byte[] key) {
        return Arrays.copyOfRange(key, 8, key.length);
    }

    /** chunks: inode(8) + chunk index(4). */
    public static byte[] chunk(long inode, int chunkIndex) {
        return ByteBuffer.allocate(12).putLong(inode).putInt(chunkIndex).array();
    }

    public static int chunkIndex(byte[] key) {
        return ByteBuffer.wrap(key, 8, 4).getInt();
    }

    /** xattrs: inode(8) + name bytes. */
    public static byte[] xattr(long inode, byte[] name) {
        return dentry(inode, name);
    }

    /** locks: inode(8) + lock kind(1). */
    public static byte[] lock(long inode, int kind) {
        return ByteBuffer.allocate(9).putLong(inode).put((byte) kind).array();
    }

    public static final byte SESSION_RECORD = 1;
    public static final byte SESSION_LOCK = 2;

    /** sessions: 0x01 + session id(8) -> SessionRecord. */
    public static byte[] session(long sessionId) {
        return ByteBuffer.allocate(9).put(SESSION_RECORD).putLong(sessionId).array();
    }

    /** sessions: 0x02 + session id(8) + inode(8) + kind(1) -> empty: which locks to drop on close. */
    public static byte[] sessionLock(long sessionId, long inode, int kind) {
        return ByteBuffer.allocate(18).put(SESSION_LOCK).putLong(sessionId).putLong(inode).put((byte) kind).array();
    }

    public static byte[] sessionLockPrefix(long sessionId) {
        return ByteBuffer.allocate(9).put(SESSION_LOCK).putLong(sessionId).array();
    }

    /** delayed deletions: time_ns(8) + slice id(8) + inode(8): a GC scans them oldest first. */
    public static byte[] delayed(long timeNs, long sliceId, long inode) {
        return ByteBuffer.allocate(24).putLong(timeNs).putLong(sliceId).putLong(inode).array();
    }

    /** dedup: client id(8) + seq(8) -> MetaReply. */
    public static byte[] dedup(long clientId, long seq) {
        return ByteBuffer.allocate(16).putLong(clientId).putLong(seq).array();
    }

    /** changelog: Raft log index(8) -> LogEntry bytes. */
    public static byte[] changelog(long index) {
        return u64(index);
    }

    /** counters and meta: ASCII names. */
    public static byte[] name(String name) {
        return name.getBytes(StandardCharsets.US_ASCII);
    }

    public static boolean hasPrefix(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
