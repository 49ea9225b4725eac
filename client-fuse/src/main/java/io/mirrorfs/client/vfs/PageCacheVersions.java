package io.mirrorfs.client.vfs;

import io.mirrorfs.api.proto.Attr;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides, at each open, whether the kernel may keep the file's page cache (FUSE {@code keep_cache})
 * without breaking close-to-open consistency.
 *
 * <p>Invariant: after an open of inode I with fresh attributes at version V, the kernel's cached
 * pages of I hold the bytes of V (plus writes made through this mount, which the kernel writes
 * through its own page cache). The version is (size, mtime, ctime) as stamped by the metadata leader:
 * every data change (commit, truncate, fallocate) sets mtime and ctime to the leader's clock in
 * nanoseconds, so a change made anywhere after our last open shows up as a different version. When
 * the version at this open equals the one recorded at the previous open, nothing changed the file in
 * between and the cache is kept; otherwise it is dropped. Changes made through this mount also move
 * the version, so the next open drops the cache: conservative, never stale.
 *
 * <p>Bounded: past {@code entriesMax} inodes the map is cleared, which only costs dropped caches.
 */
final class PageCacheVersions {
    private record Version(long size, long mtimeNs, long ctimeNs) {
        static Version of(Attr a) {
            return new Version(a.getSize(), a.getMtimeNs(), a.getCtimeNs());
        }
    }

    private final ConcurrentHashMap<Long, Version> lastOpened = new ConcurrentHashMap<>();
    private final int entriesMax;

    PageCacheVersions(int entriesMax) {
        if (entriesMax <= 0) {
            throw new IllegalArgumentException("entriesMax must be positive: " + entriesMax);
        }
        this.entriesMax = entriesMax;
    }

    /**
     * Records {@code fresh} (attributes fetched from the leader for this open) and returns whether
     * the kernel's cached pages are still those of that version.
     */
    boolean openedAt(Attr fresh) {
        if (lastOpened.size() >= entriesMax) {
            lastOpened.clear();
        }
        Version now = Version.of(fresh);
        Version before = lastOpened.put(fresh.getInode(), now);
        return now.equals(before);
    }

    /** The file changed in a way the kernel's cache may not reflect: the next open must drop it. */
    void forget(long inode) {
        lastOpened.remove(inode);
    }
}
