package io.mirrorfs.sync;

import io.mirrorfs.api.BlockKey;
import io.mirrorfs.api.proto.CommitSliceOp;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.SliceRef;
import java.util.ArrayList;
import java.util.List;

/**
 * The blocks a log entry references (DESIGN §2): only CommitSliceOp brings new data, alone or as members
 * of a MutationBatch (group commit), where a member refused at apply names blocks that no slice keeps:
 * those are found missing at the source and skipped as deleted, like any unreferenced block.
 */
public final class SliceBlocks {
    private SliceBlocks() {}

    public static List<BlockRef> of(long primaryIndex, LogEntry entry, String volume, int blockSizeBytes) {
        MetaRequest request = entry.getRequest();
        if (request.hasCommitSlice()) {
            return of(primaryIndex, request.getCommitSlice(), volume, blockSizeBytes);
        }
        if (!request.hasBatch()) {
            return List.of();
        }
        List<BlockRef> out = new ArrayList<>();
        for (MetaRequest member : request.getBatch().getRequestsList()) {
            if (member.hasCommitSlice()) {
                out.addAll(of(primaryIndex, member.getCommitSlice(), volume, blockSizeBytes));
            }
        }
        return out;
    }

    private static List<BlockRef> of(long primaryIndex, CommitSliceOp op, String volume, int blockSizeBytes) {
        SliceRef slice = op.getSlice();
        if (slice.getSliceId() == 0) {
            return List.of(); // a hole: no bytes behind it
        }
        long sliceSize = Integer.toUnsignedLong(slice.getSliceSize());
        int count = BlockKey.blockCount(sliceSize, blockSizeBytes);
        boolean crcKnown = slice.getBlockCrc32CCount() == count;
        List<BlockRef> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int size = BlockKey.blockSize(sliceSize, blockSizeBytes, i);
            out.add(new BlockRef(primaryIndex, op.getInode(), op.getChunkIndex(),
                    new BlockKey(volume, slice.getSliceId(), i, size), size,
                    crcKnown ? slice.getBlockCrc32C(i) : 0, crcKnown));
        }
        return out;
    }
}
