package io.mirrorfs.sync;

import java.io.IOException;

/**
 * Whether a block's slice is still part of its file, asked only when the block is missing at the
 * source: a slice deleted (and garbage-collected at the primary) before the mirror copied it is
 * skipped, not an error. The mirror wires this to a ReadChunkQuery on its own metadata.
 */
@FunctionalInterface
public interface SliceLiveness {
    boolean stillReferenced(BlockRef block) throws IOException;
}
