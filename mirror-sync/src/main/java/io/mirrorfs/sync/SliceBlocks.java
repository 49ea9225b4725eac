package io.mirrorfs.sync;

import io.mirrorfs.api.BlockKey;
import io.mirrorfs.api.proto.CommitSliceOp;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.SliceRef;
import java.util.ArrayList;
import java.util.List;

/** The blocks a log entry references (DESIGN §2): only CommitSliceOp brings new data. */
public final class SliceBlocks {
    private SliceBlocks() {}

    public static List<BlockRef> of(long primaryIndex, LogEntry entry, String volume, int blockSizeBytes) {
        if (!entry.getRequest().hasCommitSlice()) {
            return List.of();
        }
        CommitSliceOp op = entry.getRequest().getCommitSlice();
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
