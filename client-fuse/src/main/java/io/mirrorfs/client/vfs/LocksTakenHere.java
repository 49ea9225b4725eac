package io.mirrorfs.client.vfs;

import io.mirrorfs.api.proto.LockKind;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which (inode, lock kind) pairs this mount has ever locked. libfuse2's high-level flush sends a
 * POSIX unlock for the closing owner on every close of every file; the server can only hold locks
 * that this mount placed, so an unlock of a pair never locked here is a no-op and needs no Raft
 * round trip. Entries are never removed (a stale "may hold" only costs a round trip); past
 * {@code pairsMax} the filter gives up and every unlock is sent, which is always correct.
 */
final class LocksTakenHere {
    private record Key(long inode, LockKind kind) {}

    private final Set<Key> taken = ConcurrentHashMap.newKeySet();
    private final int pairsMax;
    private volatile boolean overflowed;

    LocksTakenHere(int pairsMax) {
        this.pairsMax = pairsMax;
    }

    /** Called before a lock request is sent, so a concurrent unlock never skips a lock in flight. */
    void locking(long inode, LockKind kind) {
        if (overflowed) {
            return;
        }
        if (taken.size() >= pairsMax) {
            overflowed = true;
            return;
        }
        taken.add(new Key(inode, kind));
    }

    /** Whether an unlock of this pair must be sent to the server. */
    boolean mayHold(long inode, LockKind kind) {
        return overflowed || taken.contains(new Key(inode, kind));
    }
}
