package io.mirrorfs.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.proto.CommitSliceOp;
import io.mirrorfs.api.proto.CreateOp;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MutationBatch;
import io.mirrorfs.api.proto.SliceRef;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The blocks an entry names: a lone commit, and the commits among a MutationBatch's members. */
class SliceBlocksTest {
    private static MetaRequest commit(long inode, long slice, int size) {
        return MetaRequest.newBuilder().setCommitSlice(CommitSliceOp.newBuilder().setInode(inode)
                .setSlice(SliceRef.newBuilder().setSliceId(slice).setSliceSize(size).setLength(size))).build();
    }

    @Test
    void everyCommittingMemberOfABatchNamesItsBlocksAtTheEntrysIndex() {
        MetaRequest batch = MetaRequest.newBuilder().setBatch(MutationBatch.newBuilder()
                .addRequests(commit(10, 1, 2500)) // 3 blocks of 1 KiB
                .addRequests(MetaRequest.newBuilder().setCreate(CreateOp.newBuilder().setInode(11)))
                .addRequests(commit(12, 2, 100))
                .addRequests(commit(13, 0, 4096))) // a hole: no blocks
                .build();
        List<BlockRef> blocks = SliceBlocks.of(42, LogEntry.newBuilder().setRequest(batch).build(), "vol", 1024);
        assertThat(blocks).extracting(b -> b.key().objectKey()).hasSize(4);
        assertThat(blocks).extracting(BlockRef::inode).containsExactly(10L, 10L, 10L, 12L);
        assertThat(blocks).allSatisfy(b -> assertThat(b.primaryIndex()).isEqualTo(42));
        assertThat(SliceBlocks.of(43, LogEntry.newBuilder().setRequest(commit(10, 3, 1024)).build(), "vol", 1024))
                .hasSize(1);
    }
}
