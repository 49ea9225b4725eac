package io.mirrorfs.store.wrap;

import io.mirrorfs.store.ListPage;
import io.mirrorfs.store.ObjectInfo;
import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.util.Optional;

/**
 * Base of a store whose backing store is chosen at every call (the current primary's store, a source
 * switched at failover): each data operation goes to {@link #selected()}. Subclasses decide
 * {@code uri}, {@code limits} and {@code close}, which depend on who owns the stores.
 */
public abstract class SelectingStore implements ObjectStore {

    /** The store this call goes to; an IOException (naming why) when there is none. */
    protected abstract ObjectStore selected() throws IOException;

    @Override
    public void put(String key, byte[] data) throws IOException {
        selected().put(key, data);
    }

    @Override
    public byte[] get(String key) throws IOException {
        return selected().get(key);
    }

    @Override
    public byte[] getRange(String key, long offset, int length) throws IOException {
        return selected().getRange(key, offset, length);
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        return selected().head(key);
    }

    @Override
    public void delete(String key) throws IOException {
        selected().delete(key);
    }

    @Override
    public ListPage list(String prefix, String startAfter, int limit) throws IOException {
        return selected().list(prefix, startAfter, limit);
    }

    @Override
    public void copy(String sourceKey, String destinationKey) throws IOException {
        selected().copy(sourceKey, destinationKey);
    }
}
