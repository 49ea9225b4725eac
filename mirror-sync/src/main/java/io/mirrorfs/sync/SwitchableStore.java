package io.mirrorfs.sync;

import io.mirrorfs.store.ListPage;
import io.mirrorfs.store.ObjectInfo;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.StoreLimits;
import java.io.IOException;
import java.util.Optional;

/**
 * The source store as the copier sees it: one object whose backing store the daemon replaces when the
 * region the mirror follows changes (a failover), so the copier, its retries and its pending blocks
 * carry on against the new primary's store. A copy that raced the switch fails on the closed old store
 * and is retried like any failed copy. Before the first {@link #switchTo}, every call fails.
 */
final class SwitchableStore implements ObjectStore {
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

    private ObjectStore store() throws IOException {
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

    @Override
    public void put(String key, byte[] data) throws IOException {
        store().put(key, data);
    }

    @Override
    public byte[] get(String key) throws IOException {
        return store().get(key);
    }

    @Override
    public byte[] getRange(String key, long offset, int length) throws IOException {
        return store().getRange(key, offset, length);
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        return store().head(key);
    }

    @Override
    public void delete(String key) throws IOException {
        store().delete(key);
    }

    @Override
    public ListPage list(String prefix, String startAfter, int limit) throws IOException {
        return store().list(prefix, startAfter, limit);
    }

    @Override
    public void copy(String sourceKey, String destinationKey) throws IOException {
        store().copy(sourceKey, destinationKey);
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
