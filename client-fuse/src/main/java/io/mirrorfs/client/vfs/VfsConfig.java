package io.mirrorfs.client.vfs;

import java.time.Duration;

/**
 * Tunables of the client, each with its unit and bound.
 *
 * @param attrTtlMillis how long attributes and slice lists are trusted without asking (0 = never)
 * @param entryTtlMillis how long name → inode lookups are trusted
 * @param cacheEntriesMax bound of each metadata cache map
 * @param metaTimeout how long one metadata call may take before it fails with EIO
 * @param uploadThreads parallel block uploads
 * @param uploadBufferBytesMax bytes of blocks queued or in flight to the store (back-pressure)
 * @param fetchThreads parallel block reads
 * @param readBufferBytesMax in-memory block cache (reads and readahead)
 * @param readaheadBytesMax largest readahead window of one sequential reader
 * @param inodeBatch inode ids reserved per AllocateIdsOp
 * @param sliceBatch slice ids reserved per AllocateIdsOp
 * @param lockWaitMillisMax how long a blocking lock request polls before giving up with ENOLCK
 * @param sessionTtl how long the server keeps this mount's session (and its locks) without a heartbeat;
 *     the mount heartbeats every third of it. 1 s .. 24 h (the server's bounds)
 */
public record VfsConfig(
        long attrTtlMillis,
        long entryTtlMillis,
        int cacheEntriesMax,
        Duration metaTimeout,
        int uploadThreads,
        int uploadBufferBytesMax,
        int fetchThreads,
        long readBufferBytesMax,
        long readaheadBytesMax,
        int inodeBatch,
        int sliceBatch,
        long lockWaitMillisMax,
        Duration sessionTtl) {

    public static final Duration SESSION_TTL_DEFAULT = Duration.ofSeconds(30);
    public static final Duration SESSION_TTL_MIN = Duration.ofSeconds(1);
    public static final Duration SESSION_TTL_MAX = Duration.ofHours(24);

    public VfsConfig {
        if (sessionTtl.compareTo(SESSION_TTL_MIN) < 0 || sessionTtl.compareTo(SESSION_TTL_MAX) > 0) {
            throw new IllegalArgumentException("session TTL must be between " + SESSION_TTL_MIN + " and "
                    + SESSION_TTL_MAX + ": " + sessionTtl);
        }
    }

    /** The tunables before sessions: the session TTL is the default. */
    public VfsConfig(long attrTtlMillis, long entryTtlMillis, int cacheEntriesMax, Duration metaTimeout, int uploadThreads,
                     int uploadBufferBytesMax, int fetchThreads, long readBufferBytesMax, long readaheadBytesMax,
                     int inodeBatch, int sliceBatch, long lockWaitMillisMax) {
        this(attrTtlMillis, entryTtlMillis, cacheEntriesMax, metaTimeout, uploadThreads, uploadBufferBytesMax,
                fetchThreads, readBufferBytesMax, readaheadBytesMax, inodeBatch, sliceBatch, lockWaitMillisMax,
                SESSION_TTL_DEFAULT);
    }

    public static VfsConfig defaults() {
        return new VfsConfig(1000, 1000, 100_000, Duration.ofSeconds(30), 16, 256 << 20, 16, 256L << 20, 64L << 20,
                1000, 1000, 60_000, SESSION_TTL_DEFAULT);
    }

    public VfsConfig withTtlMillis(long attrMillis, long entryMillis) {
        return new VfsConfig(attrMillis, entryMillis, cacheEntriesMax, metaTimeout, uploadThreads, uploadBufferBytesMax,
                fetchThreads, readBufferBytesMax, readaheadBytesMax, inodeBatch, sliceBatch, lockWaitMillisMax, sessionTtl);
    }

    public VfsConfig withReadBufferBytesMax(long bytes) {
        return new VfsConfig(attrTtlMillis, entryTtlMillis, cacheEntriesMax, metaTimeout, uploadThreads,
                uploadBufferBytesMax, fetchThreads, bytes, readaheadBytesMax, inodeBatch, sliceBatch, lockWaitMillisMax,
                sessionTtl);
    }

    public VfsConfig withSessionTtl(Duration ttl) {
        return new VfsConfig(attrTtlMillis, entryTtlMillis, cacheEntriesMax, metaTimeout, uploadThreads,
                uploadBufferBytesMax, fetchThreads, readBufferBytesMax, readaheadBytesMax, inodeBatch, sliceBatch,
                lockWaitMillisMax, ttl);
    }
}
