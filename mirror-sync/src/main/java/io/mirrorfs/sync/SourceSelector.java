package io.mirrorfs.sync;

import io.mirrorfs.api.proto.MirrorState;
import java.util.Optional;

/**
 * Which store sync copies from, given what the mirror's group says now (DESIGN §5: after a switchover
 * the old primary, now a mirror, must copy from the new primary's store). In order: an explicit
 * {@code --source-store}; with a topology, the store of the region the mirror follows
 * (MirrorState.primary_region, or the file's primary before any re-pointing); else the store the
 * volume recorded at format (the original primary's).
 */
final class SourceSelector {
    /** A store to copy from, and how it was chosen (for logs and status). */
    record Choice(String uri, String why) {}

    private final Optional<String> explicitUri;
    private final Optional<RegionStores> regionStores;

    SourceSelector(Optional<String> explicitUri, Optional<RegionStores> regionStores) {
        this.explicitUri = explicitUri;
        this.regionStores = regionStores;
    }

    /**
     * @param recordedUri the volume's store URI as recorded at format (may be empty)
     * @throws SourceUnknownException with the reason in words when no store can be chosen
     */
    Choice choose(MirrorState state, String recordedUri) throws SourceUnknownException {
        if (explicitUri.isPresent()) {
            return new Choice(explicitUri.get(), "--source-store");
        }
        if (regionStores.isPresent()) {
            RegionStores stores = regionStores.get();
            String followed = stores.followed(state.getPrimaryRegion());
            return stores.storeOfPrimary(state.getPrimaryRegion()).map(uri -> new Choice(uri, "the store of region '"
                    + followed + "', the primary this mirror follows")).orElseThrow(() -> new SourceUnknownException(
                    "the mirror follows region '" + followed + "', which the topology file does not list: update the"
                            + " file (or pass --source-store URI)"));
        }
        if (recordedUri.isEmpty()) {
            throw new SourceUnknownException("the volume records no store URI, so sync does not know where to copy"
                    + " from: pass --source-store URI (the primary region's store) or --topology FILE");
        }
        return new Choice(recordedUri, "the store the volume recorded at format");
    }

    /** Whether the choice can change while sync runs (and so must be re-resolved). */
    boolean followsThePrimary() {
        return explicitUri.isEmpty() && regionStores.isPresent();
    }

    /** No store to copy from right now; the message says what to change. */
    static final class SourceUnknownException extends Exception {
        private static final long serialVersionUID = 1L;

        SourceUnknownException(String message) {
            super(message);
        }
    }
}
