package io.mirrorfs.client.mirror;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.client.chunk.MirrorBlockSource;
import io.mirrorfs.store.ObjectStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assembles the parts of a mirror mount from region addresses: a Raft client per region, the
 * {@link PrimaryRouter} over the regions that may be the primary, the gated
 * {@link MirrorMetadataClient}, the store uploads go to and the block source reads come from.
 */
public final class MirrorMounts {
    private MirrorMounts() {}

    /** A region as a mount needs it: its metadata group and its (already opened) object store. */
    public record RegionEndpoint(String name, MetaGroup group, ObjectStore store) {}

    /**
     * What {@code MountedVolume.mount} takes for a mirror mount. Closing {@code client} closes the
     * Raft clients opened here; the stores stay the caller's.
     */
    public record Parts(MirrorMetadataClient client, ObjectStore uploadStore, MirrorBlockSource blocks) {}

    /**
     * @param mirror the region whose group serves this mount's reads and whose store it reads first
     * @param mayBePrimary the regions to look for the primary in (a topology's every region, the mirror
     *     included, since it may be promoted; or just the one named by {@code --primary-meta})
     */
    public static Parts open(RegionEndpoint mirror, List<RegionEndpoint> mayBePrimary, MirrorMountConfig config,
                             MetadataClientOptions options) {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            RaftMetadataClient mirrorClient = RaftMetadataClient.connect(mirror.group(), options);
            opened.add(mirrorClient);
            List<PrimaryRouter.Candidate> candidates = new ArrayList<>();
            Map<String, ObjectStore> stores = new LinkedHashMap<>();
            for (RegionEndpoint r : mayBePrimary) {
                RaftMetadataClient c;
                if (r.name().equals(mirror.name()) && r.group().equals(mirror.group())) {
                    c = mirrorClient;
                } else {
                    c = RaftMetadataClient.connect(r.group(), options);
                    opened.add(c);
                }
                candidates.add(new PrimaryRouter.Candidate(r.name(), c));
                stores.put(r.name(), r.store());
            }
            PrimaryRouter router = new PrimaryRouter(candidates, config.probeTimeoutMillis(),
                    config.failoverWaitMillisMax(), System::nanoTime);
            MirrorMetadataClient client = MirrorMetadataClient.create(mirrorClient, router, config,
                    opened.toArray(AutoCloseable[]::new));
            ObjectStore uploads = new CurrentPrimaryStore(stores, router::lastRegion);
            MirrorBlockSource blocks = new MirrorBlockSource(mirror.store(), () -> uploads, config.keepFetchedBlocks());
            return new Parts(client, uploads, blocks);
        } catch (RuntimeException e) {
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }
}
