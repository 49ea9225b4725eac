package io.mirrorfs.client.mirror;

import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.StoreLimits;
import io.mirrorfs.store.wrap.SelectingStore;
import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The object store of whichever region is the primary now: a mirror mount uploads its blocks there
 * (the primary's metadata must never name a block its region lacks) and reads missing blocks from
 * it. Does not own the stores: whoever opened them closes them.
 */
public final class CurrentPrimaryStore extends SelectingStore {
    private final Map<String, ObjectStore> storesByRegion;
    private final Supplier<String> primaryRegion;

    public CurrentPrimaryStore(Map<String, ObjectStore> storesByRegion, Supplier<String> primaryRegion) {
        if (storesByRegion.isEmpty()) {
            throw new IllegalArgumentException("no region stores");
        }
        this.storesByRegion = Map.copyOf(storesByRegion);
        this.primaryRegion = primaryRegion;
    }

    @Override
    protected ObjectStore selected() throws IOException {
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
    public void close() {
        // the stores belong to whoever opened them
    }
}
