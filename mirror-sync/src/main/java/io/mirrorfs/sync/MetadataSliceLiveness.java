package io.mirrorfs.sync;

import io.mirrorfs.api.proto.ChunkReply;
import io.mirrorfs.api.proto.SliceRef;
import java.io.IOException;
import java.util.Optional;

/**
 * Asks the mirror's own metadata whether a block's slice is still visible in its chunk. Asked only
 * when the block is missing at the source: the mirror has applied at least the commit (sync follows
 * its changelog), so "not referenced" here means a later unlink, truncate or overwrite that the
 * mirror has applied too, and the primary may have collected the slice. A slice still referenced but
 * missing at the source stays an error (retried, then poison), never silently skipped.
 */
public final class MetadataSliceLiveness implements SliceLiveness {
    private final MirrorMetadata mirror;

    public MetadataSliceLiveness(MirrorMetadata mirror) {
        this.mirror = mirror;
    }

    @Override
    public boolean stillReferenced(BlockRef block) throws IOException {
        Optional<ChunkReply> chunk = mirror.readChunk(block.inode(), block.chunkIndex());
        if (chunk.isEmpty()) {
            return false;
        }
        long slice = block.key().sliceId();
        for (SliceRef ref : chunk.get().getSlicesList()) {
            if (ref.getSliceId() == slice) {
                return true;
            }
        }
        return false;
    }
}
