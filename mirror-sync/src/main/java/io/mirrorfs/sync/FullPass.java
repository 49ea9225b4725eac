package io.mirrorfs.sync;

import io.mirrorfs.api.proto.MirrorState;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One full pass (DESIGN §4, after a bootstrap): the mirror's changelog no longer holds the entries
 * sync needs, so the blocks they named are found by walking the namespace instead.
 *
 * <p>Consistency: the primary index P is read <em>before</em> the walk, so every file the walk sees is
 * at P or later; a slice committed after P is either seen by the walk or comes through the changelog
 * from P + 1; a slice deleted meanwhile needs no copy. The walk is redone when the region changed under
 * it in a way that makes P meaningless: it started a bootstrap (its namespace was being replaced), it
 * stopped being a mirror, or its index went back (a bootstrap at an older snapshot).
 */
final class FullPass {
    private static final Logger LOG = LoggerFactory.getLogger(FullPass.class);

    private final String region;
    private final MirrorMetadata mirror;
    private final String volume;
    private final int blockSizeBytes;

    FullPass(String region, MirrorMetadata mirror, String volume, int blockSizeBytes) {
        this.region = region;
        this.mirror = mirror;
        this.blockSizeBytes = blockSizeBytes;
        this.volume = volume;
    }

    /**
     * Walks and hands the referenced blocks to {@code service}; false (nothing submitted) when the region
     * was not a settled mirror before or after the walk, so the caller looks at the region again.
     *
     * @param walking told the primary index the walk is consistent with, before it starts (for status)
     */
    boolean run(BlockSyncService service, Consumer<Long> walking) throws IOException, InterruptedException {
        MirrorState before = mirror.mirrorState();
        if (!settledMirror(before)) {
            return false;
        }
        long consistentIndex = before.getPrimaryIndex();
        walking.accept(consistentIndex);
        LOG.info("sync of region '{}': full pass: walking the namespace of volume '{}' at primary index {}", region,
                volume, consistentIndex);
        ReferencedBlocks walker = new ReferencedBlocks(mirror, volume, blockSizeBytes);
        List<BlockRef> blocks = walker.walk();
        MirrorState after = mirror.mirrorState();
        if (!settledMirror(after) || after.getPrimaryIndex() < consistentIndex || after.getEpoch() != before.getEpoch()) {
            LOG.info("sync of region '{}': the region changed during the full pass walk (role {}, epoch {} -> {},"
                            + " primary index {} -> {}, bootstrapping {}): walking again", region, after.getRole(),
                    before.getEpoch(), after.getEpoch(), consistentIndex, after.getPrimaryIndex(),
                    after.getBootstrapRequired());
            return false;
        }
        LOG.info("sync of region '{}': full pass: {} directories, {} files, {} blocks referenced at primary index {};"
                        + " copying those missing from the mirror's store", region, walker.directoriesVisited(),
                walker.filesVisited(), blocks.size(), consistentIndex);
        service.submitFullPass(consistentIndex, blocks);
        return true;
    }

    private static boolean settledMirror(MirrorState state) {
        return "MIRROR".equals(state.getRole()) && !state.getBootstrapRequired() && state.getPrimaryIndex() > 0;
    }
}
