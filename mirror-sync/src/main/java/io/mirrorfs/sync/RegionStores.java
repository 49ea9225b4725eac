package io.mirrorfs.sync;

import java.util.Map;
import java.util.Optional;

/**
 * Every region's object store as the topology file lists it, so sync copies from the store of the
 * region its mirror follows <em>now</em> (MirrorState.primary_region), which after a failover is not
 * the original primary whose store the volume recorded at format.
 *
 * @param storeUriByRegion region name → store URI
 * @param initialPrimary   the file's primary: followed by a mirror that was never re-pointed (empty
 *                         primary_region)
 */
public record RegionStores(Map<String, String> storeUriByRegion, String initialPrimary) {
    public RegionStores {
        storeUriByRegion = Map.copyOf(storeUriByRegion);
        if (!storeUriByRegion.containsKey(initialPrimary)) {
            throw new IllegalArgumentException("the initial primary '" + initialPrimary + "' has no store in "
                    + storeUriByRegion.keySet());
        }
    }

    /** The store of the region followed: {@code primaryRegion}, or the initial primary when empty. */
    public Optional<String> storeOfPrimary(String primaryRegion) {
        return Optional.ofNullable(storeUriByRegion.get(followed(primaryRegion)));
    }

    public String followed(String primaryRegion) {
        return primaryRegion.isEmpty() ? initialPrimary : primaryRegion;
    }
}
