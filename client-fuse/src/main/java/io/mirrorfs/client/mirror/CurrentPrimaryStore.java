package io.mirrorfs.client.mirror;

import io.mirrorfs.store.ListPage;
import io.mirrorfs.store.ObjectInfo;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.StoreLimits;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The object store of whichever region is the primary now: a mirror mount uploads its blocks there
 * (the primary's metadata must never name a block its region lacks) and reads missing blocks from
 * it. Does not own the stores: whoever opened them closes them.
 */
public final class CurrentPrimaryStore implements ObjectStore {
    private final Map<String, ObjectStore> storesByRegion;
    private final Supplier<String> primaryRegion;

    public CurrentPrimaryStore(Map<String, ObjectStore> storesByRegion, Supplier<String> primaryRegion) {
        if (storesByRegion.isEmpty()) {
            throw new IllegalArgumentException("no region stores");
        }
        this.storesByRegion = Map.copyOf(storesByRegion);
        this.primaryRegion = primaryRegion;
    }

    private ObjectStore now() throws IOException {
        String region = primaryRegion.get();
        ObjectStore store = storesByRegion.get(region);
        if (store == null) {
            throw new IOException("no object store known for primary region " + region);
        }
        return store;
    }

    @Override
    public String uri() {
        ObjectStore store = storesByRegion.get(primaryRegion.get());
        return store == null ? "(primary region " + primaryRegion.get() + ": no store)" : store.uri();
    }

    @Override
    public StoreLimits limits() {
        ObjectStore store = storesByRegion.get(primaryRegion.get());
        return (store != null ? store : storesByRegion.values().iterator().next()).limits();
    }

    @Override
    public void put(String key, byte[] data) throws IOException {
        now().put(key, data);
    }

    @Override
    public byte[] get(String key) throws IOException {
        return now().get(key);
    }

    @Override
    public byte[] getRange(String key, long offset, int length) throws IOException {
        return now().getRange(key, offset, length);
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        return now().head(key);
    }

    @Override
    public void delete(String key) throws IOException {
        now().delete(key);
    }

    @Override
    public ListPage list(String prefix, String startAfter, int limit) throws IOException {
        return now().list(prefix, startAfter, limit);
    }

    @Override
    public void copy(String sourceKey, String destinationKey) throws IOException {
        now().copy(sourceKey, destinationKey);
    }

    @Override
    public void close() {
        // the stores belong to whoever opened them
    }
}
