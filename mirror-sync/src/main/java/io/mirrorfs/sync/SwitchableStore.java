package io.mirrorfs.sync;

import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.StoreLimits;
import io.mirrorfs.store.wrap.SelectingStore;
import java.io.IOException;

/**
 * The source store as the copier sees it: one object whose backing store the daemon replaces when the
 * region the mirror follows changes (a failover), so the copier, its retries and its pending blocks
 * carry on against the new primary's store. A copy that raced the switch fails on the closed old store
 * and is retried like any failed copy. Before the first {@link #switchTo}, every call fails.
 */
final class SwitchableStore extends SelectingStore {
    private volatile ObjectStore current;

    /** Makes {@code next} the source; returns the previous one (the caller closes it), or null. */
    synchronized ObjectStore switchTo(ObjectStore next) {
        ObjectStore previous = current;
        current = next;
        return previous;
    }

    /** The store in use, or null before the first switch. */
    ObjectStore current() {
        return current;
    }

    @Override
    protected ObjectStore selected() throws IOException {
        ObjectStore s = current;
        if (s == null) {
            throw new IOException("no source store chosen yet");
        }
        return s;
    }

    @Override
    public String uri() {
        ObjectStore s = current;
        return s == null ? "" : s.uri();
    }

    @Override
    public StoreLimits limits() {
        ObjectStore s = current;
        if (s == null) {
            throw new IllegalStateException("no source store chosen yet");
        }
        return s.limits();
    }

    /** Closes the store in use (the daemon closes replaced ones when it switches). */
    @Override
    public synchronized void close() throws IOException {
        ObjectStore s = current;
        current = null;
        if (s != null) {
            s.close();
        }
    }
}
