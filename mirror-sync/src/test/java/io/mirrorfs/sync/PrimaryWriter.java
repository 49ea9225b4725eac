package io.mirrorfs.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.BlockKey;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.AllocateIdsOp;
import io.mirrorfs.api.proto.CommitSliceOp;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.IdKind;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.SliceRef;
import io.mirrorfs.store.Crc32c;
import io.mirrorfs.store.ObjectStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Writes files on the primary as the FUSE client does: blocks into the primary's store first, then
 * CommitSliceOp (so no committed metadata names a missing block).
 */
final class PrimaryWriter {
    /** One written file: its blocks as the metadata names them, and their bytes. */
    record WrittenFile(String name, long inode, List<BlockRef> blocks, List<byte[]> data, long commitIndex) {}

    private final MetadataClient client;
    private final ObjectStore store;
    private final String volume;
    private final int blockSizeBytes;
    private final RequestIds ids = new RequestIds();
    private final Random random = new Random(7);

    PrimaryWriter(MetadataClient client, ObjectStore store, String volume, int blockSizeBytes) {
        this.client = client;
        this.store = store;
        this.volume = volume;
        this.blockSizeBytes = blockSizeBytes;
    }

    /** Creates {@code name} in the root and commits one slice of {@code sizeBytes} into its chunk 0. */
    WrittenFile write(String name, int sizeBytes) throws Exception {
        long inode = allocate(IdKind.INODE);
        ok(MetaOps.create(ids.next(), MetaOps.ROOT, FsLimits.ROOT_INODE, name, FileType.REGULAR, 0644, inode));
        long slice = allocate(IdKind.SLICE);
        SliceRef.Builder ref = SliceRef.newBuilder().setSliceId(slice).setSliceSize(sizeBytes).setLength(sizeBytes);
        List<byte[]> data = new ArrayList<>();
        for (int i = 0; i < BlockKey.blockCount(sizeBytes, blockSizeBytes); i++) {
            byte[] block = new byte[BlockKey.blockSize(sizeBytes, blockSizeBytes, i)];
            random.nextBytes(block);
            store.put(new BlockKey(volume, slice, i, block.length).objectKey(), block);
            ref.addBlockCrc32C(Crc32c.of(block));
            data.add(block);
        }
        MetaReply commit = ok(MetaRequest.newBuilder().setRequestId(ids.next()).setCaller(MetaOps.ROOT)
                .setCommitSlice(CommitSliceOp.newBuilder().setInode(inode).setChunkIndex(0).setSlice(ref)).build());
        long index = commit.getChangelogIndex() != 0 ? commit.getChangelogIndex() : commit.getIndex();
        MetaRequest request = MetaRequest.newBuilder().setCommitSlice(CommitSliceOp.newBuilder().setInode(inode)
                .setSlice(ref)).build();
        List<BlockRef> blocks = SliceBlocks.of(index, io.mirrorfs.api.proto.LogEntry.newBuilder().setRequest(request)
                .build(), volume, blockSizeBytes);
        return new WrittenFile(name, inode, blocks, data, index);
    }

    void unlink(String name) throws Exception {
        ok(MetaOps.unlink(ids.next(), MetaOps.ROOT, FsLimits.ROOT_INODE, name));
    }

    private long allocate(IdKind kind) throws Exception {
        return ok(MetaRequest.newBuilder().setRequestId(ids.next()).setCaller(MetaOps.ROOT)
                .setAllocateIds(AllocateIdsOp.newBuilder().setKind(kind).setCount(1)).build()).getIds().getFirst();
    }

    private MetaReply ok(MetaRequest request) throws Exception {
        MetaReply reply = client.mutate(request).get(30, TimeUnit.SECONDS);
        assertThat(Errno.of(reply.getErrno())).as("%s", request.getOpCase()).isEqualTo(Errno.OK);
        return reply;
    }
}
